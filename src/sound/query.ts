/**
 * What identifies one sound answer: `(clip_id, period, region)`, validated and
 * normalised. The same rules serve the query string and the webhook body, and
 * only values that passed them are ever sent upstream or used as a cache key.
 */
import * as z from "zod/mini";
import { type ParamError, ProblemError } from "../domain/problems";
import { REGION_CODES } from "./regions";

export const PERIODS = [7, 30, 120] as const;
export type Period = (typeof PERIODS)[number];

export type SoundQuery = { clipId: string; period: Period; region: string };

export const DEFAULT_PERIOD: Period = 7;
export const DEFAULT_REGION = "US";

const clipId = z.string().check(z.regex(/^[0-9]{1,20}$/, "must be 1 to 20 decimal digits (0-9)"));

const period = z.pipe(
  z.enum(["7", "30", "120"], "must be one of 7, 30 or 120"),
  z.transform((value) => Number(value) as Period),
);

const region = z.pipe(
  z.string().check(z.regex(/^[A-Za-z]{2}$/, "must be a two-letter ISO 3166-1 country code")),
  z.transform((value, ctx) => {
    const code = value.toUpperCase();
    if (!REGION_CODES.has(code)) {
      ctx.issues.push({ code: "custom", message: "is not an ISO 3166-1 country code", input: value });
      return z.NEVER;
    }
    return code;
  }),
);

/** The schema of each accepted query parameter, by its public name. */
export const soundQueryParams = { clip_id: clipId, period, region } as const;
type ParamName = keyof typeof soundQueryParams;

const MAX_ECHOED_NAME = 64;

/**
 * Reads `clip_id`, `period` and `region` from a query string, strictly: unknown,
 * repeated and empty parameters are errors too. Every problem is reported at once.
 *
 * @example parseSoundQuery(new URLSearchParams("clip_id=1&region=gb"))
 *   // → { clipId: "1", period: 7, region: "GB" }
 */
export function parseSoundQuery(search: URLSearchParams): SoundQuery {
  const errors: ParamError[] = [];
  const values = new Map<ParamName, string>();
  const repeated = new Set<string>();

  for (const [name, value] of search) {
    if (!Object.hasOwn(soundQueryParams, name)) {
      errors.push({ param: name.slice(0, MAX_ECHOED_NAME), message: "is not a known parameter" });
    } else if (values.has(name as ParamName)) {
      if (!repeated.has(name)) errors.push({ param: name, message: "must be given only once" });
      repeated.add(name);
    } else {
      values.set(name as ParamName, value);
    }
  }

  const read = <T>(name: ParamName, schema: z.ZodMiniType<T, string>): T | undefined => {
    const value = values.get(name);
    if (value === undefined || repeated.has(name)) return undefined;
    if (value === "") {
      errors.push({ param: name, message: "must not be empty" });
      return undefined;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    errors.push({ param: name, message: result.error.issues[0]?.message ?? "is invalid" });
    return undefined;
  };

  const query = {
    clipId: read("clip_id", clipId),
    period: read("period", period),
    region: read("region", region),
  };
  if (!values.has("clip_id")) errors.push({ param: "clip_id", message: "is required" });

  if (errors.length > 0) {
    const names = [...new Set(errors.map((error) => error.param))].join(", ");
    throw new ProblemError("invalid-query", `Invalid query parameters: ${names}.`, { errors });
  }
  return withDefaults({ ...query, clipId: query.clipId as string });
}

/** A query whose optional parts fall back to the endpoint's defaults (the webhook uses the same). */
export function withDefaults(query: { clipId: string; period?: Period; region?: string }): SoundQuery {
  return { clipId: query.clipId, period: query.period ?? DEFAULT_PERIOD, region: query.region ?? DEFAULT_REGION };
}

const parsedQueries = new Map<string, SoundQuery>();
const PARSED_QUERIES_MAX = 512;

/**
 * `parseSoundQuery` for the raw query string, remembering valid ones: a hot
 * key's query is parsed once per isolate, not once per hit. Bounded; invalid
 * queries are never remembered.
 */
export function parseSoundQueryString(search: string): SoundQuery {
  const known = parsedQueries.get(search);
  if (known) return known;
  const query = parseSoundQuery(new URLSearchParams(search));
  if (parsedQueries.size >= PARSED_QUERIES_MAX) parsedQueries.clear();
  parsedQueries.set(search, query);
  return query;
}
