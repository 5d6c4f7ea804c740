/**
 * Harness for browser tests: the worker under `wrangler dev` on free loopback
 * ports, Debian's Chromium driven by playwright-core with nothing leaving
 * loopback, and small HTTP servers that play other people's sites.
 *
 * ```ts
 * const mock = await startMockServer();
 * const worker = await startWorker({ vars: { KEYAPI_BASE_URL: mock.url } });
 * const browser = await launchBrowser();
 * const context = await newLoopbackContext(browser, { mockUrl: mock.url });
 * const page = await openPage(context, `${worker.url}/`, { colorScheme: "dark" });
 * ```
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { MOCK_API_KEY, type MockBehaviour } from "../../../mock/keyapi.ts";
import { type RunningMock, startMockServer } from "../../../mock/server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const WRANGLER = new URL("../../../node_modules/wrangler/bin/wrangler.js", import.meta.url);

/** Whether Chromium is here. */
export const haveChromium = existsSync(CHROMIUM);
/** Browser tests run when Chromium is here, and fail (rather than skip) without it when CI is set. */
export const browserTestsRun = haveChromium || Boolean(process.env.CI);
export const SKIP_REASON = `browser test skipped: ${CHROMIUM} not found. Enable it with \`apt-get install -y chromium\` (CI fails instead of skipping).`;

/** Call once at the top of a browser test file: says why it is skipped, or throws in CI without Chromium. */
export function announceSkip(): void {
  // Straight to stderr: vitest keeps console output of tests that did not fail to itself.
  if (!browserTestsRun) process.stderr.write(`\n⚠ ${SKIP_REASON}\n\n`);
}

export type RunningWorker = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything wrangler printed so far (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
};

/**
 * `wrangler dev` on free loopback ports with its own state directory. `vars` become
 * `--var NAME:value` (KEYAPI_BASE_URL usually points at the mock server). The mock's
 * API key is in the environment, which wrangler checks `secrets.required` against.
 */
export async function startWorker(options: { vars?: Record<string, string> } = {}): Promise<RunningWorker> {
  const scratch = mkdtempSync(join(tmpdir(), "browser-worker-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(
    process.execPath,
    [
      WRANGLER.pathname,
      "dev",
      ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)],
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      ...["--persist-to", join(scratch, "wrangler-state"), "--show-interactive-dev-session=false"],
    ],
    {
      // Its own process group, so cleanup ends workerd too.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        KEYAPI_API_KEY: MOCK_API_KEY,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        X_LOCAL_OBSERVABILITY: "false",
      },
    },
  );
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    await stopProcessGroup(child);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForHealth(`${url}/health`, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}

export type BrowserRig = {
  mock: RunningMock;
  worker: RunningWorker;
  browser: Browser;
  /** One context (fresh profile) for the whole file: a new one per test costs about a second here. */
  context: BrowserContext;
  /** What the mock KeyAPI does next (`POST /__mock/behaviour`). */
  behave: (behaviour: MockBehaviour) => Promise<void>;
};

/**
 * For a browser test file's `describe`: before its tests, the mock KeyAPI, the worker in front of it (with `vars`,
 * read then, so they may name sites an earlier `beforeAll` started), Chromium and a loopback context; after them,
 * all stopped. The fields are there once the tests run.
 */
export function useBrowserRig(vars: () => Record<string, string> = () => ({})): BrowserRig {
  const rig = {
    behave: async (behaviour: MockBehaviour) => {
      await fetch(`${rig.mock.url}/__mock/behaviour`, { method: "POST", body: JSON.stringify(behaviour) });
    },
  } as BrowserRig;
  beforeAll(async () => {
    rig.mock = await startMockServer();
    rig.worker = await startWorker({ vars: { KEYAPI_BASE_URL: rig.mock.url, ...vars() } });
    rig.browser = await launchBrowser();
    rig.context = await newLoopbackContext(rig.browser, { mockUrl: rig.mock.url });
  }, 45_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.worker?.stop();
    await rig.mock?.close();
  }, 20_000);
  return rig;
}

/** Chromium with the flags that work on this machine. Throws when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium)
    throw new Error(`${CHROMIUM} is missing and CI is set: install it with apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser profile in which nothing leaves loopback. With `mockUrl`, TikTok's CDN
 * (the example's cover) gets the mock KeyAPI's stand-in image; everything else off
 * 127.0.0.1 is aborted. One context for a whole file is cheaper than one per test (~1 s each).
 */
export async function newLoopbackContext(
  browser: Browser,
  options: { mockUrl?: string; colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1160, height: 800 },
    colorScheme: options.colorScheme ?? "light",
  });
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    if (options.mockUrl && url.hostname.endsWith(".tiktokcdn.com")) {
      const cover = await fetch(`${options.mockUrl}/covers/example.svg`);
      return route.fulfill({ status: 200, contentType: "image/svg+xml", body: await cover.text() });
    }
    return route.abort("blockedbyclient");
  });
  return context;
}

/** A new page in `context`, in the given colour scheme, at `url` (when given). */
export async function openPage(
  context: BrowserContext,
  url?: string,
  options: { colorScheme?: "light" | "dark" } = {},
): Promise<Page> {
  const page = await context.newPage();
  if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
  if (url) await page.goto(url);
  return page;
}

/**
 * Whether a README screenshot in docs/ is (re)taken: when it is missing or `UPDATE_SCREENSHOTS=1` is set, so a
 * test run leaves the tree as it found it (fonts, hinting and dates can move a pixel).
 */
export function screenshotWanted(file: URL): boolean {
  return Boolean(process.env.UPDATE_SCREENSHOTS) || !existsSync(file);
}

/** Takes the README screenshot `file` of `target` when `screenshotWanted(file)`. */
export async function saveScreenshot(
  target: Locator | Page,
  file: URL,
  options: { animations?: "disabled"; fullPage?: boolean } = {},
): Promise<void> {
  if (!screenshotWanted(file)) return;
  mkdirSync(new URL(".", file), { recursive: true });
  await target.screenshot({ path: file.pathname, ...options });
}

export type Site = { origin: string; close: () => Promise<void> };

/** Another origin on loopback (someone else's site), serving whatever `handler` answers. */
export async function startSite(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Site> {
  const server = await listen(createServer(handler));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => close(server) };
}

/** The states in which a `<tiktok-sound-chart>` has finished loading. */
export const CHART_SETTLED = ["ready", "empty", "rate-limited", "error"];

/**
 * Every `<tiktok-sound>` on the page (or every element `selector` names) has finished
 * loading, one way or the other.
 */
export async function settled(
  page: Page,
  states = ["ready", "not-found", "rate-limited", "error"],
  selector = "tiktok-sound",
): Promise<void> {
  await page.waitForFunction(
    ([states, selector]) => {
      const cards = [...document.querySelectorAll(selector as string)];
      return cards.length > 0 && cards.every((card) => states?.includes(card.getAttribute("state") ?? ""));
    },
    [states, selector] as const,
    { timeout: 10_000 },
  );
}

/** Every `<tiktok-sound-chart>` on the page has finished loading. */
export const chartsSettled = (page: Page) => settled(page, CHART_SETTLED, "tiktok-sound-chart");

async function listen(server: Server, port = 0): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

export async function freePort(): Promise<number> {
  const server = await listen(createServer());
  const { port } = server.address() as AddressInfo;
  await close(server);
  return port;
}

export async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`wrangler dev did not answer ${url} within 30 s:\n${output()}`);
}

/** SIGTERM to the child's whole group (wrangler's workerd included), SIGKILL if it lingers. */
export async function stopProcessGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
