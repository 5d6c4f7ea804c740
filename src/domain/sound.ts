/**
 * One sound, as the detail endpoint serves it: what identifies an answer
 * (`clip_id`, `period`, `region`, validated and normalised, for the query string
 * and the webhook body alike) and the small, stable payload (field order here is
 * the order on the wire).
 */
import * as z from "zod/mini";
import { ProblemError } from "./problems";
import {
  clipId,
  DEFAULT_PERIOD,
  DEFAULT_REGION,
  DEFAULT_THEME,
  type Period,
  period,
  readParams,
  region,
  remembering,
  rememberingBy,
  type Theme,
  theme,
} from "./query";

export type SoundQuery = { clipId: string; period: Period; region: string };

const named = z.object({ name: z.string(), score: z.nullable(z.number()) });

/** A trend as every payload serves it: oldest first, one point per UTC day. */
export const trendSchema = z.array(z.object({ date: z.string(), value: z.number() }));

/** What every payload says about a sound, after its `clip_id`, in this order (the detail's and a chart row's). */
export const soundFieldSchemas = {
  song_id: z.nullable(z.string()),
  title: z.nullable(z.string()),
  author: z.nullable(z.string()),
  duration: z.nullable(z.number()),
  cover: z.nullable(z.string()),
  link: z.nullable(z.string()),
} as const;

/** The payload of a 200 answer. Field order here is the order on the wire. */
export const soundPayloadSchema = z.object({
  clip_id: z.string(),
  ...soundFieldSchemas,
  music_url: z.nullable(z.string()),
  region: z.nullable(z.string()),
  period: z.number(),
  rank: z.nullable(z.number()),
  rank_diff: z.nullable(z.number()),
  promoted: z.nullable(z.boolean()),
  popularity: z.nullable(z.object({ popular_days: z.nullable(z.number()), current: z.nullable(z.number()) })),
  trend: trendSchema,
  countries: z.array(z.object({ code: z.string(), name: z.string(), score: z.nullable(z.number()) })),
  interests: z.array(named),
  ages: z.array(named),
  videos: z.array(z.object({ id: z.string(), cover: z.nullable(z.string()) })),
  fetched_at: z.string(),
});

export type SoundPayload = z.infer<typeof soundPayloadSchema>;

/** The schema of each accepted query parameter, by its public name. */
export const soundQueryParams = { clip_id: clipId, period, region } as const;
/** The card's parameters: the detail endpoint's, plus `theme`. */
export const cardQueryParams = { ...soundQueryParams, theme } as const;
/** The embed page's query (its clip id is in the path). */
export const embedQueryParams = { period, region, theme } as const;

export type CardQuery = { sound: SoundQuery; theme: Theme };

/**
 * Reads `clip_id`, `period` and `region` from a query string, strictly: unknown,
 * repeated and empty parameters are errors too. Every problem is reported at once.
 *
 * @example parseSoundQuery(new URLSearchParams("clip_id=1&region=gb"))
 *   // → { clipId: "1", period: 7, region: "GB" }
 */
export function parseSoundQuery(search: URLSearchParams): SoundQuery {
  const values = readParams(search, soundQueryParams, { required: ["clip_id"] });
  return withDefaults({ clipId: values.clip_id as string, period: values.period, region: values.region });
}

/**
 * The card's query: the detail endpoint's parameters and rules, plus `theme`.
 *
 * @example parseCardQuery(new URLSearchParams("clip_id=1&theme=dark"))
 *   // → { sound: { clipId: "1", period: 7, region: "US" }, theme: "dark" }
 */
export function parseCardQuery(search: URLSearchParams): CardQuery {
  const values = readParams(search, cardQueryParams, { required: ["clip_id"] });
  return {
    sound: withDefaults({ clipId: values.clip_id as string, period: values.period, region: values.region }),
    theme: values.theme ?? DEFAULT_THEME,
  };
}

/**
 * The embed page's clip id (from its path) and query, with the same rules;
 * `clip_id` in the query is refused like any unknown parameter.
 *
 * @example parseEmbedQuery("6703723351497508865", new URLSearchParams("region=gb"))
 */
export function parseEmbedQuery(clipIdInPath: string, search: URLSearchParams): CardQuery {
  const values = readParams(
    search,
    { clip_id: clipId, ...embedQueryParams },
    { required: ["clip_id"], fixed: { clip_id: clipIdInPath } },
  );
  return {
    sound: withDefaults({ clipId: values.clip_id as string, period: values.period, region: values.region }),
    theme: values.theme ?? DEFAULT_THEME,
  };
}

/** A query whose optional parts fall back to the endpoint's defaults (the webhook uses the same). */
export function withDefaults(query: { clipId: string; period?: Period; region?: string }): SoundQuery {
  return { clipId: query.clipId, period: query.period ?? DEFAULT_PERIOD, region: query.region ?? DEFAULT_REGION };
}

/** `parseSoundQuery` for the raw query string, remembering valid ones. */
export const parseSoundQueryString = remembering(parseSoundQuery);
/** `parseCardQuery` for the raw query string, remembering valid ones. */
export const parseCardQueryString = remembering(parseCardQuery);

// Keyed `<clip id's length>:<clip id><query string>`: unambiguous whatever either part holds.
const embedQueries = rememberingBy((key) => {
  const colon = key.indexOf(":");
  const clipEnd = colon + 1 + Number(key.slice(0, colon));
  return parseEmbedQuery(key.slice(colon + 1, clipEnd), new URLSearchParams(key.slice(clipEnd)));
});

/** `parseEmbedQuery` for the path's clip id and the raw query string, remembering valid ones. */
export function parseEmbedQueryString(clipIdInPath: string, search: string): CardQuery {
  return embedQueries(`${clipIdInPath.length}:${clipIdInPath}${search}`);
}

/** What every surface says when KeyAPI has no such sound (a cached answer, not a failure). */
export function soundNotFound(query: SoundQuery): ProblemError {
  return new ProblemError(
    "sound-not-found",
    `KeyAPI has no trending sound with clip_id ${query.clipId} for period ${query.period} in region ${query.region}.`,
  );
}
