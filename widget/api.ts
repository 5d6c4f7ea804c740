/**
 * Requests to this worker's API, shared by every element on the page: one
 * entry per URL, in flight or settled, so elements showing the same sound or
 * chart make one GET, and an answer is reused for a while.
 */
import type { ProblemDetails } from "../src/domain/problems";

export type Outcome<T> =
  | { state: "ready"; payload: T }
  | { state: "not-found" }
  | { state: "rate-limited"; retryAfter: number | null }
  | { state: "error"; detail: string; retry: boolean };

/** How long a page reuses an answer before asking again (the HTTP cache may still answer). */
const KEEP_MS = 5 * 60_000;
/** A page that keeps changing attributes does not keep every answer it ever had. */
const MAX_ENTRIES = 64;

/** By URL: the URL says which endpoint, hence which payload. */
const answers = new Map<string, { outcome: Promise<Outcome<unknown>>; until: number }>();

/** The API's origin is the one the script came from, whichever site embeds it. */
export const apiUrl = (path: string) => new URL(path, import.meta.url).href;

/**
 * The answer for `url`: shared while in flight, then reused for `KEEP_MS` when
 * it is one (a payload `read` accepts, or not-found); failures are forgotten
 * once settled, so the next look asks again.
 */
export function load<T>(url: string, read: (body: unknown) => T | null): Promise<Outcome<T>> {
  const known = answers.get(url);
  if (known && known.until > Date.now()) return known.outcome as Promise<Outcome<T>>;
  const entry = { outcome: request(url, read), until: Number.POSITIVE_INFINITY };
  answers.delete(url);
  answers.set(url, entry);
  if (answers.size > MAX_ENTRIES) answers.delete(answers.keys().next().value as string);
  entry.outcome.then((outcome) => {
    entry.until = outcome.state === "ready" || outcome.state === "not-found" ? Date.now() + KEEP_MS : 0;
  });
  return entry.outcome;
}

export const forget = (url: string) => answers.delete(url);

async function request<T>(url: string, read: (body: unknown) => T | null): Promise<Outcome<T>> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "omit" });
  } catch {
    // A CORS refusal looks exactly like a network failure from here.
    return {
      state: "error",
      detail: "The sound service could not be reached, or it does not accept requests from this site.",
      retry: true,
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const payload = read(body);
    return payload === null
      ? { state: "error", detail: "The sound service sent an answer this widget cannot read.", retry: true }
      : { state: "ready", payload };
  }
  const problem = (body ?? {}) as Partial<ProblemDetails>;
  const kind = String(problem.type ?? "").replace(/^.*:/, "");
  if (kind === "sound-not-found") return { state: "not-found" };
  if (response.status === 429 || response.status === 503) {
    const retryAfter = Number(response.headers.get("Retry-After"));
    return { state: "rate-limited", retryAfter: retryAfter > 0 ? retryAfter : null };
  }
  return {
    state: "error",
    detail: typeof problem.detail === "string" ? problem.detail : `The sound service answered ${response.status}.`,
    // Asking again only helps when the service, not the element's attributes, was the problem.
    retry: response.status >= 500,
  };
}
