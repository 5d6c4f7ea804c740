/**
 * The workers under test, each in its own `wrangler dev` process (and so its
 * own workerd), on free loopback ports, with local state in a fresh temporary
 * directory: every run starts cold. Each process gets its own process group so
 * that stopping it also stops the workerd processes it started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MOCK_API_KEY } from "../../mock/keyapi.ts";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT_DIR = resolve(BENCH_DIR, "..");
export const WRANGLER_CONFIG_DIR = join(BENCH_DIR, "wrangler");

/** Local-emulation switches: wrangler dev's local log capture and explorer are off unless a variant turns them on. */
export const LOCAL_EMULATION_ENV = {
  X_LOCAL_OBSERVABILITY: "false",
  X_LOCAL_EXPLORER: "false",
} as const;

const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // Nothing edits the configs during a run; the watcher would only cost CPU.
  WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
  WRANGLER_HIDE_BANNER: "true",
} as const;

export type WorkerSpec = {
  /** Stable name used in results, e.g. `ours`, `platform-floor`. */
  id: string;
  /** File in bench/wrangler/. */
  config: string;
  /** `--var NAME:value` overrides (KEYAPI_BASE_URL is added for every worker). */
  vars?: Record<string, string>;
  /** Extra environment for wrangler, e.g. `X_LOCAL_OBSERVABILITY=true`. */
  env?: Record<string, string>;
  /**
   * wrangler's log level. `warn` (the bench default) keeps wrangler dev from
   * logging every request, which costs a loopback call from workerd to
   * wrangler's Node process per request: a local-only cost, priced separately.
   */
  logLevel?: "log" | "warn";
};

export type RunningWorker = { spec: WorkerSpec; url: string; logFile: string };

// wrangler's package exports hide its bin; its package.json is exported.
const WRANGLER_DIR = dirname(createRequire(import.meta.url).resolve("wrangler/package.json"));
export const WRANGLER_BIN = join(WRANGLER_DIR, "bin", "wrangler.js");
export const WRANGLER_VERSION: string = JSON.parse(readFileSync(join(WRANGLER_DIR, "package.json"), "utf8")).version;

/** A port the OS says is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", done);
  });
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts and stops `wrangler dev` processes. `stopAll()` runs on process exit
 * too, so an interrupted run leaves nothing behind.
 */
export class WorkerFleet {
  readonly #children = new Set<ChildProcess>();
  readonly #tmpDir: string;
  readonly #mockUrl: string;
  readonly #onUnexpectedExit: (id: string, logFile: string, code: number | null, signal: string | null) => void;
  #stopping = false;

  constructor(options: {
    tmpDir: string;
    mockUrl: string;
    /** A worker died before stopAll(): its scenario will fail; this says why. */
    onUnexpectedExit: (id: string, logFile: string, code: number | null, signal: string | null) => void;
  }) {
    this.#tmpDir = options.tmpDir;
    this.#mockUrl = options.mockUrl;
    this.#onUnexpectedExit = options.onUnexpectedExit;
    process.once("exit", () => this.#killAll("SIGKILL"));
  }

  /** Starts `specs` two at a time (2 cores: more at once only slows each start). */
  async startAll(specs: WorkerSpec[], concurrency = 2): Promise<Map<string, RunningWorker>> {
    const started = new Map<string, RunningWorker>();
    const queue = [...specs];
    const lanes = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) started.set(spec.id, await this.start(spec));
    });
    await Promise.all(lanes);
    return started;
  }

  async start(spec: WorkerSpec): Promise<RunningWorker> {
    const [port, inspectorPort] = [await freePort(), await freePort()];
    const persistDir = join(this.#tmpDir, "state", spec.id);
    mkdirSync(persistDir, { recursive: true });
    const logFile = join(this.#tmpDir, `${spec.id}.log`);
    const log = openSync(logFile, "a");

    const vars = { KEYAPI_BASE_URL: this.#mockUrl, ...spec.vars };
    const args = [
      WRANGLER_BIN,
      "dev",
      "-c",
      join(WRANGLER_CONFIG_DIR, spec.config),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistDir,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      "--log-level",
      spec.logLevel ?? "warn",
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT_DIR,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        ...OFFLINE_ENV,
        ...LOCAL_EMULATION_ENV,
        WRANGLER_REGISTRY_PATH: join(this.#tmpDir, "registry"),
        WRANGLER_LOG_PATH: join(this.#tmpDir, "wrangler-logs"),
        // wrangler reads required secrets from the environment: the mock's key, never a real one.
        KEYAPI_API_KEY: MOCK_API_KEY,
        ...spec.env,
      },
    });
    closeSync(log);
    this.#children.add(child);
    child.once("exit", (code, signal) => {
      this.#children.delete(child);
      if (!this.#stopping) this.#onUnexpectedExit(spec.id, logFile, code, signal);
    });

    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(url, child, logFile);
    return { spec, url, logFile };
  }

  async stopAll(): Promise<void> {
    this.#stopping = true;
    const exits = [...this.#children].map(
      (child) => new Promise<void>((done) => (child.exitCode !== null ? done() : child.once("exit", () => done()))),
    );
    this.#killAll("SIGTERM");
    const timeout = sleep(5_000).then(() => this.#killAll("SIGKILL"));
    await Promise.race([Promise.all(exits), timeout]);
  }

  #killAll(signal: NodeJS.Signals) {
    for (const child of this.#children) {
      if (child.pid === undefined) continue;
      try {
        // The whole group: wrangler's Node processes and their workerd.
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}

export type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * One GET over loopback with node:http and a hard deadline. (Global fetch's
 * abort was seen to leave a promise pending forever here, with only unref'd
 * work behind it; this cannot.)
 */
export function httpGet(url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const request = get(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        clearTimeout(deadline);
        resolvePromise({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      response.on("error", fail);
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`GET ${url} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on("error", fail);
    function fail(error: Error) {
      clearTimeout(deadline);
      reject(error);
    }
  });
}

/** Polls until the worker answers anything at all, or fails with the end of wrangler's log. */
async function waitUntilServing(url: string, child: ChildProcess, logFile: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await httpGet(`${url}/__bench/ready`, {}, 2_000);
      return;
    } catch {
      await sleep(100);
    }
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
  throw new Error(`wrangler dev did not start serving ${url} (exit code ${child.exitCode}). Log tail:\n${tail}`);
}
