/**
 * The OpenAPI 3.1 document, generated from the schemas the worker validates
 * with and the list of problem kinds it answers with.
 *
 * The worker does not import this module (its bundle stays small): `npm run
 * openapi` writes the document to public/openapi.json, served as a static
 * asset, and test/node/openapi.test.ts fails when that file and this builder
 * disagree.
 */
import * as z from "zod/mini";
import { description, name, version } from "../package.json";
import { CACHE_STATUSES, TIERS } from "./cache/tiered-cache";
import { ALERT_EVENT_TYPE, BUDGET_THRESHOLDS } from "./domain/budget-alerts";
import {
  chartPayloadSchema,
  DEFAULT_CHART_LIMIT,
  MAX_CHART_DEPTH,
  MAX_CHART_LIMIT,
  MAX_KEYWORD_LENGTH,
} from "./domain/chart";
import { ENDPOINT_NAMES } from "./domain/endpoint";
import { MAX_LISTED_ERRORS, type ProblemDetails, type ProblemKind, problemKinds, problemType } from "./domain/problems";
import { DEFAULT_PERIOD, DEFAULT_REGION, DEFAULT_THEME, PERIODS } from "./domain/query";
import { cardQueryParams, soundPayloadSchema, soundQueryParams } from "./domain/sound";
import { CALL_OUTCOMES } from "./domain/upstream";
import { CARD_HEIGHT, CARD_WIDTH, ERROR_CARD_HEIGHT } from "./embed/card-svg";
import { CHART_PAGE_ROW_HEIGHT, chartPageHeight } from "./embed/chart-page";
import { CHART_CARD, CHART_PAGE, CHART_PAGE_PATH, type ChartSurface } from "./embed/chart-query";
import { CHART_ROW_HEIGHT, chartCardHeight } from "./embed/chart-svg";
import {
  EMBED_PATH_PREFIX,
  MIN_EMBED_WIDTH,
  OEMBED_PATH,
  type OembedResponse,
  oembedQueryParams,
} from "./embed/oembed";
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS } from "./http/cors";
import { CARD_STATUS_HEADER, HTML_CONTENT_TYPE, SVG_CONTENT_TYPE } from "./http/embed-response";
import { CARD_SECURITY_HEADERS } from "./http/envelope";
import { EVERY_ROUTE_PROBLEMS, PROBLEM_CONTENT_TYPE } from "./http/problem";
import { RATE_LIMITED_ROUTE_PROBLEMS } from "./http/rate-limit";
import {
  type CountedOutcome,
  type DaySpend,
  type History,
  type Hours,
  KEEP_DAYS,
  KEEP_HOURS,
  type KeySpend,
  type Usage,
} from "./ledger/contract";
import {
  ADMIN_PROBLEMS,
  CONFIG_PATH,
  type ConfigAnswer,
  DEFAULT_HISTORY_DAYS,
  DEFAULT_HOURS,
  DEFAULT_KEYS_LIMIT,
  HISTORY_PATH,
  HOURS_PATH,
  KEYS_PATH,
  MAX_KEYS_LIMIT,
  USAGE_PATH,
} from "./routes/admin";
import { CARD_PATH } from "./routes/card";
import { CHART_PATH, CHART_PROBLEMS } from "./routes/chart";
import { CHART_CARD_PATH, CHART_CARD_PROBLEMS } from "./routes/chart-card";
import { CHART_PAGE_PROBLEMS } from "./routes/chart-page";
import { HEALTH_PROBLEMS } from "./routes/health";
import { OEMBED_PROBLEMS } from "./routes/oembed";
import { SOUND_PATH, SOUND_PROBLEMS } from "./routes/sound";
import { REPLAYED_HEADER, WEBHOOK_PATH, WEBHOOK_PROBLEMS } from "./routes/webhook";
import { MAX_WEBHOOK_BODY_BYTES, webhookBodySchema } from "./webhook/body";
import { DELIVERY_TTL_MS, MAX_CLOCK_SKEW_SECONDS } from "./webhook/signature";

type JsonObject = { [key: string]: unknown };

/** The body of every error. `ProblemDetails` is what the worker sends; the check below keeps the two equal. */
const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  request_id: z.string(),
  errors: z.optional(z.array(z.object({ param: z.string(), message: z.string() }))),
  errors_omitted: z.optional(z.int()),
});

const healthSchema = z.object({ status: z.literal("ok"), version: z.string() });

/** `GET /v1/admin/usage`'s body; the check below keeps it equal to the ledger's `Usage`. */
const usageSchema = z.object({
  date: z.string(),
  credits_spent: z.int(),
  credit_budget: z.nullable(z.int()),
  credits_left: z.nullable(z.int()),
  upstream_calls: z.int(),
  resets_at: z.string(),
});

const countedOutcomes = [...CALL_OUTCOMES, "unknown"] as const;
const spendSchema = z.object({ calls: z.int(), credits: z.int() });

/** One day of `GET /v1/admin/usage/history`; checked below against the ledger's `DaySpend`. */
const daySpendSchema = z.object({
  date: z.string(),
  credits_spent: z.int(),
  upstream_calls: z.int(),
  outcomes: z.object({ "2xx": z.int(), "4xx": z.int(), "5xx": z.int(), none: z.int(), unknown: z.int() }),
  by_endpoint: z.object({ detail: spendSchema, list: spendSchema }),
});
const historySchema = z.object({ credit_budget: z.nullable(z.int()), days: z.array(daySpendSchema) });
const keySpendSchema = z.object({
  endpoint: z.enum(ENDPOINT_NAMES),
  key: z.string(),
  calls: z.int(),
  credits: z.int(),
  last_outcome: z.enum(countedOutcomes),
});
const hoursSchema = z.object({
  hours: z.array(z.object({ hour: z.string(), credits_spent: z.int(), upstream_calls: z.int() })),
});
const configSchema = z.object({
  version: z.string(),
  credit_budget: z.nullable(z.int()),
  credits_per_call: z.int(),
  fresh_ttl_seconds: z.int(),
  stale_ttl_seconds: z.int(),
  negative_ttl_seconds: z.int(),
  upstream_timeout_ms: z.int(),
  warm_clip_ids: z.array(z.string()),
  warm_charts: z.array(z.string()),
  list_page_size: z.int(),
  budget_alerts: z.object({ webhook: z.boolean(), signed: z.boolean(), thresholds: z.array(z.number()) }),
});

/** The oEmbed answer; not in the worker (its bundle stays small), checked against `OembedResponse` below. */
const oembedResponseSchema = z.object({
  version: z.literal("1.0"),
  type: z.literal("rich"),
  provider_name: z.string(),
  provider_url: z.string(),
  title: z.string(),
  author_name: z.optional(z.string()),
  html: z.string(),
  width: z.int(),
  height: z.int(),
  thumbnail_url: z.optional(z.string()),
  thumbnail_width: z.optional(z.int()),
  thumbnail_height: z.optional(z.int()),
  cache_age: z.int(),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const problemSchemaMatches: Same<z.infer<typeof problemSchema>, ProblemDetails> = true;
void problemSchemaMatches;
const usageSchemaMatches: Same<z.infer<typeof usageSchema>, Usage> = true;
void usageSchemaMatches;
const oembedSchemaMatches: Same<z.infer<typeof oembedResponseSchema>, OembedResponse> = true;
void oembedSchemaMatches;
const ledgerSchemasMatch: [
  Same<z.infer<typeof daySpendSchema>, DaySpend>,
  Same<z.infer<typeof historySchema>, History>,
  Same<z.infer<typeof keySpendSchema>, KeySpend>,
  Same<z.infer<typeof hoursSchema>, Hours>,
  Same<z.infer<typeof configSchema>, ConfigAnswer>,
  Same<(typeof countedOutcomes)[number], CountedOutcome>,
] = [true, true, true, true, true, true];
void ledgerSchemasMatch;

/** Statuses whose problems say when to come back. */
const RETRY_STATUSES = new Set([409, 429, 503]);

function jsonSchema(schema: z.ZodMiniType, io: "input" | "output" = "output"): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12" }) as JsonObject;
  return rest;
}

const ref = (kind: "schemas" | "headers", name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** An object schema whose `period` is the one `Period` enum. */
function withPeriod(schema: JsonObject): JsonObject {
  const properties = schema.properties as JsonObject;
  return { ...schema, properties: { ...properties, period: ref("schemas", "Period") } };
}

/**
 * The webhook body as documented: `period` the integer enum like everywhere else (the worker also takes
 * the query's string form, "7", from senders built before this document said so).
 */
function webhookRequestSchema(): JsonObject {
  const body = jsonSchema(webhookBodySchema, "input") as { properties: { items: JsonObject } };
  const items = body.properties.items;
  return {
    ...body,
    properties: { ...body.properties, items: { ...items, items: withPeriod(items.items as JsonObject) } },
  };
}

const headers = {
  "X-Request-Id": {
    description: "The request's id; equals `request_id` in problem bodies. A caller's own short token is kept.",
    schema: { type: "string" },
  },
  ETag: {
    description: "Validator of this answer; send it back as `If-None-Match` to get a 304.",
    schema: { type: "string" },
  },
  "X-Cache": {
    description:
      "`HIT`: a fresh cached copy; `MISS`: KeyAPI was asked for this request; `STALE`: a stale copy, served while one background refresh runs.",
    schema: { type: "string", enum: [...CACHE_STATUSES] },
  },
  "Server-Timing": {
    description: `Where the answer came from (\`cache;desc="${TIERS.join("|")}"\`) and, when KeyAPI was asked, \`upstream;dur=<ms>\`.`,
    schema: { type: "string" },
  },
  [CARD_STATUS_HEADER]: {
    description:
      "The status the JSON endpoint gives for the same query: `200`, or the error's. Errors are drawn as small " +
      "cards with HTTP 200 (403 for a refused origin, as the API), because image proxies (GitHub's camo) show only 2xx images.",
    schema: { type: "integer" },
  },
  Age: { description: "Seconds since the answer was fetched from KeyAPI.", schema: { type: "integer", minimum: 0 } },
  "Cache-Control": {
    description:
      "How long browsers and shared caches may reuse the answer, counted like `Age` from KeyAPI's answer (RFC 9111): " +
      "`public, max-age=<Age + seconds it may be reused from now, at most 300>, stale-while-revalidate=<s>, " +
      "stale-if-error=<s>`, so `max-age` − `Age` is what is left; a stale answer says `max-age=0`, and both stale " +
      "windows end when the copy can no longer be served. A cached `sound-not-found`: `public, max-age=<Age + seconds " +
      "left>`. Otherwise `no-store`.",
    schema: { type: "string" },
  },
  Vary: {
    description:
      "`Host` on the embed pages and oEmbed when `PUBLIC_URL` is not set (their links follow the request's host); " +
      "`Origin` when `ALLOWED_ORIGINS` is a list.",
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before asking again.",
    schema: { type: "integer", minimum: 1 },
  },
} satisfies Record<string, JsonObject>;

/** Headers some statuses carry besides the ones every problem does (a cached 404's, a 401's challenge). */
type HeadersByStatus = Partial<Record<number, JsonObject>>;

/**
 * One response per status for `kinds`, with the headers every problem carries and `extra` ones;
 * `body` says what the response holds for the kinds of one status.
 */
function responsesByStatus(
  kinds: readonly ProblemKind[],
  body: (status: number, group: ProblemKind[]) => { description: string; content: JsonObject },
  extra: HeadersByStatus = {},
): Record<string, JsonObject> {
  const byStatus = new Map<number, ProblemKind[]>();
  for (const kind of kinds) {
    const { status } = problemKinds[kind];
    byStatus.set(status, [...(byStatus.get(status) ?? []), kind]);
  }
  const responses: Record<string, JsonObject> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const responseHeaders: JsonObject = { "X-Request-Id": ref("headers", "X-Request-Id") };
    if (RETRY_STATUSES.has(status)) responseHeaders["Retry-After"] = ref("headers", "Retry-After");
    const { description, content } = body(status, group);
    responses[String(status)] = { description, headers: { ...responseHeaders, ...extra[status] }, content };
  }
  return responses;
}

/**
 * One response per status, listing every problem `type` that status can carry.
 * A new kind in `problemKinds` shows up here without touching this file.
 */
function problemResponses(kinds: readonly ProblemKind[], extra: HeadersByStatus = {}): Record<string, JsonObject> {
  return responsesByStatus(
    kinds,
    (_status, group) => ({
      description: group.map((kind) => `\`${kind}\`: ${problemKinds[kind].title}`).join("; "),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchemaFor(group) } },
    }),
    extra,
  );
}

/** The Problem schema narrowed to `kinds` (all of one status unless `status` is false). */
function problemSchemaFor(kinds: readonly ProblemKind[], status = true): JsonObject {
  const statuses = [...new Set(kinds.map((kind) => problemKinds[kind].status))];
  return {
    allOf: [
      ref("schemas", "Problem"),
      {
        properties: {
          type: { enum: kinds.map(problemType) },
          title: { enum: kinds.map((kind) => problemKinds[kind].title) },
          ...(status ? { status: { const: statuses[0] } } : { status: { enum: statuses } }),
        },
      },
    ],
  };
}

function queryParameter(
  name: keyof typeof cardQueryParams,
  description: string,
  fallback?: string | number,
): JsonObject {
  // One integer enum for `period` everywhere (query, payload, webhook); `period=7` is how a client sends 7.
  const schema = name === "period" ? ref("schemas", "Period") : jsonSchema(cardQueryParams[name], "input");
  return {
    name,
    in: "query",
    required: fallback === undefined,
    description,
    schema: fallback === undefined ? schema : { ...schema, default: fallback },
  };
}

const soundParameters = () => [
  queryParameter("clip_id", "The sound's clip id: 1 to 20 decimal digits, leading zeros kept."),
  queryParameter("period", "Trend period in days.", DEFAULT_PERIOD),
  queryParameter("region", "ISO 3166-1 alpha-2 country code, any case.", DEFAULT_REGION),
];

/** The chart's period and region, as the detail endpoint's. */
const periodAndRegion = () => [
  queryParameter("period", "Trend period in days.", DEFAULT_PERIOD),
  queryParameter("region", "ISO 3166-1 alpha-2 country code, any case.", DEFAULT_REGION),
];

/** The chart's filters, as a generated client sends them: booleans, not their strings. */
const chartFilters = () =>
  (["new_to_top_100", "commercial_music"] as const).map((name) => ({
    name,
    in: "query",
    required: false,
    description:
      name === "new_to_top_100" ? "Only sounds new to the top 100." : "Only sounds cleared for commercial use.",
    schema: { type: "boolean", default: false },
  }));

/** The list endpoint's query as a generated client sends it: integers and booleans, not their strings. */
const chartParameters = () => [
  ...periodAndRegion(),
  {
    name: "page",
    in: "query",
    required: false,
    description: `The window's page of \`limit\` sounds; \`page\` × \`limit\` at most ${MAX_CHART_DEPTH}.`,
    schema: { type: "integer", minimum: 1, maximum: MAX_CHART_DEPTH, default: 1 },
  },
  {
    name: "limit",
    in: "query",
    required: false,
    description: "Sounds per page.",
    schema: { type: "integer", minimum: 1, maximum: MAX_CHART_LIMIT, default: DEFAULT_CHART_LIMIT },
  },
  ...chartFilters(),
  {
    name: "search_keyword",
    in: "query",
    required: false,
    description:
      `A search: NFKC-normalised, trimmed, inner whitespace collapsed, then 1 to ${MAX_KEYWORD_LENGTH} characters ` +
      "without control characters; `false` (any case) is refused, since KeyAPI reads it as no search.",
    schema: { type: "string", minLength: 1, maxLength: MAX_KEYWORD_LENGTH },
  },
];

const themeParameter = () =>
  queryParameter(
    "theme",
    "Colours: `light`, `dark`, or `auto` (follows the viewer's `prefers-color-scheme` with an `@media` rule).",
    DEFAULT_THEME,
  );

const ifNoneMatch = {
  name: "If-None-Match",
  in: "header",
  required: false,
  description: "An `ETag` from an earlier answer; a 304 without body when it still matches.",
  schema: { type: "string" },
};

/** A chart embed's query: the chart (the list's rules), its top `limit` on this surface, and the theme. */
const chartEmbedParameters = (surface: ChartSurface) => [
  ...periodAndRegion(),
  ...chartFilters(),
  countParameter("limit", "How many of the chart's top sounds to show:", surface.maxLimit, surface.defaultLimit),
  themeParameter(),
  ifNoneMatch,
];

/** The embed page's errors: HTML pages with the status the JSON endpoint would give. */
function pageResponses(kinds: readonly ProblemKind[], extra: HeadersByStatus = {}): Record<string, JsonObject> {
  return responsesByStatus(
    kinds,
    (_status, group) => ({
      description: `An HTML page saying what happened (${group.map((kind) => problemKinds[kind].title).join("; ")}).`,
      content: { [HTML_CONTENT_TYPE]: { schema: { type: "string" } } },
    }),
    extra,
  );
}

/**
 * How callers prove who they are. An operation names the ones it accepts (any one
 * suffices); only the schemes some operation uses end up in the document.
 */
const securitySchemes = {
  standardWebhooks: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      "Standard Webhooks v1 (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256>` " +
      "(space-separated entries, any one valid) over `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed by " +
      "`WEBHOOK_SECRET` read as `whsec_<base64>`, with `webhook-id` and `webhook-timestamp` (Unix seconds).",
  },
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Webhook-Signature",
    description:
      '`X-Webhook-Signature: sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>.<raw body>")>` with ' +
      "`X-Webhook-Timestamp` (Unix seconds); the secret string itself is the key.",
  },
  adminToken: {
    type: "http",
    scheme: "bearer",
    description: "`Authorization: Bearer <ADMIN_TOKEN>`.",
  },
} satisfies Record<string, JsonObject>;

type SecuritySchemeName = keyof typeof securitySchemes;

type OperationSpec = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Schemes any one of which admits a caller; none for a public operation. */
  security?: SecuritySchemeName[];
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  /** Success (and 304) responses. */
  responses: Record<string, JsonObject>;
  /** The problems it can answer with, grouped by status into responses. */
  problems?: readonly ProblemKind[];
  /** Headers some of those problem statuses carry besides `X-Request-Id` and `Retry-After`. */
  problemHeaders?: HeadersByStatus;
  /** Responses that are not problem+json (static files). */
  otherErrors?: Record<string, JsonObject>;
};

/**
 * One operation with its security declaration (`[]` when public) and its problem
 * responses. Adding an endpoint is one call, e.g. with `security: ["adminToken"]`.
 */
function operation(spec: OperationSpec): JsonObject {
  const { security = [], problems = [], problemHeaders, otherErrors = {}, responses, ...rest } = spec;
  return {
    ...rest,
    security: security.map((scheme) => ({ [scheme]: [] })),
    responses: { ...responses, ...problemResponses(problems, problemHeaders), ...otherErrors },
  };
}

type PathItem = Record<string, JsonObject | JsonObject[]>;

/** A path item's operations (its other keys, such as `parameters`, are not). */
const operationsOf = (item: PathItem) =>
  Object.entries(item).filter((entry): entry is [string, JsonObject] => entry[0] !== "parameters");

/** The schemes the operations in `paths` name, for `components.securitySchemes`. */
function usedSecuritySchemes(paths: Record<string, PathItem>): JsonObject {
  const used = new Set(
    Object.values(paths).flatMap((item) =>
      operationsOf(item).flatMap(([, op]) => (op.security as JsonObject[]).flatMap((entry) => Object.keys(entry))),
    ),
  );
  return Object.fromEntries(Object.entries(securitySchemes).filter(([name]) => used.has(name)));
}

/** The same operation for HEAD: its responses' headers without their bodies. */
function headOf(get: JsonObject, operationId: string): JsonObject {
  const responses = Object.fromEntries(
    Object.entries(get.responses as Record<string, JsonObject>).map(([status, { content: _body, ...response }]) => [
      status,
      response,
    ]),
  );
  return {
    ...get,
    operationId,
    summary: `${get.summary} (headers only)`,
    description: "As GET, without a body.",
    responses,
  };
}

const staticFile = (name: string, summary: string, mediaType: string, schema: JsonObject, answer: string) => {
  const get = operation({
    operationId: `get${name}`,
    summary,
    tags: ["widget and docs"],
    responses: { "200": { description: answer, content: { [mediaType]: { schema } } } },
    otherErrors: {
      "4XX": {
        description:
          "A request Cloudflare refuses before the file is served (malformed, or a URL or headers over its limits); " +
          "not problem+json, since the worker never sees it.",
      },
    },
  });
  // Workers static assets answer HEAD like GET.
  return { get, head: headOf(get, `head${name}`) };
};

/** How a path answers a problem found before its route runs: problem+json, drawn as a card, or as a page. */
type ProblemStyle = "json" | "card" | "page";

/** One response for problems of `kinds`, whatever their status, in `style`. */
function anyStatusProblem(style: ProblemStyle, kinds: readonly ProblemKind[], description: string): JsonObject {
  const listed = kinds.map((kind) => `\`${kind}\``).join(", ");
  const headers = { "X-Request-Id": ref("headers", "X-Request-Id"), "Retry-After": ref("headers", "Retry-After") };
  if (style === "card") {
    return {
      description: `${description} (${listed}), drawn as a card: HTTP 200, or 403 for a refused origin, with \`${CARD_STATUS_HEADER}\`.`,
      headers: { ...headers, [CARD_STATUS_HEADER]: ref("headers", CARD_STATUS_HEADER) },
      content: { [SVG_CONTENT_TYPE]: { schema: { type: "string" } } },
    };
  }
  if (style === "page") {
    return {
      description: `${description} (${listed}), as an HTML page with the problem's status.`,
      headers,
      content: { [HTML_CONTENT_TYPE]: { schema: { type: "string" } } },
    };
  }
  return {
    description: `${description}: ${listed}.`,
    headers,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchemaFor(kinds, false) } },
  };
}

/** What src/app.ts does for the methods a path does not route, besides its own. */
type OtherMethods = {
  /** Names their operations: `head<Name>`, `options<Name>`, `put<Name>NotAllowed`, … */
  name: string;
  style: ProblemStyle;
  /** Problems found before the method is looked at: CORS, the URL's length, rate limits, configuration. */
  early: readonly ProblemKind[];
};

/** The order methods are listed in; not TRACE, which the platform refuses before any worker runs. */
const METHOD_ORDER = ["get", "head", "options", "put", "post", "delete", "patch"] as const;

const requestHeader = (name: string, description: string): JsonObject => ({
  name,
  in: "header",
  required: false,
  description,
  schema: { type: "string" },
});

/**
 * `item` with every method the worker answers on its path: HEAD as GET without a body, OPTIONS (204 with
 * `Allow`, or a CORS preflight's answer), and 405 with `Allow` for any other, as src/app.ts answers them, so a
 * validating proxy forwards them to the worker rather than answering them itself.
 */
function withEveryMethod(item: PathItem, spec: OtherMethods): PathItem {
  const own = operationsOf(item);
  const tags = own[0]?.[1].tags;
  const routed = new Set(own.map(([method]) => method));
  if (routed.has("get")) routed.add("head");
  const allow = [...METHOD_ORDER.filter((method) => routed.has(method)), "options"]
    .map((method) => method.toUpperCase())
    .join(", ");
  const allowHeader = {
    description: "The methods this path answers.",
    required: true,
    schema: { type: "string", enum: [allow] },
  };
  const { early, name, style } = spec;
  const generated: Record<string, JsonObject> = {
    options: {
      operationId: `options${name}`,
      summary: "Allowed methods, or the CORS preflight",
      description:
        `204 with \`Allow: ${allow}\`. A CORS preflight (\`Origin\` and \`Access-Control-Request-Method\`) is ` +
        "answered first: from an allowed origin 204 with `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers` " +
        "and `Access-Control-Max-Age`, from another 403.",
      tags,
      security: [],
      parameters: [
        requestHeader("Origin", "The page's origin, sent by browsers."),
        requestHeader("Access-Control-Request-Method", "Makes the request a CORS preflight (with `Origin`)."),
        requestHeader("Access-Control-Request-Headers", "The headers the page wants to send."),
      ],
      responses: {
        "204": {
          description: "The methods allowed here, or the CORS preflight's answer.",
          headers: {
            Allow: { ...allowHeader, required: false },
            "Access-Control-Allow-Methods": { schema: { type: "string", enum: [CORS_ALLOWED_METHODS.join(", ")] } },
            "Access-Control-Allow-Headers": { schema: { type: "string", enum: [CORS_ALLOWED_HEADERS.join(", ")] } },
            "Access-Control-Max-Age": { schema: { type: "integer", enum: [CORS_MAX_AGE_SECONDS] } },
            "X-Request-Id": ref("headers", "X-Request-Id"),
          },
        },
        "403": anyStatusProblem(style, ["origin-not-allowed"], "An `Origin` outside `ALLOWED_ORIGINS`"),
        default: anyStatusProblem(
          style,
          early.filter((kind) => kind !== "origin-not-allowed"),
          "A problem found before the method is looked at",
        ),
      },
    },
  };
  for (const method of METHOD_ORDER) {
    if (routed.has(method) || method === "options") continue;
    const withBody = method !== "head";
    const strip = (response: JsonObject) => {
      const { content: _body, ...headersOnly } = response;
      return withBody ? response : headersOnly;
    };
    generated[method] = {
      operationId: `${method}${name}NotAllowed`,
      summary: `${method.toUpperCase()} is not allowed`,
      description: `Answered 405 \`method-not-allowed\` with \`Allow: ${allow}\`; nothing else is done.`,
      tags,
      security: [],
      responses: {
        "405": strip({
          description: "`method-not-allowed`: Method not allowed",
          headers: { Allow: allowHeader, "X-Request-Id": ref("headers", "X-Request-Id") },
          content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchemaFor(["method-not-allowed"]) } },
        }),
        default: strip(anyStatusProblem(style, early, "A problem found before the method is looked at")),
      },
    };
  }
  if (item.get) generated.head = headOf(item.get as JsonObject, `head${name}`);
  const all: PathItem = { ...item, ...generated };
  const ordered: PathItem = item.parameters ? { parameters: item.parameters } : {};
  for (const method of METHOD_ORDER) if (all[method]) ordered[method] = all[method];
  return ordered;
}

/** This project's terms: not published under an open licence (an SPDX `LicenseRef-`, as SPDX has no id for it). */
const LICENSE = { name: "Proprietary: all rights reserved", identifier: "LicenseRef-Proprietary" };

const webhookHeader = (name: string, description: string, pattern: string): JsonObject => ({
  name,
  in: "header",
  required: false,
  description,
  schema: { type: "string", pattern },
});

/** A whole-number query parameter from 1 to `max`. */
function countParameter(name: string, description: string, max: number, fallback: number): JsonObject {
  return {
    name,
    in: "query",
    required: false,
    description: `${description} 1 to ${max}, written plainly (no sign, no leading zero).`,
    schema: { type: "integer", minimum: 1, maximum: max, default: fallback },
  };
}

/**
 * An operator's endpoint: bearer `ADMIN_TOKEN`, `no-store`, the admin problems,
 * and `invalid-query` unless it reads no query at all (`strictQuery: false`).
 */
function adminOperation(spec: {
  operationId: string;
  summary: string;
  description: string;
  parameters?: JsonObject[];
  answer: [description: string, schema: string];
  strictQuery?: false;
}): PathItem {
  const [description, schema] = spec.answer;
  const readsQuery = spec.strictQuery !== false;
  const get = operation({
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: ["operations"],
    security: ["adminToken"],
    parameters: spec.parameters,
    responses: {
      "200": {
        description,
        headers: {
          "Cache-Control": ref("headers", "Cache-Control"),
          "X-Request-Id": ref("headers", "X-Request-Id"),
        },
        content: { "application/json": { schema: ref("schemas", schema) } },
      },
    },
    problems: [...(readsQuery ? (["invalid-query"] as const) : []), ...ADMIN_PROBLEMS],
    problemHeaders: {
      401: {
        "WWW-Authenticate": {
          description: "The challenge: send the admin token as a Bearer token.",
          required: true,
          schema: { type: "string", enum: ['Bearer realm="admin"'] },
        },
      },
    },
  });
  return withEveryMethod(
    { get },
    { name: spec.operationId.replace(/^get/, ""), style: "json", early: RATE_LIMITED_ROUTE_PROBLEMS },
  );
}

/**
 * @example writeFileSync("public/openapi.json", `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`)
 */
export function buildOpenApiDocument(): JsonObject {
  const cardCsp = CARD_SECURITY_HEADERS.find(([name]) => name === "Content-Security-Policy")?.[1];
  const cacheHeadersOf200 = {
    ETag: ref("headers", "ETag"),
    "X-Cache": ref("headers", "X-Cache"),
    Age: ref("headers", "Age"),
    "Cache-Control": ref("headers", "Cache-Control"),
    "Server-Timing": ref("headers", "Server-Timing"),
    "X-Request-Id": ref("headers", "X-Request-Id"),
  };
  // A cached `sound-not-found` carries the headers of a cache hit.
  const cachedNotFound = {
    404: {
      "Cache-Control": ref("headers", "Cache-Control"),
      Age: ref("headers", "Age"),
      "X-Cache": ref("headers", "X-Cache"),
      "Server-Timing": ref("headers", "Server-Timing"),
    },
  };
  const varyByHost = { Vary: ref("headers", "Vary") };
  const windowMinutes = DELIVERY_TTL_MS / 60_000;

  /** A card's answers: the card, or a card drawing one of `kinds` (HTTP 200); its 304; a refused origin's 403. */
  const cardResponses = (kinds: readonly ProblemKind[]): Record<string, JsonObject> => ({
    "200": {
      description: `The card, or a card saying what went wrong (see \`${CARD_STATUS_HEADER}\`).`,
      headers: {
        [CARD_STATUS_HEADER]: {
          description: headers[CARD_STATUS_HEADER].description,
          schema: {
            type: "integer",
            enum: [200, ...new Set(kinds.map((kind) => problemKinds[kind].status))].sort((a, b) => a - b),
          },
        },
        ...cacheHeadersOf200,
        "Retry-After": ref("headers", "Retry-After"),
      },
      content: { [SVG_CONTENT_TYPE]: { schema: { type: "string" } } },
    },
    "304": {
      description: "Not modified: the card's `If-None-Match` validator still matches.",
      headers: {
        ETag: ref("headers", "ETag"),
        [CARD_STATUS_HEADER]: ref("headers", CARD_STATUS_HEADER),
        "X-Cache": ref("headers", "X-Cache"),
        Age: ref("headers", "Age"),
        "Cache-Control": ref("headers", "Cache-Control"),
        "X-Request-Id": ref("headers", "X-Request-Id"),
      },
    },
    "403": {
      description: "A browser `Origin` outside `ALLOWED_ORIGINS`: the same refusal, drawn as a card.",
      headers: {
        [CARD_STATUS_HEADER]: ref("headers", CARD_STATUS_HEADER),
        "X-Request-Id": ref("headers", "X-Request-Id"),
      },
      content: { [SVG_CONTENT_TYPE]: { schema: { type: "string" } } },
    },
  });
  /** An embed page's answers: the page and its 304 (errors are `pageResponses`). */
  const pageResponses200 = {
    "200": {
      description: "The page.",
      headers: { ...cacheHeadersOf200, ...varyByHost },
      content: { [HTML_CONTENT_TYPE]: { schema: { type: "string" } } },
    },
    "304": {
      description: "Not modified: the page's `If-None-Match` validator still matches.",
      headers: { ...cacheHeadersOf200, ...varyByHost },
    },
  };

  const paths: Record<string, PathItem> = {
    [SOUND_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getTrendingSoundDetail",
          summary: "A trending sound's detail",
          description:
            "Same path and query names as KeyAPI. Unknown, repeated and empty parameters are refused (400) " +
            "with one entry per parameter in `errors`.",
          tags: ["sounds"],
          parameters: [...soundParameters(), ifNoneMatch],
          responses: {
            "200": {
              description: "The sound.",
              headers: cacheHeadersOf200,
              content: { "application/json": { schema: ref("schemas", "SoundPayload") } },
            },
            "304": {
              description: "Not modified: the `If-None-Match` validator still matches.",
              headers: {
                ETag: ref("headers", "ETag"),
                "X-Cache": ref("headers", "X-Cache"),
                Age: ref("headers", "Age"),
                "Cache-Control": ref("headers", "Cache-Control"),
                "X-Request-Id": ref("headers", "X-Request-Id"),
              },
            },
          },
          problems: SOUND_PROBLEMS,
          problemHeaders: cachedNotFound,
        }),
      },
      { name: "TrendingSoundDetail", style: "json", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [CHART_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getTrendingChart",
          summary: "A trending chart (KeyAPI's Trending Music list)",
          description:
            "Same path and query names as KeyAPI. Whatever `page` and `limit` a client asks for, KeyAPI is asked " +
            "for the same pages of `KEYAPI_LIST_PAGE_SIZE` (20) sounds that cover the window (one or two; up to three at a page size under 20), cached " +
            "like any answer, and the window is cut from them: varying `page` and `limit` costs no extra call, and " +
            "the top 100 costs at most five. An empty chart is a 200 with `sounds: []`. Unknown, repeated and empty " +
            "parameters are refused (400) with one entry per parameter in `errors`.",
          tags: ["charts"],
          parameters: [...chartParameters(), ifNoneMatch],
          responses: {
            "200": {
              description: "The window of the chart.",
              headers: cacheHeadersOf200,
              content: { "application/json": { schema: ref("schemas", "ChartPayload") } },
            },
            "304": {
              description: "Not modified: the window's `If-None-Match` validator still matches.",
              headers: {
                ETag: ref("headers", "ETag"),
                "X-Cache": ref("headers", "X-Cache"),
                Age: ref("headers", "Age"),
                "Cache-Control": ref("headers", "Cache-Control"),
                "X-Request-Id": ref("headers", "X-Request-Id"),
              },
            },
          },
          problems: CHART_PROBLEMS,
        }),
      },
      { name: "TrendingChart", style: "json", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [WEBHOOK_PATH]: withEveryMethod(
      {
        post: operation({
          operationId: "refreshSounds",
          summary: "Refresh sounds now (signed webhook)",
          description:
            "Fetches each item from KeyAPI now, stores it in every cache tier and reports each outcome. " +
            "Signed with Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; these win when " +
            "both sets are present) or with `X-Webhook-Timestamp` and `X-Webhook-Signature`, " +
            `timestamps within ${MAX_CLOCK_SKEW_SECONDS} s of the worker's clock. Body at most ${MAX_WEBHOOK_BODY_BYTES} bytes. ` +
            "Each request is processed once, by its `webhook-id` (Standard Webhooks) or by its signed timestamp and " +
            `signature (legacy): for ${windowMinutes} minutes after, a copy gets the stored answer back ` +
            `(with \`${REPLAYED_HEADER}: true\`) and calls KeyAPI not at all, except for items that failed for a ` +
            "reason worth retrying (KeyAPI 5xx, 429, 401-403, a timeout, calls paused, the credit budget), which it " +
            "processes again. Without the `WEBHOOK_DELIVERIES` binding, both schemes are refused (503).",
          tags: ["sounds"],
          security: ["standardWebhooks", "webhookSignature"],
          parameters: [
            webhookHeader(
              "webhook-id",
              "Standard Webhooks: the message id, the same on every retry (1 to 256 visible ASCII characters).",
              "^[\\x21-\\x7e]{1,256}$",
            ),
            webhookHeader("webhook-timestamp", "Standard Webhooks: Unix seconds when it was signed.", "^\\d{1,12}$"),
            webhookHeader(
              "X-Webhook-Timestamp",
              "Legacy scheme: Unix seconds when the request was signed.",
              "^\\d{1,12}$",
            ),
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("schemas", "WebhookRequest") } },
          },
          responses: {
            "200": {
              description: "One result per item, in order.",
              headers: {
                "X-Request-Id": ref("headers", "X-Request-Id"),
                [REPLAYED_HEADER]: {
                  description:
                    "`true` when this is the stored answer to an earlier copy of the same request, with nothing processed again.",
                  schema: { type: "string", enum: ["true"] },
                },
              },
              content: { "application/json": { schema: ref("schemas", "WebhookResults") } },
            },
          },
          problems: WEBHOOK_PROBLEMS,
        }),
      },
      { name: "SoundRefresh", style: "json", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [USAGE_PATH]: adminOperation({
      operationId: "getCreditUsage",
      summary: "Today's KeyAPI credits (operator)",
      description:
        "Credits spent today (UTC) by all locations together, from the global ledger, against " +
        "`CREDIT_BUDGET_PER_DAY` (`credit_budget` and `credits_left` are null without a budget).",
      answer: ["Today's usage.", "Usage"],
      // Its answer and its tolerance of any query are as they were before the other admin endpoints.
      strictQuery: false,
    }),
    [HISTORY_PATH]: adminOperation({
      operationId: "getCreditHistory",
      summary: "KeyAPI credits per UTC day (operator)",
      description:
        `The last \`days\` UTC days up to today (the ledger keeps ${KEEP_DAYS}), oldest first, days without calls ` +
        "included: credits, calls, each call's outcome (KeyAPI's status class, `none` when no answer came, " +
        "`unknown` while its report is missing) and the split per KeyAPI endpoint.",
      parameters: [countParameter("days", "How many days, today included.", KEEP_DAYS, DEFAULT_HISTORY_DAYS)],
      answer: ["The days, oldest first.", "CreditHistory"],
    }),
    [KEYS_PATH]: adminOperation({
      operationId: "getCreditKeys",
      summary: "The keys that cost most on a day (operator)",
      description:
        "What cost money on one UTC day: each KeyAPI endpoint and key (`clip_id:period:region` for the detail " +
        "endpoint, as in the `upstream_call` log line) with its calls, credits and last call's outcome, most " +
        "credits first.",
      parameters: [
        {
          name: "date",
          in: "query",
          required: false,
          description: `A UTC day the ledger keeps (today and the ${KEEP_DAYS - 1} before it); today when absent.`,
          schema: { type: "string", format: "date" },
        },
        countParameter("limit", "How many keys at most.", MAX_KEYS_LIMIT, DEFAULT_KEYS_LIMIT),
      ],
      answer: ["The keys, most credits first.", "CreditKeys"],
    }),
    [HOURS_PATH]: adminOperation({
      operationId: "getCreditHours",
      summary: "KeyAPI credits per hour (operator)",
      description:
        `The last \`hours\` hours up to the current one (the ledger keeps ${KEEP_HOURS}), oldest first, hours ` +
        "without calls included: what the console's spend rate and end-of-day projection are drawn from.",
      parameters: [countParameter("hours", "How many hours, the current one included.", KEEP_HOURS, DEFAULT_HOURS)],
      answer: ["The hours, oldest first.", "CreditHours"],
    }),
    [CONFIG_PATH]: adminOperation({
      operationId: "getSpendConfiguration",
      summary: "The configuration that decides spend (operator)",
      description:
        "Freshness and stale windows, the daily budget, the warm lists (sounds as `clip_id:period:region`, charts " +
        "as `REGION:PERIOD`, page 1 of each kept fresh), the list's page size, the worker's version and whether budget " +
        `alerts (\`${ALERT_EVENT_TYPE}\` at ${BUDGET_THRESHOLDS.map((share) => `${share * 100} %`).join(", ")}) ` +
        "have a receiver and a signing key. Never a secret, and not the alert URL (it may hold one).",
      answer: ["The configuration.", "SpendConfiguration"],
    }),
    [CARD_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getSoundCard",
          summary: "A trending sound as an SVG card",
          description:
            `One self-contained SVG (${CARD_WIDTH}×${CARD_HEIGHT}) for READMEs, docs and newsletters: title, author, ` +
            "duration, region and period, the trend with its dates, the top 3 countries with their share and the top 3 " +
            "interests. Drawn from the same cached answer as the JSON endpoint (no extra KeyAPI call), with the same " +
            `caching headers and its own strong ETag. Sent with \`Content-Security-Policy: ${cardCsp}\`. Every error ` +
            `(invalid query, sound not found, rate limits, upstream failures, the credit budget) is a small card ` +
            `(${CARD_WIDTH}×${ERROR_CARD_HEIGHT}) with HTTP 200, \`${CARD_STATUS_HEADER}\` set to the JSON endpoint's ` +
            "status, and `Cache-Control: no-store` (a cached `sound not found` keeps the JSON's max-age of at most 300 s). " +
            "Only a browser `Origin` outside `ALLOWED_ORIGINS` gets a real 403, as from the API (an `<img>` sends none).",
          tags: ["embeds"],
          parameters: [...soundParameters(), themeParameter(), ifNoneMatch],
          responses: cardResponses(SOUND_PROBLEMS),
        }),
      },
      { name: "SoundCard", style: "card", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [CHART_CARD_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getChartCard",
          summary: "The top of a trending chart as an SVG card",
          description:
            `One self-contained SVG, ${CARD_WIDTH} wide and ${chartCardHeight(0)} + ${CHART_ROW_HEIGHT} × \`limit\` ` +
            "high whatever the chart holds, for READMEs, docs and newsletters: a heading naming the region, period " +
            "and filters, then per sound its rank, movement, title, author and trend line (an empty chart says so). " +
            "The chart's parameters follow the list endpoint's rules; `page` and `search_keyword` are refused (it " +
            "shows the top of a chart). Drawn from the same cached upstream pages as the JSON list (no extra KeyAPI " +
            "call), with the same caching headers and its own strong ETag. Sent with " +
            `\`Content-Security-Policy: ${cardCsp}\`. Every error (invalid query, rate limits, upstream failures, the ` +
            `credit budget) is a small card (${CARD_WIDTH}×${ERROR_CARD_HEIGHT}) with HTTP 200, \`${CARD_STATUS_HEADER}\` ` +
            "set to the JSON list's status, and `Cache-Control: no-store`. Only a browser `Origin` outside " +
            "`ALLOWED_ORIGINS` gets a real 403, as from the API.",
          tags: ["embeds"],
          parameters: chartEmbedParameters(CHART_CARD),
          responses: cardResponses(CHART_CARD_PROBLEMS),
        }),
      },
      { name: "ChartCard", style: "card", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [`${EMBED_PATH_PREFIX}{clip_id}`]: withEveryMethod(
      {
        parameters: [
          {
            name: "clip_id",
            in: "path",
            required: true,
            description: "The sound's clip id: 1 to 20 decimal digits.",
            schema: jsonSchema(soundQueryParams.clip_id, "input"),
          },
        ],
        get: operation({
          operationId: "getSoundEmbedPage",
          summary: "A trending sound's embed page",
          description:
            "A small HTML page showing the card server-rendered (no JavaScript), with a link to TikTok, OpenGraph and " +
            "Twitter tags for link previews, and oEmbed discovery. Framable by this origin and the `ALLOWED_ORIGINS` " +
            "(`Content-Security-Policy: … frame-ancestors 'self' <origins>`, `*` for any), without `X-Frame-Options`. " +
            "Its links to this service use `PUBLIC_URL`, or the request's host when it is not set (then `Vary: Host`). " +
            "Same cache and rate limits as the API; errors are HTML pages with the JSON endpoint's status.",
          tags: ["embeds"],
          parameters: [
            queryParameter("period", "Trend period in days.", DEFAULT_PERIOD),
            queryParameter("region", "ISO 3166-1 alpha-2 country code, any case.", DEFAULT_REGION),
            themeParameter(),
            ifNoneMatch,
          ],
          responses: pageResponses200,
          otherErrors: pageResponses(SOUND_PROBLEMS, { 404: { ...cachedNotFound[404], ...varyByHost } }),
        }),
      },
      { name: "SoundEmbedPage", style: "page", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [CHART_PAGE_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getChartEmbedPage",
          summary: "The top of a trending chart as an embed page",
          description:
            "A small HTML page (no JavaScript): a heading and an ordered list of the chart's top `limit` sounds, each " +
            `linking to its own \`${EMBED_PATH_PREFIX}{clip_id}\` page and to TikTok, with its movement and trend line; ` +
            `${chartPageHeight(0)} + ${CHART_PAGE_ROW_HEIGHT} × \`limit\` px high at any width. OpenGraph and Twitter ` +
            "tags for link previews (the top three as the description, the first cover as the image), and oEmbed " +
            "discovery. The chart's parameters follow the list endpoint's rules; `page` and `search_keyword` are " +
            "refused. Framed, cached, rate limited and erring as the sound's embed page: framable by this origin and " +
            "the `ALLOWED_ORIGINS`, links under `PUBLIC_URL` or the request's host (then `Vary: Host`), the JSON " +
            "list's caching headers and its own ETag, errors as HTML pages with the JSON list's status.",
          tags: ["embeds"],
          parameters: chartEmbedParameters(CHART_PAGE),
          responses: pageResponses200,
          otherErrors: pageResponses(CHART_PAGE_PROBLEMS),
        }),
      },
      { name: "ChartEmbedPage", style: "page", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    [OEMBED_PATH]: withEveryMethod(
      {
        get: operation({
          operationId: "getOEmbed",
          summary: "oEmbed 1.0 for a TikTok music URL or an embed page",
          description:
            "`url` is a TikTok music URL (`https://www.tiktok.com/music/<name>-<clip_id>`, also without the name, " +
            `with \`m.\` or without \`www.\`) or one of this service's \`${EMBED_PATH_PREFIX}…\` or ` +
            `\`${CHART_PAGE_PATH}?…\` URLs (under \`PUBLIC_URL\` when it is set; a bad query in it is a 400 naming ` +
            "`url`). The answer is a `rich` embed: an iframe of the embed page, scaled down to " +
            `\`maxwidth\`×\`maxheight\` (404 when it would be narrower than ${MIN_EMBED_WIDTH} px). A chart page's ` +
            `iframe is as high as the page for its \`limit\`, cut to \`maxheight\` (404 below ${chartPageHeight(1)} px), ` +
            "and titled as the page's `og:title`. The 720×720 cover (a chart's first sound's) is the thumbnail when " +
            "it is https and fits. `cache_age` is the seconds it may be reused from now. " +
            "Other parameters, which oEmbed consumers add, are ignored.",
          tags: ["embeds"],
          parameters: [
            { name: "url", in: "query", required: true, description: "The URL to embed.", schema: { type: "string" } },
            {
              name: "maxwidth",
              in: "query",
              required: false,
              description: "Maximum width in pixels.",
              schema: jsonSchema(oembedQueryParams.maxwidth, "input"),
            },
            {
              name: "maxheight",
              in: "query",
              required: false,
              description: "Maximum height in pixels.",
              schema: jsonSchema(oembedQueryParams.maxheight, "input"),
            },
            {
              name: "format",
              in: "query",
              required: false,
              description: "`json` only; anything else is 501.",
              schema: { type: "string", default: "json" },
            },
          ],
          responses: {
            "200": {
              description: "The oEmbed document.",
              headers: {
                "X-Cache": ref("headers", "X-Cache"),
                Age: ref("headers", "Age"),
                "Cache-Control": ref("headers", "Cache-Control"),
                "Server-Timing": ref("headers", "Server-Timing"),
                "X-Request-Id": ref("headers", "X-Request-Id"),
                ...varyByHost,
              },
              content: { "application/json": { schema: ref("schemas", "OEmbed") } },
            },
          },
          problems: OEMBED_PROBLEMS,
          problemHeaders: { 404: { ...cachedNotFound[404], ...varyByHost } },
        }),
      },
      { name: "OEmbed", style: "json", early: RATE_LIMITED_ROUTE_PROBLEMS },
    ),
    "/health": withEveryMethod(
      {
        get: operation({
          operationId: "getHealth",
          summary: "Liveness",
          description: "Never shows configuration, but answers 500 when the configuration is invalid.",
          tags: ["operations"],
          responses: {
            "200": {
              description: "The worker is up and configured.",
              headers: { "X-Request-Id": ref("headers", "X-Request-Id") },
              content: { "application/json": { schema: ref("schemas", "Health") } },
            },
          },
          problems: HEALTH_PROBLEMS,
        }),
      },
      { name: "Health", style: "json", early: EVERY_ROUTE_PROBLEMS },
    ),
    "/widget.js": staticFile(
      "Widget",
      "The widget",
      "text/javascript",
      { type: "string" },
      "The `<tiktok-sound>` custom element, an ES module any site may load (`Access-Control-Allow-Origin: *`).",
    ),
    "/openapi.json": staticFile(
      "OpenApiDocument",
      "This document",
      "application/json",
      {
        type: "object",
        description: "An OpenAPI 3.1 document.",
        required: ["openapi", "info", "paths"],
        properties: {
          openapi: { type: "string" },
          info: {
            type: "object",
            required: ["title", "version"],
            properties: { title: { type: "string" }, version: { type: "string" }, description: { type: "string" } },
          },
          paths: { type: "object", additionalProperties: { type: "object", additionalProperties: true } },
          components: { type: "object", additionalProperties: true },
        },
      },
      "The OpenAPI 3.1 document.",
    ),
    "/": staticFile("DemoPage", "Demo page", "text/html", { type: "string" }, "Example cards and the embed snippet."),
    "/admin": staticFile(
      "OperatorConsole",
      "Operator console",
      "text/html",
      { type: "string" },
      "The operator console: it asks for `ADMIN_TOKEN` and draws the admin endpoints' figures (no data in the page itself).",
    ),
  };

  return {
    openapi: "3.1.0",
    info: {
      title: name,
      version,
      description:
        `${description}. Errors are RFC 9457 problem details (\`${PROBLEM_CONTENT_TYPE}\`); ` +
        "a browser `Origin` outside `ALLOWED_ORIGINS` is refused with 403. Generated from the worker's schemas.",
      license: LICENSE,
    },
    servers: [{ url: "/", description: "The deployment that serves this document" }],
    tags: [
      { name: "sounds", description: "TikTok trending sounds, via KeyAPI" },
      {
        name: "charts",
        description: "TikTok's trending sounds chart (KeyAPI's Trending Music list), per region and period",
      },
      {
        name: "embeds",
        description: "The same sounds and charts for places that run no JavaScript: SVG cards, embed pages, oEmbed",
      },
      { name: "operations", description: "For operators: uptime checks and credit usage" },
      { name: "widget and docs", description: "Static files: the embeddable widget, the demo page, this document" },
    ],
    paths,
    components: {
      schemas: {
        Period: { type: "integer", enum: [...PERIODS], description: "Trend period in days." },
        SoundPayload: withPeriod(jsonSchema(soundPayloadSchema)),
        ChartPayload: withPeriod(jsonSchema(chartPayloadSchema)),
        Problem: {
          ...jsonSchema(problemSchema),
          description:
            `RFC 9457 problem details; \`errors\` on 400 only, at most ${MAX_LISTED_ERRORS} entries, ` +
            "with `errors_omitted` counting the rest when there were more.",
        },
        Health: jsonSchema(healthSchema),
        OEmbed: { ...jsonSchema(oembedResponseSchema), description: "An oEmbed 1.0 `rich` response." },
        Usage: jsonSchema(usageSchema),
        CreditHistory: { ...jsonSchema(historySchema), description: "KeyAPI credits per UTC day, oldest first." },
        CreditKeys: {
          type: "array",
          description: "The keys that cost most on one UTC day, most credits first.",
          items: jsonSchema(keySpendSchema),
        },
        CreditHours: { ...jsonSchema(hoursSchema), description: "KeyAPI credits per hour, oldest first." },
        SpendConfiguration: {
          ...jsonSchema(configSchema),
          description: "The configuration that decides spend; never a secret.",
        },
        WebhookRequest: webhookRequestSchema(),
        WebhookResults: {
          type: "object",
          required: ["results"],
          properties: {
            results: {
              type: "array",
              items: {
                type: "object",
                required: ["clip_id", "period", "region", "status"],
                properties: {
                  clip_id: { type: "string" },
                  period: ref("schemas", "Period"),
                  region: { type: "string" },
                  status: { type: "integer", description: "The HTTP status this item alone would have had." },
                  data: ref("schemas", "SoundPayload"),
                  error: ref("schemas", "Problem"),
                },
              },
            },
          },
        },
      },
      headers,
      securitySchemes: usedSecuritySchemes(paths),
    },
  };
}
