/**
 * KeyAPI's trending music detail (`GET /v1/tiktok/trending/music/detail`),
 * declared once: its upstream request, its cache key, and the trim of KeyAPI's
 * `data.sound` to our payload (src/domain/sound.ts).
 */
import * as z from "zod/mini";
import type { Endpoint, Trimmed } from "../domain/endpoint";
import { ANSWER_LIMITS } from "../domain/limits";
import { ProblemError } from "../domain/problems";
import type { SoundPayload, SoundQuery } from "../domain/sound";
import {
  boundedString,
  flag,
  id,
  listOf,
  num,
  orNull,
  soundFields,
  text,
  trendByDate,
  trendField,
  webUrl,
  wholeString,
} from "../keyapi/fields";

export const DETAIL_PATH = "/v1/tiktok/trending/music/detail";

const info = z.object({ label: z.optional(z.string()), value: boundedString });

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
  ...soundFields,
  music_url: webUrl,
  country_code: text,
  rank: num,
  rank_diff: num,
  promoted: flag,
  longevity,
  trend: trendField,
  audience_countries: listOf(country, ANSWER_LIMITS.listItems),
  audience_interests: listOf(interest, ANSWER_LIMITS.listItems),
  audience_ages: listOf(ageBucket, ANSWER_LIMITS.listItems),
  related_items: listOf(video, ANSWER_LIMITS.listItems),
});

export type UpstreamSound = z.output<typeof upstreamSoundSchema>;

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
    trend: trendByDate(sound.trend),
    countries: sound.audience_countries,
    interests: sound.audience_interests,
    ages: sound.audience_ages,
    videos: sound.related_items,
    fetched_at: fetchedAt.toISOString(),
  };
}

/**
 * The detail endpoint. Its cache key keeps the form it had before there were
 * other endpoints (`v1:<clip_id>:<period>:<region>`), so entries already in KV
 * stay valid across the change.
 */
export const detailEndpoint: Endpoint<SoundQuery> = {
  name: "detail",
  path: DETAIL_PATH,
  upstreamParams: (query) => [
    ["clip_id", query.clipId],
    ["period", String(query.period)],
    ["region", query.region],
  ],
  key: (query) => `${query.clipId}:${query.period}:${query.region}`,
  payloadFormat: "v1",
  trim(data, query, fetchedAt): Trimmed {
    const sound = data?.sound;
    if (sound === null || sound === undefined) return { found: false };
    if (typeof sound !== "object" || Array.isArray(sound)) {
      throw new ProblemError("upstream-error", "KeyAPI sent a sound of an unexpected shape.", { blame: "upstream" });
    }
    return { found: true, payload: trimSound(upstreamSoundSchema.parse(sound), query, fetchedAt) };
  },
};
