/**
 * The worker's configuration: Env vars and secrets (all strings) parsed and
 * validated once per isolate. An invalid deployment fails loudly in the log and
 * answers 500 `service-misconfigured`, never with a half-working request path.
 */
import * as z from "zod/mini";
import type { SoundCoordinator } from "./coordinator/sound-coordinator";
import { type ChartFilter, chartQueryParams, DEFAULT_LIST_PAGE_SIZE } from "./domain/chart";
import type { Ttls } from "./domain/freshness";
import { ProblemError } from "./domain/problems";
import { DEFAULT_PERIOD, DEFAULT_REGION } from "./domain/query";
import { type SoundQuery, soundQueryParams } from "./domain/sound";
import { type AlertTarget, alertEnvSchema, alertTargetOf } from "./ledger/alert-target";
import type { CreditLedger } from "./ledger/credit-ledger";
import type { WebhookDeliveries } from "./webhook/deliveries";
import { decodeSigningSecret } from "./webhook/standard";

/**
 * Credits a day when `CREDIT_BUDGET_PER_DAY` is not set (wrangler.toml ships the same value): safe by
 * default, 1,000 KeyAPI calls. `0` means no limit, and has to be asked for.
 */
export const DEFAULT_CREDIT_BUDGET_PER_DAY = 2000;

/** A chart `WARM_CHARTS` names: a region and a period, never a filter or a search (`US:7` says it all). */
export type WarmChart = ChartFilter & { newToTop100: false; commercialMusic: false; searchKeyword: null };

export type AllowedOrigins = { any: true } | { any: false; origins: ReadonlySet<string> };

export type Config = {
  keyapiApiKey: string;
  keyapiBaseUrl: string;
  allowedOrigins: AllowedOrigins;
  upstreamTimeoutMs: number;
  ttls: Ttls;
  /** Sounds kept warm by the cron trigger (`WARM_CLIP_IDS`). */
  warmQueries: SoundQuery[];
  /** Charts whose first upstream page the cron trigger keeps warm (`WARM_CHARTS`). */
  warmCharts: WarmChart[];
  /** The page size KeyAPI's list is asked for (`KEYAPI_LIST_PAGE_SIZE`): every chart is fetched in pages of it. */
  listPageSize: number;
  soundCache: KVNamespace;
  /** All `/v1/*` requests, per client. */
  rateLimiter: RateLimit;
  /** Requests that would call KeyAPI, per client. */
  missLimiter: RateLimit;
  /** Absent: the webhook answers 503. The legacy scheme's HMAC key, as UTF-8. */
  webhookSecret: string | undefined;
  /** Standard Webhooks' key: `WEBHOOK_SECRET` read as `whsec_<base64>`; absent when it is not base64. */
  webhookSigningKey: Uint8Array<ArrayBuffer> | undefined;
  /**
   * Standard Webhooks deliveries already processed, one object per `webhook-id`. Absent (a config
   * without the binding, such as the bench's baselines): Standard Webhooks deliveries answer 503.
   */
  webhookDeliveries: DurableObjectNamespace<WebhookDeliveries> | undefined;
  /** One object per cache key: the cache of record, the only caller of KeyAPI. */
  soundCoordinator: DurableObjectNamespace<SoundCoordinator>;
  /** One object for all locations: the credits spent per UTC day. */
  creditLedger: DurableObjectNamespace<CreditLedger>;
  /** Credits KeyAPI may be charged per UTC day, all locations together; 0 = no limit. */
  creditBudgetPerDay: number;
  /** Absent: the admin endpoints answer 503. */
  adminToken: string | undefined;
  /** Where the ledger sends budget alerts (it reads them itself, with `alertTarget`); here for the admin config answer. */
  alerts: AlertTarget | undefined;
  /**
   * The origin the service is reached at (`PUBLIC_URL`): its self-links in embed pages and oEmbed use it.
   * Absent: they use the request's own origin, which comes from its Host header.
   */
  publicUrl: string | undefined;
};

const nonBlank = z.string().check(z.trim(), z.minLength(1, "must not be empty"));

const httpUrl = z.pipe(
  nonBlank,
  z.transform((value, ctx) => {
    const url = URL.parse(value);
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash) {
      ctx.issues.push({ code: "custom", message: "must be an http(s) URL without query", input: value });
      return z.NEVER;
    }
    // Keep a base path if there is one, without its trailing slash.
    return url.href.replace(/\/+$/, "");
  }),
);

/**
 * `candidate` as an origin (scheme, host, port; one trailing slash allowed), or undefined when it says
 * anything more or less: a path, a query, a fragment, credentials, an opaque origin.
 */
function asOrigin(candidate: string): string | undefined {
  const url = URL.parse(candidate);
  if (!url || url.origin === "null" || url.origin !== candidate.replace(/\/$/, "")) return undefined;
  return url.origin;
}

/** `*`, or a comma-separated list of origins such as `https://a.example,http://localhost:3000`. */
const originList = z.pipe(
  nonBlank,
  z.transform((value, ctx): AllowedOrigins => {
    if (value === "*") return { any: true };
    const origins = new Set<string>();
    for (const entry of value.split(",")) {
      const candidate = entry.trim();
      const origin = asOrigin(candidate);
      if (!origin) {
        ctx.issues.push({ code: "custom", message: `"${candidate}" is not an origin`, input: value });
        return z.NEVER;
      }
      origins.add(origin);
    }
    return { any: false, origins };
  }),
);

/** Where the service is reached, `https://sounds.example.com`: an http(s) origin, or blank for none. */
const publicUrl = z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    const candidate = value.trim();
    if (candidate === "") return undefined;
    const origin = asOrigin(candidate);
    if (!origin || !/^https?:/.test(origin)) {
      ctx.issues.push({
        code: "custom",
        message:
          "must be an http(s) scheme and host such as https://sounds.example.com (no path, query or credentials)",
        input: value,
      });
      return z.NEVER;
    }
    return origin;
  }),
);

const milliseconds = z.pipe(
  nonBlank.check(z.regex(/^\d{1,6}$/, "must be a whole number of milliseconds")),
  z.pipe(z.transform(Number), z.number().check(z.minimum(1), z.maximum(120_000))),
);

const wholeNumber = z.pipe(
  nonBlank.check(z.regex(/^\d{1,12}$/, "must be a whole number")),
  z.pipe(z.transform(Number), z.number()),
);

const wholeSeconds = (minimum: number) =>
  z.pipe(
    nonBlank.check(z.regex(/^\d{1,9}$/, "must be a whole number of seconds")),
    z.pipe(z.transform(Number), z.number().check(z.minimum(minimum))),
  );

/** `clip_id[:period[:region]]`, comma-separated, with the endpoint's rules and defaults. */
const warmList = z.pipe(
  z.string(),
  z.transform((value, ctx): SoundQuery[] => {
    const queries: SoundQuery[] = [];
    for (const entry of value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)) {
      const [clipId = "", period = String(DEFAULT_PERIOD), region = DEFAULT_REGION, ...rest] = entry.split(":");
      const parsed = {
        clipId: soundQueryParams.clip_id.safeParse(clipId),
        period: soundQueryParams.period.safeParse(period),
        region: soundQueryParams.region.safeParse(region),
      };
      if (!parsed.clipId.success || !parsed.period.success || !parsed.region.success || rest.length > 0) {
        ctx.issues.push({ code: "custom", message: `"${entry}" is not clip_id[:period[:region]]`, input: value });
        return z.NEVER;
      }
      queries.push({ clipId: parsed.clipId.data, period: parsed.period.data, region: parsed.region.data });
    }
    return queries;
  }),
);

/** `region:period` pairs, comma-separated (`US:7,GB:30`), with the list endpoint's rules; no filters, no search. */
const warmCharts = z.pipe(
  z.string(),
  z.transform((value, ctx): WarmChart[] => {
    const charts: WarmChart[] = [];
    for (const entry of value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)) {
      const [region = "", period = String(DEFAULT_PERIOD), ...rest] = entry.split(":");
      const parsed = {
        region: chartQueryParams.region.safeParse(region),
        period: chartQueryParams.period.safeParse(period),
      };
      if (!parsed.region.success || !parsed.period.success || rest.length > 0) {
        ctx.issues.push({ code: "custom", message: `"${entry}" is not region[:period]`, input: value });
        return z.NEVER;
      }
      charts.push({
        region: parsed.region.data,
        period: parsed.period.data,
        newToTop100: false,
        commercialMusic: false,
        searchKeyword: null,
      });
    }
    return charts;
  }),
);

const kvNamespace = z.custom<KVNamespace>(
  (value) => typeof value === "object" && value !== null && "getWithMetadata" in value,
  "must be a KV namespace binding",
);

const durableObjectNamespace = <T extends Rpc.DurableObjectBranded>() =>
  z.custom<DurableObjectNamespace<T>>(
    (value) => typeof value === "object" && value !== null && "idFromName" in value,
    "must be a Durable Object namespace binding",
  );

const rateLimitBinding = z.custom<RateLimit>(
  (value) => typeof value === "object" && value !== null && "limit" in value,
  "must be a Rate Limiting binding",
);

export const envSchema = z.object({
  KEYAPI_API_KEY: nonBlank,
  KEYAPI_BASE_URL: z.prefault(httpUrl, "https://api.keyapi.ai"),
  ALLOWED_ORIGINS: z.prefault(originList, "*"),
  UPSTREAM_TIMEOUT_MS: z.prefault(milliseconds, "8000"),
  FRESH_TTL_SECONDS: z.prefault(wholeSeconds(1), "3600"),
  STALE_TTL_SECONDS: z.prefault(wholeSeconds(0), "172800"),
  NEGATIVE_TTL_SECONDS: z.prefault(wholeSeconds(1), "300"),
  WARM_CLIP_IDS: z.prefault(warmList, ""),
  WARM_CHARTS: z.prefault(warmCharts, ""),
  // At least 10, so a window of up to 20 sounds spans at most three pages (one or two at KeyAPI's 20).
  KEYAPI_LIST_PAGE_SIZE: z.prefault(
    z.pipe(nonBlank.check(z.regex(/^(1[0-9]|20)$/, "must be a whole number from 10 to 20")), z.transform(Number)),
    String(DEFAULT_LIST_PAGE_SIZE),
  ),
  SOUND_CACHE: kvNamespace,
  RATE_LIMITER: rateLimitBinding,
  MISS_LIMITER: rateLimitBinding,
  WEBHOOK_DELIVERIES: z.optional(durableObjectNamespace<WebhookDeliveries>()),
  WEBHOOK_SECRET: z.optional(nonBlank.check(z.minLength(16, "must be at least 16 characters"))),
  SOUND_COORDINATOR: durableObjectNamespace<SoundCoordinator>(),
  CREDIT_LEDGER: durableObjectNamespace<CreditLedger>(),
  CREDIT_BUDGET_PER_DAY: z.prefault(wholeNumber, String(DEFAULT_CREDIT_BUDGET_PER_DAY)),
  ADMIN_TOKEN: z.optional(nonBlank.check(z.minLength(16, "must be at least 16 characters"))),
  PUBLIC_URL: z.optional(publicUrl),
  ...alertEnvSchema.shape,
});

const parsed = new WeakMap<object, Config | ProblemError>();

/**
 * Parses `env` the first time it is seen and remembers the outcome, so the hot
 * path does no parsing. Throws `service-misconfigured` (details only in the log).
 */
export function loadConfig(env: Env): Config {
  let outcome = parsed.get(env);
  if (!outcome) {
    outcome = parseConfig(env);
    parsed.set(env, outcome);
  }
  if (outcome instanceof ProblemError) throw outcome;
  return outcome;
}

function logInvalid(issues: z.core.$ZodIssue[]): void {
  // Names and rules only: the values may be secrets.
  const problems = issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  console.error(JSON.stringify({ level: "error", message: "invalid configuration", problems }));
}

function parseConfig(env: Env): Config | ProblemError {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    logInvalid(result.error.issues);
    return new ProblemError("service-misconfigured", "The service is misconfigured. The operator has been told.");
  }
  const vars = result.data;
  return {
    keyapiApiKey: vars.KEYAPI_API_KEY,
    keyapiBaseUrl: vars.KEYAPI_BASE_URL,
    allowedOrigins: vars.ALLOWED_ORIGINS,
    upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS,
    ttls: {
      freshSeconds: vars.FRESH_TTL_SECONDS,
      staleSeconds: vars.STALE_TTL_SECONDS,
      negativeSeconds: vars.NEGATIVE_TTL_SECONDS,
    },
    warmQueries: vars.WARM_CLIP_IDS,
    warmCharts: vars.WARM_CHARTS,
    listPageSize: vars.KEYAPI_LIST_PAGE_SIZE,
    soundCache: vars.SOUND_CACHE,
    rateLimiter: vars.RATE_LIMITER,
    missLimiter: vars.MISS_LIMITER,
    webhookSecret: vars.WEBHOOK_SECRET,
    webhookSigningKey: vars.WEBHOOK_SECRET === undefined ? undefined : decodeSigningSecret(vars.WEBHOOK_SECRET),
    webhookDeliveries: vars.WEBHOOK_DELIVERIES,
    soundCoordinator: vars.SOUND_COORDINATOR,
    creditLedger: vars.CREDIT_LEDGER,
    creditBudgetPerDay: vars.CREDIT_BUDGET_PER_DAY,
    adminToken: vars.ADMIN_TOKEN,
    alerts: alertTargetOf(vars),
    publicUrl: vars.PUBLIC_URL,
  };
}
