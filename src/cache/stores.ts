/**
 * Tiers 1 and 2 behind one small interface: the Workers Cache API (per data
 * centre, fast) and KV (global, eventually consistent). Both hold the same
 * `CachedAnswer`; what comes back is validated like any other input.
 */
import * as z from "zod/mini";
import type { CachedAnswer } from "../domain/freshness";

export interface AnswerStore {
  readonly tier: "edge" | "kv";
  read(key: string): Promise<CachedAnswer | undefined>;
  /** `ttlSeconds`: how long the store should keep it (the servable window). */
  write(key: string, answer: CachedAnswer, ttlSeconds: number): Promise<void>;
}

const storedMeta = z.object({
  status: z.union([z.literal(200), z.literal(404)]),
  etag: z.string(),
  storedAt: z.number(),
});

function toAnswer(meta: unknown, body: string): CachedAnswer | undefined {
  const parsed = storedMeta.safeParse(meta);
  return parsed.success ? { ...parsed.data, body } : undefined;
}

/**
 * Tier 1. Keys are URLs on the request's own host (the Cache API is per zone);
 * Cache-Control tells the data centre how long to keep the entry.
 */
export function edgeCacheStore(cache: Cache, origin: string): AnswerStore {
  const url = (key: string) => `${origin}/__sound-cache/${encodeURIComponent(key)}`;
  return {
    tier: "edge",
    async read(key) {
      const response = await cache.match(url(key));
      if (!response) return undefined;
      const meta = {
        status: Number(response.headers.get("X-Answer-Status")),
        etag: response.headers.get("X-Answer-ETag") ?? "",
        storedAt: Number(response.headers.get("X-Stored-At")),
      };
      return toAnswer(meta, await response.text());
    },
    async write(key, answer, ttlSeconds) {
      // Stored as a plain 200 whatever the answer: only our own headers say what it is.
      const response = new Response(answer.body, {
        headers: {
          "Cache-Control": `public, max-age=${Math.ceil(ttlSeconds)}`,
          "X-Answer-Status": String(answer.status),
          "X-Answer-ETag": answer.etag,
          "X-Stored-At": String(answer.storedAt),
        },
      });
      await cache.put(url(key), response);
    },
  };
}

/** KV refuses `expirationTtl` under 60 seconds. */
export const KV_MIN_TTL_SECONDS = 60;

/** Tier 2. The body is the value; status, ETag and time are metadata (well under KV's 1 KiB). */
export function kvStore(kv: KVNamespace): AnswerStore {
  const name = (key: string) => `sound:${key}`;
  return {
    tier: "kv",
    async read(key) {
      const { value, metadata } = await kv.getWithMetadata(name(key), { type: "text" });
      return value === null ? undefined : toAnswer(metadata, value);
    },
    async write(key, answer, ttlSeconds) {
      const { status, etag, storedAt } = answer;
      await kv.put(name(key), answer.body, {
        expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)),
        metadata: { status, etag, storedAt },
      });
    },
  };
}
