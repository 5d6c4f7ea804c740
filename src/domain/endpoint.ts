/**
 * What the request path needs to know about one KeyAPI endpoint, declared once
 * per endpoint in src/endpoints/. The tiers, the coordinator, the ledger, the
 * KeyAPI client and the cron take a declaration and know nothing of sounds or
 * charts: adding an endpoint is one module and one route.
 */

/** The KeyAPI endpoints behind this service, by the names the ledger, its history and the logs use. */
export const ENDPOINT_NAMES = ["detail", "list"] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** KeyAPI's answer, trimmed: our payload, or "nothing there" (a negative answer, cached like any other). */
export type Trimmed = { found: true; payload: unknown } | { found: false };

/**
 * One KeyAPI endpoint. `Q` is a query that passed the endpoint's rules: only
 * such values are sent upstream or used in a key. Queries cross RPC boundaries
 * (to the key's coordinator), so they are plain data.
 */
export interface Endpoint<Q> {
  readonly name: EndpointName;
  /** KeyAPI's path, e.g. `/v1/tiktok/trending/music/detail`. */
  readonly path: string;
  /** Every upstream query parameter, in KeyAPI's documented order. */
  upstreamParams(query: Q): [name: string, value: string][];
  /**
   * The answer's identity within the endpoint, as the `upstream_call` log
   * line, the ledger and the operator console show it (`6703723351497508865:7:US`).
   */
  key(query: Q): string;
  /**
   * The version of the stored payload's shape, the first part of every cache
   * key (`v1:6703723351497508865:7:US`): bump it when the shape changes, and
   * entries of the old shape are ignored.
   */
  readonly payloadFormat: string;
  /**
   * KeyAPI's `data` (a plain object, or null/absent) as our payload. Lenient
   * field by field; throws ProblemError `upstream-error` only when the shape
   * says the answer cannot be read at all.
   */
  trim(data: Record<string, unknown> | null | undefined, query: Q, fetchedAt: Date): Trimmed;
}

/** The key every tier, the coordinator's name and the render caches use. */
export function cacheKey<Q>(endpoint: Endpoint<Q>, query: Q): string {
  return `${endpoint.payloadFormat}:${endpoint.key(query)}`;
}
