// Node-side code (scripts/openapi.ts, test/node/) imports src/ modules that name the
// Worker's `Env` in their types but never builds one. The real `Env` comes from
// worker-configuration.d.ts, whose runtime types clash with Node's and the DOM's;
// `tsc -p .` checks src/ against it.
interface Env {
  readonly [binding: string]: unknown;
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
// Durable Objects (src/webhook/deliveries.ts): opaque too.
type DurableObjectNamespace<T = unknown> = {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStub<T>;
};
type DurableObjectStub<T = unknown> = T;
type SqlStorage = { exec<Row = unknown>(query: string, ...bindings: unknown[]): { toArray(): Row[] } };
declare module "cloudflare:workers" {
  export abstract class DurableObject<E = unknown> {
    protected ctx: {
      storage: {
        sql: SqlStorage;
        setAlarm(time: number): Promise<void>;
        deleteAll(): Promise<void>;
      };
    };
    protected env: E;
    constructor(ctx: unknown, env: E);
    alarm?(): void | Promise<void>;
  }
}
