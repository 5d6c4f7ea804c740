/**
 * What the request path needs to know about one KeyAPI endpoint, declared once
 * per endpoint in src/endpoints/. The tiers, the coordinator, the ledger, the
 * KeyAPI client and the cron take a declaration and know nothing of sounds or
 * charts; adding an endpoint is one module and one route.
 */

/** The KeyAPI endpoints behind this service, by the names the ledger and the logs use. */
export const ENDPOINT_NAMES = ["detail", "list"] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** KeyAPI's answer, trimmed: our payload, or "nothing there" (a negative answer, cached like any other). */
export type Trimmed = { found: true; payload: unknown } | { found: false };

/**
 * One KeyAPI endpoint. `Q` is a query that passed the endpoint's rules: only such
 * values are sent upstream or used in a key. Queries cross RPC boundaries (to the
 * key's coordinator), so they are plain data.
 */
export interface KeyApiEndpoint<Q> {
  readonly name: EndpointName;
  /** KeyAPI's path, e.g. `/v1/tiktok/trending/music/detail`. */
  readonly path: string;
  /** Every upstream query parameter, in KeyAPI's documented order. */
  upstreamParams(query: Q): [name: string, value: string][];
  /** The normalised identity of one answer: its tiers' key, its coordinator's name, its ledger row. */
  cacheKey(query: Q): string;
  /**
   * KeyAPI's `data` (already a plain object, or null/absent) as our payload.
   * Lenient field by field; throws ProblemError `upstream-error` only when the
   * shape says the answer cannot be read at all.
   */
  trim(data: Record<string, unknown> | null | undefined, query: Q, fetchedAt: Date): Trimmed;
}
