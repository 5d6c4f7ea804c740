/**
 * Responses of the embed surfaces (the SVG card, the embed page), errors
 * included: a problem on the card is drawn as a small card, with HTTP 200 (an
 * image proxy shows nothing for a 4xx/5xx image) and the status the JSON
 * endpoint would have given in `X-Card-Status`; on the embed page it is an
 * HTML page with that status. Security headers come from the envelope.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError } from "../domain/problems";
import { DEFAULT_THEME, THEMES, type Theme } from "../domain/query";
import type { SoundQuery } from "../domain/sound";
import { renderNoticeSvg } from "../embed/card-svg";
import { renderEmbedNoticePage } from "../embed/embed-page";
import { type NoticeSubject, noticeFor } from "../embed/notice";
import { problemResponse } from "./problem";

export const SVG_CONTENT_TYPE = "image/svg+xml; charset=utf-8";
export const HTML_CONTENT_TYPE = "text/html; charset=utf-8";
/** On every card: the status the JSON endpoint gives for the same query. */
export const CARD_STATUS_HEADER = "X-Card-Status";

function withProblemHeaders(error: ProblemError, headers: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { "Cache-Control": "no-store", ...headers };
  if (error.retryAfter !== undefined) all["Retry-After"] = String(error.retryAfter);
  return all;
}

/** How a notice is drawn: its theme, what the embed shows, the sound asked for, and headers of the answer's. */
export type NoticeOptions = {
  theme: Theme;
  subject?: NoticeSubject;
  query?: SoundQuery;
  /** Headers instead of `no-store` (a cached "sound not found" keeps its max-age). */
  headers?: Record<string, string>;
};

/**
 * A problem drawn as a card: 200 (403 for a refused origin), `X-Card-Status: <status>`, `no-store`
 * unless `headers` say otherwise.
 */
export function noticeCardResponse(error: ProblemError, options: NoticeOptions): Response {
  const { theme, subject = "sound", query, headers = {} } = options;
  return new Response(renderNoticeSvg(noticeFor(error, subject, query), theme), {
    // CORS as the API: a script on a refused site gets a real 403 (an <img> sends no Origin, so embeds never see it).
    status: error.kind === "origin-not-allowed" ? error.status : 200,
    headers: {
      ...withProblemHeaders(error, headers),
      "Content-Type": SVG_CONTENT_TYPE,
      [CARD_STATUS_HEADER]: String(error.status),
    },
  });
}

/** A problem as an embed page, with the problem's status. */
export function noticePageResponse(error: ProblemError, options: NoticeOptions): Response {
  const { theme, subject = "sound", query, headers = {} } = options;
  return new Response(renderEmbedNoticePage(noticeFor(error, subject, query), theme, subject), {
    status: error.status,
    headers: { ...withProblemHeaders(error, headers), "Content-Type": HTML_CONTENT_TYPE },
  });
}

/** The theme a request asked for, when it is a valid one: errors are drawn in it even before the query is read. */
function requestedTheme(url: string): Theme {
  const asked = new URL(url).searchParams.get("theme");
  return (THEMES as readonly string[]).includes(asked ?? "") ? (asked as Theme) : DEFAULT_THEME;
}

/**
 * Any error, as the request's surface shows errors: a card, an HTML page, or
 * problem+json for the API. Unknown errors become a generic 500 (logged).
 */
export function errorResponse(c: Context<AppEnv>, error: unknown): Response {
  let problem: ProblemError;
  if (error instanceof ProblemError) {
    problem = error;
  } else {
    // The log gets the name and message, the client a generic 500.
    console.error(JSON.stringify({ level: "error", message: "unhandled error", error: String(error) }));
    problem = new ProblemError("internal", "Something went wrong on our side.");
  }
  const surface = c.get("surface");
  if (surface === "card" || surface === "embed") {
    const notice = { theme: requestedTheme(c.req.url), subject: c.get("subject") };
    return surface === "card" ? noticeCardResponse(problem, notice) : noticePageResponse(problem, notice);
  }
  return problemResponse(problem, c.get("requestId") ?? "");
}
