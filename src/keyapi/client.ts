/**
 * The only code that talks to KeyAPI, for any of its endpoints (a declaration,
 * src/domain/endpoint.ts): builds the request from validated values, enforces
 * the deadline, reads KeyAPI's envelope, and turns every upstream outcome into
 * either the endpoint's trimmed payload, "nothing there", or a ProblemError
 * that says what went wrong without revealing anything about our credentials.
 */
import * as z from "zod/mini";
import type { Endpoint, Trimmed } from "../domain/endpoint";
import { ANSWER_LIMITS } from "../domain/limits";
import { type Blame, ProblemError, type ProblemKind } from "../domain/problems";
import { CREDITS_PER_CALL, type UpstreamExchange } from "../domain/upstream";
import { parseJsonKeepingBigIntegers } from "./json";

/** Seconds to suggest in `Retry-After` when KeyAPI does not say. */
export const RETRY_AFTER_DEFAULT = { rateLimited: 30, quotaExhausted: 600 } as const;

/** What the client needs to know to call KeyAPI. */
export type KeyApiSettings = { keyapiBaseUrl: string; keyapiApiKey: string; upstreamTimeoutMs: number };

const envelopeSchema = z.object({
  code: z.number(),
  message: z.optional(z.nullable(z.string())),
  data: z.optional(z.nullable(z.unknown())),
});

/** KeyAPI's URL for one query of an endpoint: only the declaration's parameters, from validated values. */
export function upstreamUrl<Q>(
  settings: Pick<KeyApiSettings, "keyapiBaseUrl">,
  endpoint: Endpoint<Q>,
  query: Q,
): string {
  return `${settings.keyapiBaseUrl}${endpoint.path}?${new URLSearchParams(endpoint.upstreamParams(query))}`;
}

/** Statuses worth one more try: the gateway's, not KeyAPI's considered answers. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);
/** A retry starts only if this much of the deadline would be left for it. */
const MIN_ATTEMPT_MS = 250;

export type FetchOptions = {
  /** The clock that stamps `fetched_at`. */
  now?: () => number;
  random?: () => number;
  onExchange?: (exchange: UpstreamExchange) => void;
  /** Put on every `upstream_call` log line: the request this call serves. */
  requestId?: string;
  /**
   * Asked before each attempt is sent (the credit ledger); throws a
   * ProblemError to stop it, and then no request leaves.
   */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /** Told how each attempt that was sent ended: KeyAPI's HTTP status, or `null` when no answer came. */
  afterAttempt?: (status: number | null) => void;
  /** False: no second attempt (the cron: its next run is the retry; a lookup that joins such a call shares it). */
  retry?: boolean;
};

type Attempt = { answer: Trimmed } | { failure: ProblemError; retryable: boolean };

/**
 * Asks KeyAPI (2 credits a call) within one deadline of `UPSTREAM_TIMEOUT_MS`,
 * with at most one retry, after 50–150 ms of jitter, on network errors and
 * 502/503/504. Resolves with the answer, or throws a ProblemError of an
 * `upstream-*` kind.
 */
export async function fetchFromKeyApi<Q>(
  config: KeyApiSettings,
  endpoint: Endpoint<Q>,
  query: Q,
  options: FetchOptions = {},
): Promise<Trimmed> {
  const { random = Math.random, onExchange, retry = true } = options;
  const started = Date.now();
  const deadline = AbortSignal.timeout(config.upstreamTimeoutMs);
  const exchange: UpstreamExchange = { status: null, durationMs: 0 };
  try {
    let outcome = await attempt(config, endpoint, query, deadline, exchange, options, 1);
    if ("failure" in outcome && outcome.retryable && retry) {
      const jitterMs = 50 + random() * 100;
      if (Date.now() - started + jitterMs + MIN_ATTEMPT_MS <= config.upstreamTimeoutMs) {
        await new Promise((resolve) => setTimeout(resolve, jitterMs));
        outcome = await attempt(config, endpoint, query, deadline, exchange, options, 2);
      }
    }
    if ("failure" in outcome) throw blamed(outcome.failure, endpoint.freeInput?.(query) === true);
    return outcome.answer;
  } finally {
    exchange.durationMs = Date.now() - started;
    onExchange?.(exchange);
  }
}

async function attempt<Q>(
  config: KeyApiSettings,
  endpoint: Endpoint<Q>,
  query: Q,
  deadline: AbortSignal,
  exchange: UpstreamExchange,
  options: FetchOptions,
  number: number,
): Promise<Attempt> {
  try {
    await options.beforeAttempt?.(number);
  } catch (error) {
    const refusal =
      error instanceof ProblemError ? error : new ProblemError("internal", "The call could not be accounted for.");
    return { failure: refusal, retryable: false };
  }
  const started = Date.now();
  // Counted from here: once fetch() is called, KeyAPI may have received (and billed) the request.
  exchange.status = null;
  try {
    const response = await fetch(upstreamUrl(config, endpoint, query), {
      headers: { Authorization: `Bearer ${config.keyapiApiKey}`, Accept: "application/json" },
      signal: deadline,
    });
    exchange.status = response.status;
    if (response.status !== 200) {
      // Judged by the status alone (the body is never read): a huge error page is KeyAPI's 5xx, not a large answer.
      await response.body?.cancel();
      return {
        failure: failureFor(response.status, response.headers),
        retryable: RETRYABLE_STATUSES.has(response.status),
      };
    }
    const body = await readAtMost(response, ANSWER_LIMITS.bodyBytes);
    if (body === undefined) {
      // The size is the sound's (anyone can ask for the largest): a property of the input, never of KeyAPI's health.
      const tooLarge = new ProblemError("upstream-error", "KeyAPI sent an answer too large to read.", {
        blame: "request",
      });
      return { failure: tooLarge, retryable: false };
    }
    const now = options.now ?? Date.now;
    return {
      answer: interpret(response.headers, body, (data) => endpoint.trim(data, query, new Date(now()))),
    };
  } catch (error) {
    if (error instanceof ProblemError) return { failure: error, retryable: false };
    if (deadline.aborted) {
      const timeout = new ProblemError("upstream-timeout", "KeyAPI did not answer in time.", { blame: "upstream" });
      return { failure: timeout, retryable: false };
    }
    const unreachable = new ProblemError("upstream-error", "KeyAPI could not be reached.", { blame: "upstream" });
    return { failure: unreachable, retryable: true };
  } finally {
    logCall(endpoint.name, endpoint.key(query), exchange.status, Date.now() - started, number, options.requestId);
    options.afterAttempt?.(exchange.status);
  }
}

/**
 * The body as text, or undefined (and the rest left unread) once it passes
 * `maxBytes`: what KeyAPI sends is read into memory, so its size is ours to bound.
 */
async function readAtMost(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** One line per HTTP request sent to KeyAPI, wherever it is sent: the credit ledger's audit trail. */
function logCall(
  endpoint: string,
  key: string,
  status: number | null,
  durationMs: number,
  attempt: number,
  requestId?: string,
) {
  console.log(
    JSON.stringify({
      event: "upstream_call",
      endpoint,
      key,
      status,
      duration_ms: durationMs,
      credits: CREDITS_PER_CALL,
      attempt,
      request_id: requestId ?? null,
    }),
  );
}

function interpret(
  headers: Headers,
  body: string,
  trim: (data: Record<string, unknown> | null | undefined) => Trimmed,
): Trimmed {
  let envelope: z.output<typeof envelopeSchema> | undefined;
  try {
    const parsed = envelopeSchema.safeParse(parseJsonKeepingBigIntegers(body));
    if (parsed.success) envelope = parsed.data;
  } catch {
    // Not JSON: unreadable, below.
  }

  if (!envelope) throw unreadable("KeyAPI sent an answer that is not its documented envelope.");
  if (envelope.code !== 0) throw failureFor(envelope.code, headers);

  const data = envelope.data;
  if (data !== null && data !== undefined && !isPlainObject(data)) {
    throw unreadable("KeyAPI sent data of an unexpected shape.");
  }
  return trim(data);
}

/** An answer KeyAPI's documentation does not describe: KeyAPI is unwell, whatever the input. */
export function unreadable(detail: string): ProblemError {
  return new ProblemError("upstream-error", detail, { blame: "upstream" });
}

/** Failures that are about the service whatever the input: our key, our quota, our rate. */
const SERVICE_FAILURES: ReadonlySet<ProblemKind> = new Set([
  "upstream-credentials-rejected",
  "upstream-quota-exhausted",
  "upstream-rate-limited",
]);

/**
 * A failure as the breaker should read it. For a query whose input the client
 * chose freely, KeyAPI failing (a 5xx, an unreadable answer, a timeout) may be
 * that input's doing, so it is the request's fault, not KeyAPI's health.
 */
function blamed(failure: ProblemError, freeInput: boolean): ProblemError {
  if (!freeInput || failure.blame !== "upstream" || SERVICE_FAILURES.has(failure.kind)) return failure;
  return failure.blamedOn("request");
}

/**
 * 4xx statuses about the service, not the input: our key (401, 403), our quota
 * (402), our rate (429), and a gateway's timing (408 Request Timeout, 425 Too
 * Early), which no query chooses. Every other 4xx refuses the request itself.
 */
const SERVICE_REFUSALS = new Set([401, 402, 403, 408, 425, 429]);

/**
 * Whose fault a failing status (or `code`) is. Judged by the number alone,
 * never by the body: a gateway's HTML 400 for an odd input is still a refusal
 * of that input, and must not let one client open the breaker for everyone.
 */
export function blameFor(status: number): Blame {
  return status >= 400 && status < 500 && !SERVICE_REFUSALS.has(status) ? "request" : "upstream";
}

/** Maps a failing HTTP status, or the same number as a non-zero envelope `code`. */
function failureFor(status: number, headers: Headers): ProblemError {
  const blame = blameFor(status);
  switch (status) {
    case 401:
    case 403:
      // Our key is wrong or revoked: an operator problem, loud in the log.
      console.error(JSON.stringify({ level: "error", message: "KeyAPI rejected the service's credentials", status }));
      return new ProblemError("upstream-credentials-rejected", "KeyAPI rejected the service's credentials.", { blame });
    case 402:
      return new ProblemError("upstream-quota-exhausted", "The service's KeyAPI quota is exhausted.", {
        retryAfter: retryAfterSeconds(headers, RETRY_AFTER_DEFAULT.quotaExhausted),
        blame,
      });
    case 429:
      return new ProblemError("upstream-rate-limited", "KeyAPI is rate limiting the service.", {
        retryAfter: retryAfterSeconds(headers, RETRY_AFTER_DEFAULT.rateLimited),
        blame,
      });
    default:
      return new ProblemError("upstream-error", `KeyAPI failed with status ${status}.`, { blame });
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), kept between 1 s and 1 h. */
function retryAfterSeconds(headers: Headers, fallback: number): number {
  const value = headers.get("Retry-After")?.trim();
  if (!value) return fallback;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return fallback;
  return Math.min(3600, Math.max(1, Math.ceil(seconds)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
