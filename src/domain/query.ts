/**
 * Query strings, read strictly (`readParams`), and the parameters every
 * endpoint shares: `period`, `region`, `theme`, a clip id. Only values that
 * passed these rules are ever sent upstream or used in a cache key.
 */
import * as z from "zod/mini";
import { invalidInput, MAX_ECHOED_NAME, type ParamError } from "./problems";
import { REGION_CODES } from "./regions";
import { boundedText } from "./text";

export const PERIODS = [7, 30, 120] as const;
export type Period = (typeof PERIODS)[number];
/** What every refusal of a period says: "must be one of 7, 30 or 120". */
export const PERIOD_RULE = `must be one of ${PERIODS.slice(0, -1).join(", ")} or ${PERIODS.at(-1)}`;

export const DEFAULT_PERIOD: Period = 7;
export const DEFAULT_REGION = "US";

export const clipId = z.string().check(z.regex(/^[0-9]{1,20}$/, "must be 1 to 20 decimal digits (0-9)"));

/** Each period as a query spells it: "7", "30", "120". */
const PERIOD_SPELLINGS = PERIODS.map((days) => `${days}` as const);

export const period = z.pipe(
  z.enum(PERIOD_SPELLINGS, PERIOD_RULE),
  z.transform((value) => Number(value) as Period),
);

export const region = z.pipe(
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

/**
 * A whole number from 1 to `max`, written plainly (no sign, no leading zero, no decimals).
 *
 * @example countParam(20).parse("7") // → 7
 */
export function countParam(max: number, message = `must be a whole number from 1 to ${max}`) {
  return z.pipe(
    z.string().check(z.regex(/^[1-9][0-9]{0,5}$/, message)),
    z.pipe(z.transform(Number), z.number().check(z.maximum(max, message))),
  );
}

/** How a rendered card or embed page is coloured; `auto` follows the viewer's `prefers-color-scheme`. */
export const THEMES = ["auto", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const DEFAULT_THEME: Theme = "auto";

export const theme = z.enum(THEMES, "must be one of light, dark or auto");

export type ParamSchemas = Record<string, z.ZodMiniType<unknown, string>>;
export type ParamValues<S extends ParamSchemas> = { [K in keyof S]?: z.output<S[K]> };

/**
 * A rule across parameters (`page × limit`): given the values read and the
 * names that broke a rule of their own, the problems it finds. It decides
 * itself what it needs: a parameter that was refused is not in `values`.
 */
export type CrossRule<S extends ParamSchemas> = (values: ParamValues<S>, refused: ReadonlySet<string>) => ParamError[];

/**
 * Reads the parameters `schemas` names from a query string, strictly: unknown
 * (unless told to ignore them), repeated and empty parameters are errors too,
 * and so is a missing `required` one. `fixed` values come from elsewhere (the path) and follow the same rules,
 * but may not appear in the query. Every problem is reported at once, `across`'s too.
 */
export function readParams<S extends ParamSchemas>(
  search: URLSearchParams,
  schemas: S,
  options: {
    required?: (keyof S & string)[];
    fixed?: Partial<Record<keyof S & string, string>>;
    /** `ignore` for protocols whose clients add parameters of their own (oEmbed). */
    unknown?: "refuse" | "ignore";
    across?: CrossRule<S>;
  } = {},
): ParamValues<S> {
  const errors: ParamError[] = [];
  const fixed: Partial<Record<string, string>> = options.fixed ?? {};
  const values = new Map<string, string>(Object.entries(fixed) as [string, string][]);
  const repeated = new Set<string>();
  const unknown = new Set<string>();

  for (const [name, value] of search) {
    if (!Object.hasOwn(schemas, name) || Object.hasOwn(fixed, name)) {
      if (options.unknown === "ignore") continue;
      const echoed = boundedText(name, MAX_ECHOED_NAME);
      if (!unknown.has(echoed)) errors.push({ param: echoed, message: "is not a known parameter" });
      unknown.add(echoed);
    } else if (values.has(name)) {
      if (!repeated.has(name)) errors.push({ param: name, message: "must be given only once" });
      repeated.add(name);
    } else {
      values.set(name, value);
    }
  }

  const parsed: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const value = values.get(name);
    if (value === undefined || repeated.has(name)) continue;
    if (value === "") {
      errors.push({ param: name, message: "must not be empty" });
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) parsed[name] = result.data;
    else errors.push({ param: name, message: result.error.issues[0]?.message ?? "is invalid" });
  }
  for (const name of options.required ?? []) {
    if (!values.has(name)) errors.push({ param: name, message: "is required" });
  }
  if (options.across) {
    errors.push(...options.across(parsed as ParamValues<S>, new Set(errors.map((error) => error.param))));
  }

  if (errors.length > 0) throw invalidInput("invalid-query", "Invalid query parameters", errors);
  return parsed as ParamValues<S>;
}

const PARSED_QUERIES_MAX = 512;

/**
 * A parser for raw query strings that remembers valid ones: a hot key's query
 * is parsed once per isolate, not once per hit. Bounded; invalid queries
 * (which throw) are never remembered.
 */
export function remembering<T>(parse: (search: URLSearchParams) => T): (search: string) => T {
  return rememberingBy((search) => parse(new URLSearchParams(search)));
}

/** The memo behind `remembering`, for a parser of any string key (one that also holds a path's part). */
export function rememberingBy<T>(parse: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    const remembered = known.get(key);
    if (remembered) return remembered;
    const parsed = parse(key);
    if (known.size >= PARSED_QUERIES_MAX) known.clear();
    known.set(key, parsed);
    return parsed;
  };
}
