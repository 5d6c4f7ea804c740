/**
 * Rendered embeds (cards, embed pages) kept in the isolate's memory, next to
 * tier 0 of the answers: a hot card costs a map lookup, not a render. Keyed on
 * the answer's ETag (which changes with its content) and the variant, so a
 * refreshed answer is rendered anew and an old rendering is never served for it.
 */
import type { CachedAnswer } from "../cache/answer";
import { MemoryCache } from "../cache/memory";
import { ProblemError } from "../domain/problems";
import { type SoundPayload, soundPayloadSchema } from "../keyapi/sound";

export type Rendered = { body: string; etag: string };

export const RENDER_CACHE_LIMITS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024 };

export type RenderCache = ReturnType<typeof createRenderCache>;

export function createRenderCache(limits = RENDER_CACHE_LIMITS) {
  const memory = new MemoryCache<Rendered>(limits);
  return {
    /**
     * The rendering of `answer` (a 200) for `variant`, from memory or from `render`.
     * Its strong ETag is the answer's with `tag` appended: distinct from the
     * JSON's and from every other variant's.
     *
     * @example rendered.get(answer, "card-auto", "card-auto-1", () => renderCardSvg(…))
     */
    get(answer: CachedAnswer, variant: string, tag: string, render: (payload: SoundPayload) => string): Rendered {
      const key = `${answer.etag}|${variant}`;
      // Entries never expire by time: a new answer has a new ETag, and the bound evicts old ones.
      const known = memory.get(key, 0);
      if (known) return known;
      const rendered = { body: render(payloadOf(answer)), etag: `"${answer.etag.replace(/^"|"$/g, "")}-${tag}"` };
      memory.set(key, rendered, rendered.body.length + key.length + 64, Number.POSITIVE_INFINITY);
      return rendered;
    },
    memory,
  };
}

/** A cached 200's body, checked against our own payload schema (a tier could hold something odd). */
export function payloadOf(answer: CachedAnswer): SoundPayload {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    json = undefined;
  }
  const result = soundPayloadSchema.safeParse(json);
  if (!result.success) throw new ProblemError("internal", "A cached answer could not be read.");
  return result.data;
}
