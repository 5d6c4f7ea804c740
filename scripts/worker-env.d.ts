// Node-side code (scripts/openapi.ts, test/node/) imports src/ modules that name the
// Worker's `Env` in their types but never builds one. The real `Env` comes from
// worker-configuration.d.ts, whose runtime types clash with Node's and the DOM's;
// `tsc -p .` checks src/ against it.
interface Env {
  readonly [binding: string]: unknown;
  // Read directly (not through config.ts) by the Durable Objects.
  readonly KEYAPI_API_KEY: string;
  readonly CREDIT_LEDGER: DurableObjectNamespace<import("../src/ledger/credit-ledger").CreditLedger>;
  // Read directly by the response envelope (src/http/envelope.ts).
  readonly ANALYTICS?: AnalyticsEngineDataset;
}

// Workers binding and runtime types that src/ names; opaque here, real in worker-configuration.d.ts.
type KVNamespace = {
  getWithMetadata(key: string, options: unknown): Promise<{ value: string | null; metadata: unknown }>;
  put(key: string, value: string, options?: unknown): Promise<void>;
};
type RateLimit = { limit(options: { key: string }): Promise<{ success: boolean }> };
interface CacheStorage {
  readonly default: Cache;
}

// Durable Objects (src/coordinator/): opaque here as well.
declare namespace Rpc {
  type DurableObjectBranded = object;
}
type DurableObjectId = { toString(): string };
type DurableObjectStub<T = unknown> = { [K in keyof T]: T[K] };
type DurableObjectNamespace<T = unknown> = {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub<T>;
};
type DurableObjectStorage = {
  sql: SqlStorage;
  setAlarm(time: number): Promise<void>;
  deleteAll(): Promise<void>;
  transactionSync<T>(closure: () => T): T;
};
type DurableObjectState = { storage: DurableObjectStorage; waitUntil(promise: Promise<unknown>): void };
type SqlStorage = {
  exec<T = Record<string, unknown>>(query: string, ...bindings: unknown[]): { toArray(): T[]; one(): T };
};
declare module "cloudflare:workers" {
  export abstract class DurableObject<E = unknown> {
    protected ctx: DurableObjectState;
    protected env: E;
    constructor(ctx: DurableObjectState, env: E);
    alarm?(): Promise<void>;
  }
}

// Workers Analytics Engine (src/http/analytics.ts) and the request's Cloudflare properties.
type AnalyticsEngineDataPoint = { indexes?: string[]; doubles?: number[]; blobs?: string[] };
type AnalyticsEngineDataset = { writeDataPoint(point?: AnalyticsEngineDataPoint): void };
interface Request {
  readonly cf?: { colo?: unknown };
}

// Workers' extension of WebCrypto (src/routes/admin.ts compares tokens with it).
interface SubtleCrypto {
  timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
}
