/**
 * Several Cloudflare locations on one machine: the *built* production worker
 * (`wrangler deploy --dry-run`) run as separately named workers in one
 * Miniflare. Each location is its own isolate with its own module state, its
 * own KV namespace (production KV takes up to a minute to show a write
 * elsewhere, so within a test's seconds locations do not see each other's
 * writes) and its own Cache API host; all share the Durable Object namespaces
 * of the first, as every location shares the real ones.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { MOCK_API_KEY } from "../../mock/keyapi.ts";
import { ClientAddresses } from "./load.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export type Locations = {
  count: number;
  /** A request as it arrives at location `index`, from a client of its own unless the caller says otherwise. */
  fetch(index: number, path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
};

/** Builds the production bundle into a temporary folder (about two seconds). */
export async function buildBundle(): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "locations-bundle-"));
  await promisify(execFile)(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", dir], {
    cwd: ROOT,
    env: { ...process.env, ...OFFLINE_ENV, KEYAPI_API_KEY: MOCK_API_KEY },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `count` locations of the bundle in `bundleDir`, talking to the KeyAPI at
 * `keyapiBaseUrl`. `vars` override wrangler.toml's (e.g. CREDIT_BUDGET_PER_DAY).
 */
export async function startLocations(options: {
  count: number;
  bundleDir: string;
  keyapiBaseUrl: string;
  vars?: Record<string, string>;
  /** Every log line the workers (and their Durable Objects) write; dropped when absent. */
  onLog?: (message: string) => void;
}): Promise<Locations> {
  const production = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml")).workerOptions;
  const ratelimits = (production.ratelimits ?? {}) as Record<
    string,
    { namespace_id: string; simple: { limit: number; period: 10 | 60 } }
  >;
  const durableObjects = production.durableObjects ?? {};
  const clients = new ClientAddresses();

  const workers = Array.from({ length: options.count }, (_, index) => {
    const name = `loc-${index}`;
    return {
      name,
      modules: true,
      scriptPath: join(options.bundleDir, "index.js"),
      rootPath: options.bundleDir,
      modulesRoot: options.bundleDir,
      compatibilityDate: production.compatibilityDate,
      bindings: {
        ...(production.bindings as Record<string, unknown>),
        KEYAPI_BASE_URL: options.keyapiBaseUrl,
        KEYAPI_API_KEY: MOCK_API_KEY,
        ...options.vars,
      },
      kvNamespaces: { SOUND_CACHE: `sound-cache-${name}` },
      // Per location, like the binding's counters in production.
      ratelimits: Object.fromEntries(
        Object.entries(ratelimits).map(([binding, limit]) => [
          binding,
          { namespace_id: `${limit.namespace_id}${index}`, simple: limit.simple },
        ]),
      ),
      // One namespace for all: the first location's.
      durableObjects: Object.fromEntries(
        Object.entries(durableObjects).map(([binding, spec]) => [
          binding,
          index === 0 ? spec : { ...(spec as object), scriptName: "loc-0" },
        ]),
      ),
      routes: [`${name}.test/*`],
    };
  });

  // The workers' own log lines (one per request) would drown the caller's output: handed over, never printed.
  const onLog = options.onLog;
  const handleStructuredLogs = ({ message }: { message: string }) => onLog?.(message);
  const mf = new Miniflare(convertV4MiniflareOptions({ workers, handleStructuredLogs } as never));
  await mf.ready;
  return {
    count: options.count,
    async fetch(index, path, init = {}) {
      const headers = new Headers(init.headers);
      // Each request its own client, below every per-client limit.
      if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", clients.next());
      const response = await mf.dispatchFetch(`http://loc-${index}.test${path}`, { ...init, headers } as never);
      return response as unknown as Response;
    },
    close: () => mf.dispose(),
  };
}
