/**
 * One error model for every response the worker sends that is not a success:
 * RFC 9457 problem details, `application/problem+json`, rendered from the
 * domain's `ProblemError` (src/domain/problems.ts). Each kind has a stable
 * `type` URN, documented in the README.
 */
import { type ParamError, type ProblemError, type ProblemKind, problemKinds } from "../domain/problems";

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

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

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
