/**
 * The one list of things that can go wrong, as domain facts: a kind, its HTTP
 * status and title, and the error that carries one. Domain code (keyapi/,
 * cache/, config) throws these without knowing about HTTP; http/problem.ts
 * renders them as RFC 9457 problem details. The README's errors table and the
 * OpenAPI document are derived from (and tested against) `problemKinds`.
 */

import { joined, type UpstreamTrace } from "./upstream";

export const problemKinds = {
  "invalid-query": { status: 400, title: "Invalid query parameters" },
  "invalid-body": { status: 400, title: "Invalid request body" },
  "invalid-signature": { status: 401, title: "Invalid webhook signature" },
  unauthorized: { status: 401, title: "Unauthorized" },
  "origin-not-allowed": { status: 403, title: "Origin not allowed" },
  "not-found": { status: 404, title: "Not found" },
  "sound-not-found": { status: 404, title: "Sound not found" },
  "no-embed": { status: 404, title: "No embed for this URL" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "webhook-delivery-in-progress": { status: 409, title: "Webhook delivery in progress" },
  "webhook-id-reused": { status: 409, title: "Webhook id reused" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "uri-too-long": { status: 414, title: "URI too long" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "service-misconfigured": { status: 500, title: "Service misconfigured" },
  internal: { status: 500, title: "Internal error" },
  "unsupported-format": { status: 501, title: "Format not implemented" },
  "upstream-credentials-rejected": { status: 502, title: "Upstream rejected credentials" },
  "upstream-error": { status: 502, title: "Upstream error" },
  "upstream-quota-exhausted": { status: 503, title: "Upstream quota exhausted" },
  "upstream-rate-limited": { status: 503, title: "Upstream rate limited" },
  "upstream-unavailable": { status: 503, title: "Upstream unavailable" },
  "credit-budget-exhausted": { status: 503, title: "Credit budget exhausted" },
  "admin-disabled": { status: 503, title: "Admin endpoint not configured" },
  "usage-unavailable": { status: 503, title: "Usage figures unavailable" },
  "webhook-disabled": { status: 503, title: "Webhook not configured" },
  "webhook-deliveries-unavailable": { status: 503, title: "Webhook delivery record unavailable" },
  "upstream-timeout": { status: 504, title: "Upstream timeout" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof problemKinds;

/**
 * Whose fault a failed KeyAPI call was, decided once where KeyAPI's answer is
 * read (src/keyapi/client.ts) and carried as data from there, across the
 * coordinator's RPC boundary, to the breaker and the webhook:
 * - `upstream`: KeyAPI is unwell or refuses the service (5xx, 429, timeouts,
 *   network errors, unreadable answers; 401/402/403, our key and quota). It
 *   counts towards the circuit breaker. No input can choose it.
 * - `request`: KeyAPI refused this input (400, 404, other 4xx, or the same
 *   numbers as a non-zero `code`). Any client can cause it at will, so it
 *   never touches the breaker, and asking again gives the same answer.
 * Failures that made no call (calls paused, the credit budget, an unreachable
 * coordinator or ledger) have no blame.
 */
export type Blame = "upstream" | "request";

/**
 * Worth asking again later, e.g. on a webhook redelivery: every failure but a
 * refusal of the request itself (5xx, 429, timeouts, paused calls, the budget…).
 */
export function isRetryable(error: ProblemError): boolean {
  return error.blame !== "request";
}

/** One invalid input, named. */
export type ParamError = { param: string; message: string };

/**
 * At most this many input problems are listed (in `errors`, and by name in
 * `detail`); the rest are counted. A 2 KB URL must not draw a 50 KB answer.
 */
export const MAX_LISTED_ERRORS = 20;
/** Names echoed from a request (parameters, fields) are cut to this many code points. */
export const MAX_ECHOED_NAME = 64;

/**
 * A failure the service knows how to explain. Throw it anywhere; the app's
 * `onError` turns it into a problem response.
 *
 * @example throw new ProblemError("sound-not-found", "No sound with clip_id 1.")
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly detail: string;
  /** At most `MAX_LISTED_ERRORS`. */
  readonly errors: ParamError[] | undefined;
  /** How many more problems there were than `errors` lists. */
  readonly errorsOmitted: number;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfter: number | undefined;
  /** Set on failed KeyAPI calls: whose fault the failure was. */
  readonly blame: Blame | undefined;
  /** The KeyAPI exchange behind this failure, if there was one (for the request log). */
  upstream: UpstreamTrace | undefined;

  constructor(
    kind: ProblemKind,
    detail: string,
    extras: { errors?: ParamError[]; errorsOmitted?: number; retryAfter?: number; blame?: Blame } = {},
  ) {
    super(`${kind}: ${detail}`);
    this.name = "ProblemError";
    this.kind = kind;
    this.detail = detail;
    const { errors, errorsOmitted = 0 } = extras;
    this.errors = errors?.slice(0, MAX_LISTED_ERRORS);
    this.errorsOmitted = errorsOmitted + (errors ? errors.length - (this.errors?.length ?? 0) : 0);
    this.retryAfter = extras.retryAfter;
    this.blame = extras.blame;
  }

  get status(): number {
    return problemKinds[this.kind].status;
  }

  /** The same problem, as one who waited for someone else's KeyAPI call sees it. */
  asJoined(): ProblemError {
    if (!this.upstream) return this;
    const { errors, errorsOmitted, retryAfter, blame } = this;
    const copy = new ProblemError(this.kind, this.detail, { errors, errorsOmitted, retryAfter, blame });
    copy.upstream = joined(this.upstream);
    return copy;
  }
}

/**
 * A 400 naming its problems: `<lead>: <names>.` in `detail`, each problem in
 * `errors`, both cut at `MAX_LISTED_ERRORS` with a count of the rest.
 *
 * @example invalidInput("invalid-query", "Invalid query parameters", [{ param: "region", message: "…" }])
 *   // detail: "Invalid query parameters: region."
 */
export function invalidInput(kind: "invalid-query" | "invalid-body", lead: string, errors: ParamError[]): ProblemError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const names = [...new Set(listed.map((error) => error.param))].join(", ");
  const rest = errors.length - listed.length;
  return new ProblemError(kind, `${lead}: ${names}${rest > 0 ? ` and ${rest} more` : ""}.`, { errors });
}

/** A problem as every answer carries it (RFC 9457 problem details), in problem+json bodies and webhook results. */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
  errors?: ParamError[];
  /** How many problems `errors` leaves out (it lists at most 20); present only then. */
  errors_omitted?: number;
};

export function problemType(kind: ProblemKind): string {
  return `urn:tiktok-sound-edge:problem:${kind}`;
}

export function problemBody(error: ProblemError, requestId: string): ProblemDetails {
  const { status, title } = problemKinds[error.kind];
  const body: ProblemDetails = {
    type: problemType(error.kind),
    title,
    status,
    detail: error.detail,
    request_id: requestId,
  };
  if (error.errors) body.errors = error.errors;
  if (error.errorsOmitted > 0) body.errors_omitted = error.errorsOmitted;
  return body;
}
