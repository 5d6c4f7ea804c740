/**
 * KeyAPI's `data.sound` object and the small, stable payload we serve instead.
 *
 * The upstream schema is lenient on purpose: an odd or missing optional field
 * becomes null (or an empty list, or the item is dropped), so a change upstream
 * degrades one field instead of failing the whole answer. It is strict about
 * sizes (limits.ts): every list and string is bounded, whatever KeyAPI sends.
 */
import * as z from "zod/mini";
import { boundedText } from "../util/code-points";
import { ANSWER_LIMITS } from "./limits";

// ---- what we serve ---------------------------------------------------------

const named = z.object({ name: z.string(), score: z.nullable(z.number()) });

/** The payload of a 200 answer. Field order here is the order on the wire. */
export const soundPayloadSchema = z.object({
  clip_id: z.string(),
  song_id: z.nullable(z.string()),
  title: z.nullable(z.string()),
  author: z.nullable(z.string()),
  duration: z.nullable(z.number()),
  cover: z.nullable(z.string()),
  link: z.nullable(z.string()),
  music_url: z.nullable(z.string()),
  region: z.nullable(z.string()),
  period: z.number(),
  rank: z.nullable(z.number()),
  rank_diff: z.nullable(z.number()),
  promoted: z.nullable(z.boolean()),
  popularity: z.nullable(z.object({ popular_days: z.nullable(z.number()), current: z.nullable(z.number()) })),
  trend: z.array(z.object({ date: z.string(), value: z.number() })),
  countries: z.array(z.object({ code: z.string(), name: z.string(), score: z.nullable(z.number()) })),
  interests: z.array(named),
  ages: z.array(named),
  videos: z.array(z.object({ id: z.string(), cover: z.nullable(z.string()) })),
  fetched_at: z.string(),
});

export type SoundPayload = z.infer<typeof soundPayloadSchema>;

// ---- what KeyAPI sends -----------------------------------------------------

const orNull = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullable(schema), null);

/** Text, cut to its cap (whole code points, lone surrogates replaced). */
const boundedString = z.pipe(
  z.string(),
  z.transform((value) => boundedText(value, ANSWER_LIMITS.textCodePoints)),
);
/** A string that is wrong when cut (a URL, an id): refused over `max`, and when it holds a lone surrogate. */
const wholeString = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => value.isWellFormed()),
  );

const text = orNull(boundedString);
const num = orNull(z.number());
/** Ids arrive as strings, as numbers, or (when > 2^53) as exact strings from our JSON parser. */
const id = orNull(
  z.union([
    wholeString(ANSWER_LIMITS.idLength),
    z.pipe(
      z.int(),
      z.transform((value) => String(value)),
    ),
  ]),
);
/** Links end up in `href`/`src` attributes of other people's pages: http(s) only. */
const webUrl = orNull(wholeString(ANSWER_LIMITS.urlLength).check(z.regex(/^https?:\/\/[^\s]+$/i)));

/**
 * A list whose unreadable items are dropped, and which is empty when missing;
 * reading stops at `max` items, so a huge list costs no more than its head.
 */
const listOf = <T>(item: z.ZodMiniType<T>, max = Number.POSITIVE_INFINITY) =>
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

const info = z.object({ label: z.optional(z.string()), value: boundedString });

const trendPoint = z.pipe(
  z.object({ time: z.number().check(z.minimum(0), z.maximum(253_402_300_799)), value: z.number() }),
  z.transform(({ time, value }) => ({ time, value })),
);

const country = z.pipe(
  z.object({ country_info: z.object({ label: boundedString, value: boundedString }), score: num }),
  z.transform(({ country_info, score }) => ({ code: country_info.label, name: country_info.value, score })),
);

const interest = z.pipe(
  z.object({ interest_info: info, score: num }),
  z.transform(({ interest_info, score }) => ({ name: interest_info.value, score })),
);

/** Age buckets come as `{ <something>_info: { value }, score }`; the key's prefix varies. */
const ageBucket = z.pipe(
  z.record(z.string(), z.unknown()),
  z.transform((item, ctx) => {
    for (const [key, value] of Object.entries(item)) {
      if (!key.endsWith("_info")) continue;
      const parsed = info.safeParse(value);
      if (parsed.success) return { name: parsed.data.value, score: num.parse(item.score) };
    }
    ctx.issues.push({ code: "custom", message: "no *_info", input: item });
    return z.NEVER;
  }),
);

const video = z.pipe(
  // `cover_uri` is passed as KeyAPI sends it (not only http(s)), but like every URL it is never cut.
  z.object({ item_id: z.pipe(id, z.string()), cover_uri: orNull(wholeString(ANSWER_LIMITS.urlLength)) }),
  z.transform(({ item_id, cover_uri }) => ({ id: item_id, cover: cover_uri })),
);

const longevity = orNull(
  z.pipe(
    z.object({ popular_days: num, current_popularity: num }),
    z.transform((value) => ({ popular_days: value.popular_days, current: value.current_popularity })),
  ),
);

/** `data.sound` as KeyAPI documents it, minus what we drop (likes, flags, internal ids). */
export const upstreamSoundSchema = z.object({
  clip_id: id,
  song_id: id,
  title: text,
  author: text,
  duration: num,
  cover: webUrl,
  link: webUrl,
  music_url: webUrl,
  country_code: text,
  rank: num,
  rank_diff: num,
  promoted: orNull(z.boolean()),
  longevity,
  // Every point is read: the newest are kept (trimSound), and KeyAPI's order is not trusted.
  trend: listOf(trendPoint),
  audience_countries: listOf(country, ANSWER_LIMITS.listItems),
  audience_interests: listOf(interest, ANSWER_LIMITS.listItems),
  audience_ages: listOf(ageBucket, ANSWER_LIMITS.listItems),
  related_items: listOf(video, ANSWER_LIMITS.listItems),
});

export type UpstreamSound = z.output<typeof upstreamSoundSchema>;

const utcDay = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/**
 * Trims KeyAPI's sound to our payload. Never throws: `upstreamSoundSchema`
 * already turned every odd field into null or an empty list.
 */
export function trimSound(
  sound: UpstreamSound,
  request: { clipId: string; period: number },
  fetchedAt: Date,
): SoundPayload {
  return {
    clip_id: sound.clip_id ?? request.clipId,
    song_id: sound.song_id,
    title: sound.title,
    author: sound.author,
    duration: sound.duration,
    cover: sound.cover,
    link: sound.link,
    music_url: sound.music_url,
    region: sound.country_code,
    period: request.period,
    rank: sound.rank,
    rank_diff: sound.rank_diff,
    promoted: sound.promoted,
    popularity: sound.longevity,
    trend: sound.trend
      .toSorted((a, b) => a.time - b.time)
      .slice(-ANSWER_LIMITS.trendPoints)
      .map(({ time, value }) => ({ date: utcDay(time), value })),
    countries: sound.audience_countries,
    interests: sound.audience_interests,
    ages: sound.audience_ages,
    videos: sound.related_items,
    fetched_at: fetchedAt.toISOString(),
  };
}
