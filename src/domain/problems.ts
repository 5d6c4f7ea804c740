/**
 * The one list of things that can go wrong, as domain facts: a kind, its HTTP
 * status and title, and the error that carries one. Domain code (keyapi/,
 * cache/, config) throws these without knowing about HTTP; http/problem.ts
 * renders them as RFC 9457 problem details. The README's errors table and the
 * OpenAPI document are derived from (and tested against) `problemKinds`.
 */

import type { UpstreamTrace } from "./upstream";

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

/** One invalid input, named. */
export type ParamError = { param: string; message: string };

/**
 * A failure the service knows how to explain. Throw it anywhere; the app's
 * `onError` turns it into a problem response.
 *
 * @example throw new ProblemError("sound-not-found", "No sound with clip_id 1.")
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly errors: ParamError[] | undefined;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfter: number | undefined;
  /** The KeyAPI exchange behind this failure, if there was one (for the request log). */
  upstream: UpstreamTrace | undefined;

  constructor(kind: ProblemKind, detail: string, extras: { errors?: ParamError[]; retryAfter?: number } = {}) {
    super(`${kind}: ${detail}`);
    this.name = "ProblemError";
    this.kind = kind;
    this.detail = detail;
    this.errors = extras.errors;
    this.retryAfter = extras.retryAfter;
  }

  get status(): number {
    return problemKinds[this.kind].status;
  }
}
