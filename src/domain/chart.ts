/**
 * A trending chart (KeyAPI's "Trending Music" list): the client's query and its
 * rules, the payload we serve, and the canonical paging that maps any window a
 * client asks for onto KeyAPI's fixed pages, so that varying `page` and `limit`
 * can never multiply paid calls.
 */
import * as z from "zod/mini";
import {
  type CrossRule,
  countParam,
  DEFAULT_PERIOD,
  DEFAULT_REGION,
  type ParamValues,
  type Period,
  period,
  readParams,
  region,
  remembering,
} from "./query";
import { soundFieldSchemas, trendSchema } from "./sound";

/** What selects a chart, whatever part of it is wanted. */
export type ChartFilter = {
  region: string;
  period: Period;
  newToTop100: boolean;
  commercialMusic: boolean;
  /** Normalised (see `normaliseKeyword`); null: no search. */
  searchKeyword: string | null;
};

/** A client's window of a chart: `limit` sounds from position `(page - 1) × limit`. */
export type ChartQuery = ChartFilter & { page: number; limit: number };

/** One page of a chart as KeyAPI is asked for it: the unit that is fetched, cached and coordinated. */
export type ChartPageQuery = ChartFilter & { page: number; pageSize: number };

export const DEFAULT_CHART_LIMIT = 20;
/**
 * KeyAPI's largest page of the list, and the page size it is asked for unless
 * `KEYAPI_LIST_PAGE_SIZE` says less (one KeyAPI guide says some trending endpoints return at most 10).
 */
export const DEFAULT_LIST_PAGE_SIZE = 20;
export const MAX_CHART_LIMIT = 20;
/** `page × limit` may not exceed this: the deepest position a client can ask for. */
export const MAX_CHART_DEPTH = 200;
export const MAX_KEYWORD_LENGTH = 50;

const flag = z.pipe(
  z.enum(["true", "false"], "must be true or false"),
  z.transform((value) => value === "true"),
);

/**
 * NFKC, trimmed, inner whitespace collapsed to one space: the form that is
 * validated, sent to KeyAPI, echoed and used in the cache key, so spellings
 * that mean the same search share one answer.
 *
 * @example normaliseKeyword("  ｌｏｖｅ \t song ") // → "love song"
 */
export function normaliseKeyword(raw: string): string {
  return raw.normalize("NFKC").trim().replace(/\s+/gu, " ");
}

const CONTROL = /\p{Cc}/u;

const searchKeyword = z.pipe(
  z.string(),
  z.transform((raw, ctx) => {
    const keyword = normaliseKeyword(raw);
    const length = [...keyword].length;
    let message: string | undefined;
    if (length < 1 || length > MAX_KEYWORD_LENGTH) message = `must be 1 to ${MAX_KEYWORD_LENGTH} characters`;
    else if (CONTROL.test(keyword)) message = "must not contain control characters";
    // KeyAPI reads `search_keyword=FALSE` as "no search": a search for that word cannot be asked for.
    else if (keyword.toLowerCase() === "false") message = "must not be false (leave it out for no search)";
    if (message) {
      ctx.issues.push({ code: "custom", message, input: raw });
      return z.NEVER;
    }
    return keyword;
  }),
);

/** The schema of each parameter of `GET /v1/tiktok/trending/music`, by its public name. */
export const chartQueryParams = {
  period,
  region,
  page: countParam(MAX_CHART_DEPTH, `must be a whole number from 1 to ${MAX_CHART_DEPTH}, without leading zeros`),
  limit: countParam(MAX_CHART_LIMIT),
  new_to_top_100: flag,
  commercial_music: flag,
  search_keyword: searchKeyword,
} as const;

type ChartParamValues = ParamValues<typeof chartQueryParams>;

/** The window the parameters ask for, defaults filled in. */
const windowOf = (values: ChartParamValues) => ({
  page: values.page ?? 1,
  limit: values.limit ?? DEFAULT_CHART_LIMIT,
});

/**
 * `page × limit` over `MAX_CHART_DEPTH` names both, beside any other problem,
 * once both are known: given and valid, or left to their defaults.
 */
const depthRule: CrossRule<typeof chartQueryParams> = (values, refused) => {
  if (refused.has("page") || refused.has("limit")) return [];
  const { page, limit } = windowOf(values);
  if (page * limit <= MAX_CHART_DEPTH) return [];
  const message = `page × limit must be at most ${MAX_CHART_DEPTH}`;
  return [
    { param: "page", message },
    { param: "limit", message },
  ];
};

/**
 * Reads the list endpoint's query strictly, like the detail endpoint's: unknown,
 * repeated and empty parameters and every broken rule are reported at once.
 *
 * @example parseChartQuery(new URLSearchParams("region=gb&limit=5"))
 *   // → { region: "GB", period: 7, newToTop100: false, commercialMusic: false, searchKeyword: null, page: 1, limit: 5 }
 */
export function parseChartQuery(search: URLSearchParams): ChartQuery {
  const values = readParams(search, chartQueryParams, { across: depthRule });
  return {
    region: values.region ?? DEFAULT_REGION,
    period: values.period ?? DEFAULT_PERIOD,
    newToTop100: values.new_to_top_100 ?? false,
    commercialMusic: values.commercial_music ?? false,
    searchKeyword: values.search_keyword ?? null,
    ...windowOf(values),
  };
}

/** `parseChartQuery` for the raw query string, remembering valid ones. */
export const parseChartQueryString = remembering(parseChartQuery);

// ---- what we serve ---------------------------------------------------------

/** One sound of a chart; the fields it shares with the detail payload follow the same rules. */
export const chartSoundSchema = z.object({
  rank: z.nullable(z.number()),
  rank_diff: z.nullable(z.number()),
  clip_id: z.string(),
  ...soundFieldSchemas,
  promoted: z.nullable(z.boolean()),
  commercial: z.nullable(z.boolean()),
  trend: trendSchema,
});

export type ChartSound = z.infer<typeof chartSoundSchema>;

/** The payload of a 200 answer. Field order here is the order on the wire. */
export const chartPayloadSchema = z.object({
  region: z.string(),
  period: z.number(),
  new_to_top_100: z.boolean(),
  commercial_music: z.boolean(),
  search_keyword: z.nullable(z.string()),
  page: z.int(),
  limit: z.int(),
  total: z.nullable(z.int()),
  has_more: z.boolean(),
  sounds: z.array(chartSoundSchema),
  fetched_at: z.string(),
});

export type ChartPayload = z.infer<typeof chartPayloadSchema>;

/**
 * One upstream page as every tier stores it: KeyAPI's pagination and the page's
 * sounds, already trimmed, each at its place (`null`: a row that could not be
 * read). Clients never see it; their window is cut from it.
 */
export const chartPageSchema = z.object({
  total: z.nullable(z.int()),
  has_more: z.nullable(z.boolean()),
  sounds: z.array(z.nullable(chartSoundSchema)),
});

export type ChartPage = z.infer<typeof chartPageSchema>;

// ---- canonical paging -------------------------------------------------------

/**
 * The upstream pages (of `pageSize`) that hold a client's window: one or two
 * for KeyAPI's 20 and a limit of at most 20. Every client window of a chart is
 * cut from these same pages, so the top 100 costs at most 100 / pageSize calls
 * however it is paged.
 *
 * @example upstreamPages({ page: 2, limit: 7 }, 20) // → [1] (positions 7–13)
 */
export function upstreamPages(window: { page: number; limit: number }, pageSize: number): number[] {
  const first = (window.page - 1) * window.limit;
  const last = first + window.limit - 1;
  const pages: number[] = [];
  for (let page = Math.floor(first / pageSize) + 1; page <= Math.floor(last / pageSize) + 1; page++) pages.push(page);
  return pages;
}

/**
 * The client's window from the upstream pages `upstreamPages` named. A sound
 * sits at its place on its page, so an unreadable row (`null`) leaves a gap
 * rather than shifting the sounds after it into another client's window.
 */
export function cutWindow(
  window: { page: number; limit: number },
  pageSize: number,
  pages: readonly { page: number; sounds: readonly (ChartSound | null)[] }[],
): ChartSound[] {
  const first = (window.page - 1) * window.limit;
  const sounds: ChartSound[] = [];
  for (const { page, sounds: places } of pages) {
    const start = (page - 1) * pageSize;
    for (let index = 0; index < Math.min(places.length, pageSize); index++) {
      const position = start + index;
      const sound = places[index];
      if (sound && position >= first && position < first + window.limit) sounds.push(sound);
    }
  }
  return sounds;
}
