/**
 * KeyAPI's field shapes, read leniently and boundedly, shared by every
 * endpoint's trim (src/endpoints/): an odd or missing optional field becomes
 * null (or an empty list, or the item is dropped), so a change upstream
 * degrades one field instead of failing the whole answer; every list and
 * string is bounded (src/domain/limits.ts), whatever KeyAPI sends.
 */
import * as z from "zod/mini";
import { ANSWER_LIMITS } from "../domain/limits";
import { clipId } from "../domain/query";
import { boundedText } from "../domain/text";
import { utcDay } from "../domain/upstream";

export const orNull = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullable(schema), null);

/** Text, cut to its cap (whole code points, lone surrogates replaced). */
export const boundedString = z.pipe(
  z.string(),
  z.transform((value) => boundedText(value, ANSWER_LIMITS.textCodePoints)),
);
/** A string that is wrong when cut (a URL, an id): refused over `max`, and when it holds a lone surrogate. */
export const wholeString = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => value.isWellFormed()),
  );

export const text = orNull(boundedString);
export const num = orNull(z.number());
/** Ids arrive as strings, as numbers, or (when > 2^53) as exact strings from our JSON parser. */
export const id = orNull(
  z.union([
    wholeString(ANSWER_LIMITS.idLength),
    z.pipe(
      z.int(),
      z.transform((value) => String(value)),
    ),
  ]),
);
/** Links end up in `href`/`src` attributes of other people's pages: http(s) only. */
export const webUrl = orNull(wholeString(ANSWER_LIMITS.urlLength).check(z.regex(/^https?:\/\/[^\s]+$/i)));

/**
 * A list whose unreadable items are dropped, and which is empty when missing;
 * reading stops at `max` items, so a huge list costs no more than its head.
 */
export const listOf = <T>(item: z.ZodMiniType<T>, max = Number.POSITIVE_INFINITY) =>
  z.pipe(
    z.catch(z.array(z.unknown()), []),
    z.transform((items): T[] => {
      const kept: T[] = [];
      for (const candidate of items) {
        if (kept.length >= max) break;
        const result = item.safeParse(candidate);
        if (result.success) kept.push(result.data);
      }
      return kept;
    }),
  );

/** What KeyAPI says about a sound wherever it sends one (its detail, a row of its list), read the same way. */
export const soundFields = {
  song_id: id,
  title: text,
  author: text,
  duration: num,
  cover: webUrl,
  link: webUrl,
} as const;

/** Clip ids end up in our own paths and links: digits only, as the query rules have them. */
export const clipIdField = orNull(z.pipe(id, clipId));

export const flag = orNull(z.boolean());

/** One point of a `trend`: Unix seconds (within years 1970–9999) and a value. */
export const trendPoint = z.object({
  time: z.number().check(z.minimum(0), z.maximum(253_402_300_799)),
  value: z.number(),
});

/** Every point is read: KeyAPI's order is not trusted, and the newest are kept (`trendByDate`). */
export const trendField = listOf(trendPoint);

/** A trend as we serve it: sorted by time, the newest `ANSWER_LIMITS.trendPoints`, dated by UTC day. */
export function trendByDate(points: readonly { time: number; value: number }[]): { date: string; value: number }[] {
  return points
    .toSorted((a, b) => a.time - b.time)
    .slice(-ANSWER_LIMITS.trendPoints)
    .map(({ time, value }) => ({ date: utcDay(time * 1000), value }));
}
