/**
 * Rendered embeds (cards, embed pages, chart windows) kept in the isolate's
 * memory, next to tier 0 of the answers: a hot card costs a map lookup, not a
 * render. Keyed on the ETag of what they are drawn from (which changes with its
 * content) and the variant, so a refreshed answer is rendered anew and an old
 * rendering is never served for it.
 */
import type * as z from "zod/mini";
import { MemoryCache } from "../cache/memory";
import type { CachedAnswer } from "../domain/freshness";
import { ProblemError } from "../domain/problems";

export type Rendered = { body: string; etag: string };

export const RENDER_CACHE_LIMITS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024 };

export type RenderCache = ReturnType<typeof createRenderCache>;

export function createRenderCache() {
  const memory = new MemoryCache<Rendered>(RENDER_CACHE_LIMITS);
  return {
    /**
     * The rendering of what has the strong ETag `source` for `variant`, from
     * memory or from `render`. Its own strong ETag is `source`'s with `tag`
     * appended: distinct from the JSON's and from every other variant's.
     *
     * @example rendered.get(answer.etag, "card-auto", "card-auto-1", () => renderCardSvg(…))
     */
    get(source: string, variant: string, tag: string, render: () => string): Rendered {
      const key = `${source}|${variant}`;
      // Entries never expire by time: a new answer has a new ETag, and the bound evicts old ones.
      const known = memory.get(key, 0);
      if (known) return known;
      const rendered = { body: render(), etag: `"${source.replace(/^"|"$/g, "")}-${tag}"` };
      memory.set(key, rendered, rendered.body.length + key.length + 64, Number.POSITIVE_INFINITY);
      return rendered;
    },
  };
}

/** A cached 200's body, checked against our own payload schema (a tier could hold something odd). */
export function payloadOf<T>(answer: CachedAnswer, schema: z.ZodMiniType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    json = undefined;
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ProblemError("internal", "A cached answer could not be read.");
  return result.data;
}
