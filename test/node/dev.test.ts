/**
 * `npm run dev` as a developer runs it, on free loopback ports: a SIGTERM,
 * SIGINT or SIGHUP to the `npm run dev` process alone (what a process manager,
 * an IDE's stop button or `kill <pid>` sends, unlike Ctrl-C, which reaches the
 * whole process group), or a SIGKILL it cannot pass on, stops the mock,
 * wrangler and workerd; and a busy port is one clear line, not a stack trace.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./support/browser.ts";

const ROOT = new URL("../../", import.meta.url);
const usesDevVars = existsSync(new URL(".dev.vars", ROOT));
/** With KEYAPI_BASE_URL in .dev.vars, `npm run dev` starts no mock: these tests need the usual setup. */
const usesRealKeyApi = usesDevVars && /^\s*KEYAPI_BASE_URL\s*=/m.test(readFileSync(new URL(".dev.vars", ROOT), "utf8"));

type Dev = { npm: ChildProcess; output: () => string; exited: Promise<number | null>; ports: Ports };
type Ports = { port: number; mockPort: number; inspectorPort: number };

const started: Dev[] = [];

afterEach(() => {
  // Whatever a failing test left running, in its own process group (npm, the script, the mock, wrangler, workerd).
  for (const dev of started.splice(0)) {
    for (const pid of [dev.npm.pid, ...descendants(dev.npm.pid)]) signal(pid, "SIGKILL");
    signal(-(dev.npm.pid as number), "SIGKILL");
  }
});

function signal(pid: number | undefined, name: NodeJS.Signals) {
  try {
    if (pid) process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function freePorts(): Promise<Ports> {
  return { port: await freePort(), mockPort: await freePort(), inspectorPort: await freePort() };
}

function startDev(ports: Ports): Dev {
  const npm = spawn("npm", ["run", "dev", "--", "--inspector-port", String(ports.inspectorPort)], {
    cwd: ROOT,
    // Its own process group: the signals below go to npm alone, and cleanup can still reach everything.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(ports.port),
      MOCK_PORT: String(ports.mockPort),
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      X_LOCAL_OBSERVABILITY: "false",
    },
  });
  let output = "";
  npm.stdout?.on("data", (chunk) => (output += chunk));
  npm.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  const dev = { npm, output: () => output, exited, ports };
  started.push(dev);
  return dev;
}

/** Every process below `pid`, by walking the process table. */
function descendants(pid: number | undefined): number[] {
  if (!pid) return [];
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" }).trim();
  }
};

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, dev: Dev, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} within ${seconds} s. npm run dev said:\n${dev.output()}`);
}

async function answering(dev: Dev) {
  const ok = (url: string) =>
    fetch(url).then(
      (res) => res.ok,
      () => false,
    );
  await until(
    "npm run dev did not answer",
    async () =>
      (await ok(`http://127.0.0.1:${dev.ports.port}/health`)) &&
      ok(`http://127.0.0.1:${dev.ports.mockPort}/__mock/stats`),
    dev,
    45,
  );
}

describe.skipIf(usesRealKeyApi)("npm run dev", () => {
  it.each(["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"] as const)(
    "stops the mock, wrangler and workerd on %s to the npm process alone",
    async (name) => {
      const dev = startDev(await freePorts());
      await answering(dev);
      const processes = descendants(dev.npm.pid);
      expect(processes.map(commandOf).join("\n")).toMatch(/workerd/);

      signal(dev.npm.pid, name);
      await until(
        "the ports were still taken",
        async () => !(await listening(dev.ports.port)) && !(await listening(dev.ports.mockPort)),
        dev,
        10,
      );
      await until("a process was still running", () => processes.every((pid) => !alive(pid)), dev, 10);
      await dev.exited;
      expect(dev.output()).not.toMatch(/\n\s+at /);
    },
    60_000,
  );

  it("answers GET /v1/tiktok/trending/music?region=US with the documented example sound at rank 1, and prints lines that work", async () => {
    const dev = startDev(await freePorts());
    await answering(dev);
    const origin = `http://127.0.0.1:${dev.ports.port}`;
    const res = await fetch(`${origin}/v1/tiktok/trending/music?region=US`);
    expect(res.status, dev.output()).toBe(200);
    const body = (await res.json()) as { total: number; sounds: { rank: number; clip_id: string; title: string }[] };
    expect(body.total).toBe(100);
    expect(body.sounds).toHaveLength(20);
    expect(body.sounds[0]).toMatchObject({ rank: 1, clip_id: "6703723351497508865", title: "New Sun" });

    // The usage line: the budget the worker really has, and a curl that works; the console's line, with the same token.
    const usageLine = new RegExp(
      `^\\[dev\\] usage \\((?:credit budget (\\d+) credits a day|no credit budget: CREDIT_BUDGET_PER_DAY=0)\\): ` +
        `curl -H 'Authorization: Bearer (\\S+)' ${origin.replaceAll(".", "\\.")}/v1/admin/usage$`,
      "m",
    ).exec(dev.output());
    expect(usageLine, dev.output()).not.toBeNull();
    const [, budget, token] = usageLine as RegExpExecArray;
    expect(dev.output()).toContain(`\n[dev] console: ${origin}/admin (token: ${token})\n`);
    if (!usesDevVars) expect(token).toBe("local-dev-admin-token");
    const usage = await fetch(`${origin}/v1/admin/usage`, { headers: { Authorization: `Bearer ${token}` } });
    expect(usage.status, dev.output()).toBe(200);
    expect(((await usage.json()) as { credit_budget: number | null }).credit_budget).toBe(
      budget === undefined ? null : Number(budget),
    );
    const adminPage = await fetch(`${origin}/admin`);
    expect([adminPage.status, adminPage.headers.get("Content-Type")]).toEqual([200, "text/html; charset=utf-8"]);

    // PUBLIC_URL is the address dev serves on: an embed page's links name it, whatever Host a request brings.
    const page = await fetch(`${origin}/embed/sound/6703723351497508865?region=US&period=7`, {
      headers: { Host: "elsewhere.example" },
    });
    expect(page.status, dev.output()).toBe(200);
    expect(page.headers.get("Vary") ?? "").not.toMatch(/host/i);
    expect(await page.text()).toContain(
      `<link rel="canonical" href="${origin}/embed/sound/6703723351497508865?region=US&amp;period=7">`,
    );
    signal(dev.npm.pid, "SIGTERM");
    await dev.exited;
  }, 60_000);

  it.each([
    ["MOCK_PORT", "mockPort"],
    ["PORT", "port"],
  ] as const)(
    "says in one line that %s is in use, and stops",
    async (variable, key) => {
      const ports = await freePorts();
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(ports[key], "127.0.0.1", resolve));
      try {
        const dev = startDev(ports);
        const code = await Promise.race([
          dev.exited,
          new Promise((resolve) => setTimeout(() => resolve("timeout"), 30_000)),
        ]);
        expect(code, dev.output()).toBe(1);
        const lines = dev.output().trim().split("\n");
        expect(
          lines.filter((line) => /in use/.test(line)),
          dev.output(),
        ).toEqual([
          `[dev] port ${ports[key]} is in use; set ${variable}=<another port> (e.g. ${variable}=${ports[key] + 10} npm run dev)`,
        ]);
        expect(dev.output()).not.toMatch(/\n\s+at |Error:/);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
    60_000,
  );
});
