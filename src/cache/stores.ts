/**
 * Tiers 1 and 2 behind one small interface: the Workers Cache API (per data
 * centre, fast) and KV (global, eventually consistent). Both hold the same
 * `CachedAnswer`; what comes back is validated like any other input.
 */
import * as z from "zod/mini";
import type { CachedAnswer } from "../domain/freshness";
import { sha256Hex } from "../util/sha256";

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
 * Cache-Control tells the data centre how long to keep the entry. URLs may be
 * 16 KB; the longest cache key (a search of 50 emoji) makes one of about 1.1 KB.
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

/**
 * Every KV name is at most this many UTF-8 bytes: KV refuses names over 512,
 * and a write or read with one fails (a warning, then the coordinator is asked).
 */
export const KV_NAME_MAX_BYTES = 400;
const READABLE = "sound:";
const HASHED = "sound-sha256:";
/** What a hashed name keeps of its key, so a listing still says what it is: ≤ 4 bytes each, 320 in all. */
const HASHED_KEPT_CODE_POINTS = 80;

/**
 * The KV name of a cache key: the key itself while that fits in
 * `KV_NAME_MAX_BYTES`; past it (a search of 50 emoji is about 600 characters
 * percent-encoded), the key's start and a SHA-256 of the whole key, under a
 * prefix of its own, so no readable name can equal a hashed one.
 *
 * @example await kvName("v1:6703723351497508865:7:US") // → "sound:v1:6703723351497508865:7:US"
 * @example await kvName(`list-v1:US:7:1:20:q=${"%F0%9F%8E%B5".repeat(50)}`)
 *   // → "sound-sha256:list-v1:US:7:1:20:q=%F0%9F%8E%B5…(80 characters of the key):<64 hex digits>"
 */
export async function kvName(key: string): Promise<string> {
  const readable = READABLE + key;
  if (new TextEncoder().encode(readable).length <= KV_NAME_MAX_BYTES) return readable;
  const kept = Array.from(key).slice(0, HASHED_KEPT_CODE_POINTS).join("");
  return `${HASHED}${kept}:${await sha256Hex(key)}`;
}

/** Tier 2. The body is the value; status, ETag and time are metadata (well under KV's 1 KiB). */
export function kvStore(kv: KVNamespace): AnswerStore {
  return {
    tier: "kv",
    async read(key) {
      const { value, metadata } = await kv.getWithMetadata(await kvName(key), { type: "text" });
      return value === null ? undefined : toAnswer(metadata, value);
    },
    async write(key, answer, ttlSeconds) {
      const { status, etag, storedAt } = answer;
      await kv.put(await kvName(key), answer.body, {
        expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)),
        metadata: { status, etag, storedAt },
      });
    },
  };
}
