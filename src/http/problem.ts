/**
 * One error model for every response the worker sends that is not a success:
 * RFC 9457 problem details, `application/problem+json`.
 *
 * Each kind has a stable `type` (documented in the README), an HTTP status and a
 * title. Everything else (README table, OpenAPI) is derived from `problemKinds`.
 */

export const problemKinds = {
  "invalid-query": { status: 400, title: "Invalid query parameters" },
  "invalid-body": { status: 400, title: "Invalid request body" },
  "invalid-signature": { status: 401, title: "Invalid webhook signature" },
  "origin-not-allowed": { status: 403, title: "Origin not allowed" },
  "not-found": { status: 404, title: "Not found" },
  "sound-not-found": { status: 404, title: "Sound not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "uri-too-long": { status: 414, title: "URI too long" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "service-misconfigured": { status: 500, title: "Service misconfigured" },
  internal: { status: 500, title: "Internal error" },
  "upstream-credentials-rejected": { status: 502, title: "Upstream rejected credentials" },
  "upstream-error": { status: 502, title: "Upstream error" },
  "upstream-quota-exhausted": { status: 503, title: "Upstream quota exhausted" },
  "upstream-rate-limited": { status: 503, title: "Upstream rate limited" },
  "upstream-unavailable": { status: 503, title: "Upstream unavailable" },
  "webhook-disabled": { status: 503, title: "Webhook not configured" },
  "upstream-timeout": { status: 504, title: "Upstream timeout" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof problemKinds;

/** One invalid input, named. */
export type ParamError = { param: string; message: string };

export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
  errors?: ParamError[];
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problemType(kind: ProblemKind): string {
  return `urn:tiktok-sound-edge:problem:${kind}`;
}

/**
 * A failure the request path knows how to explain. Throw it anywhere; the app's
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
  return body;
}

/** The HTTP response for a problem; CORS and security headers are added by middleware. */
export function problemResponse(error: ProblemError, requestId: string, headers: HeadersInit = {}): Response {
  const response = new Response(JSON.stringify(problemBody(error, requestId)), {
    status: error.status,
    headers,
  });
  response.headers.set("Content-Type", PROBLEM_CONTENT_TYPE);
  if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
  if (error.retryAfter !== undefined) {
    response.headers.set("Retry-After", String(error.retryAfter));
  }
  return response;
}
