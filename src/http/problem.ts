/**
 * One error model for every response the worker sends that is not a success:
 * RFC 9457 problem details, `application/problem+json`, rendered from the
 * domain's `ProblemError` and its body (src/domain/problems.ts). Each kind has
 * a stable `type` URN, documented in the README.
 */
import { type ProblemError, type ProblemKind, problemBody } from "../domain/problems";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * What any route can answer with, whatever it does: a browser origin CORS refuses, a URL over its bound
 * (src/app.ts), a deployment whose configuration is invalid, a bug.
 */
export const EVERY_ROUTE_PROBLEMS = [
  "origin-not-allowed",
  "uri-too-long",
  "service-misconfigured",
  "internal",
] as const satisfies readonly ProblemKind[];

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
