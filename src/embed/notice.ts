/**
 * What an embed says when it has nothing to show: a problem (src/domain/problems.ts)
 * in the widget's words, about what the embed shows (a sound, or a chart). Only
 * our own text is used (titles, details, parameter names the client sent);
 * embeds still clean and escape it like any other value.
 */
import { type ProblemError, problemKinds } from "../domain/problems";
import type { SoundQuery } from "../domain/sound";
import type { CardNotice } from "./card-svg";

/** What an embed shows, as its notices name it: "Couldn't load this chart". */
export type NoticeSubject = "sound" | "chart";

/**
 * @example noticeFor(new ProblemError("rate-limited", "…")).heading // → "Too many requests right now"
 * @example noticeFor(new ProblemError("upstream-error", "…"), "chart").heading // → "Couldn't load this chart"
 */
export function noticeFor(error: ProblemError, subject: NoticeSubject = "sound", query?: SoundQuery): CardNotice {
  switch (error.kind) {
    case "sound-not-found":
      return {
        heading: "Sound not found",
        detail: query
          ? `No trending sound with clip id ${query.clipId} in ${query.region} over the last ${query.period} days.`
          : error.detail,
        icon: "?",
      };
    case "invalid-query":
      return {
        heading: problemKinds[error.kind].title,
        detail: error.errors?.map((problem) => `${problem.param} ${problem.message}`).join("; ") ?? error.detail,
        icon: "!",
      };
    case "rate-limited":
      return { heading: "Too many requests right now", detail: error.detail, icon: "!" };
    default:
      return {
        heading: error.status === 503 ? `The ${subject} service is busy` : `Couldn't load this ${subject}`,
        detail: error.detail,
        icon: "!",
      };
  }
}
