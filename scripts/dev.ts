/**
 * `npm run dev`: the worker under `wrangler dev` on http://127.0.0.1:8787
 * (`PORT`), talking to the mock KeyAPI (started here on 127.0.0.1:8788,
 * `MOCK_PORT`) with the mock's key. When .dev.vars sets KEYAPI_BASE_URL, that
 * server is used instead and no mock is started: put the real base URL and key
 * there to talk to KeyAPI.
 *
 * It stops as a whole: SIGINT, SIGTERM or SIGHUP to this process (npm passes
 * them on to its script, which `exec` in package.json makes this process
 * rather than a shell that would not pass them further), the end of the
 * process that started it, or wrangler ending: each stops the mock and
 * wrangler's whole process group (wrangler, esbuild, workerd).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { MOCK_API_KEY } from "../mock/keyapi.ts";
import { startMockServer } from "../mock/server.ts";

const WRANGLER = new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url);
/** Local only: a deployment has no ADMIN_TOKEN until `wrangler secret put ADMIN_TOKEN`. */
const LOCAL_ADMIN_TOKEN = "local-dev-admin-token";
/** How long wrangler and workerd get to stop before they are killed. */
const GRACE_MS = 5_000;

/** One line on stderr, and the end: a developer's mistake is not a crash. */
function fail(line: string): never {
  console.error(`[dev] ${line}`);
  process.exit(1);
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    fail(`${name} must be a port number (1 to 65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

const inUse = (port: number, name: string) =>
  fail(`port ${port} is in use; set ${name}=<another port> (e.g. ${name}=${port + 10} npm run dev)`);

/** Whether nothing listens on 127.0.0.1:port yet. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** `CREDIT_BUDGET_PER_DAY` as this run gets it: from .dev.vars (passed on below), else wrangler.toml's. */
function creditBudget(vars: Record<string, string>): string {
  const shipped = /^CREDIT_BUDGET_PER_DAY\s*=\s*"(\d+)"/m.exec(readFileSync("wrangler.toml", "utf8"))?.[1];
  const budget = vars.CREDIT_BUDGET_PER_DAY || shipped || "?";
  return budget === "0" ? "no credit budget: CREDIT_BUDGET_PER_DAY=0" : `credit budget ${budget} credits a day`;
}

function devVars(): Record<string, string> {
  if (!existsSync(".dev.vars")) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match?.[1]) vars[match[1]] = match[2] ?? "";
  }
  return vars;
}

const PORT = portFrom("PORT", 8787);
const MOCK_PORT = portFrom("MOCK_PORT", 8788);
const vars = devVars();
const args = ["dev", "--ip", "127.0.0.1", "--port", String(PORT), ...process.argv.slice(2)];
let mock: Awaited<ReturnType<typeof startMockServer>> | undefined;

// Checked before anything starts, so a busy port leaves nothing behind.
if (!(await isFree(PORT))) inUse(PORT, "PORT");

if (vars.KEYAPI_BASE_URL) {
  console.log(`[dev] KEYAPI_BASE_URL comes from .dev.vars; no mock started.`);
} else {
  try {
    mock = await startMockServer({ port: MOCK_PORT, latencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") inUse(MOCK_PORT, "MOCK_PORT");
    throw error;
  }
  console.log(`[dev] mock KeyAPI on ${mock.url} (misbehave: POST ${mock.url}/__mock/behaviour)`);
  args.push("--var", `KEYAPI_BASE_URL:${mock.url}`, "--var", `KEYAPI_API_KEY:${MOCK_API_KEY}`);
  // Also in the environment, where wrangler looks for required secrets when there is no .dev.vars.
  process.env.KEYAPI_API_KEY = MOCK_API_KEY;
}

// wrangler dev loads only `secrets.required` from .dev.vars; the optional settings (and a budget) are passed on here.
for (const name of ["WEBHOOK_SECRET", "ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET", "CREDIT_BUDGET_PER_DAY"]) {
  const value = vars[name];
  if (value) args.push("--var", `${name}:${value}`);
}
// The embeds' links name the address this script serves on, whatever Host a request brings.
args.push("--var", `PUBLIC_URL:${vars.PUBLIC_URL ?? `http://127.0.0.1:${PORT}`}`);
// The usage endpoint works out of the box locally; .dev.vars may set another token.
const adminToken = vars.ADMIN_TOKEN ?? LOCAL_ADMIN_TOKEN;
args.push("--var", `ADMIN_TOKEN:${adminToken}`);
console.log(
  `[dev] usage (${creditBudget(vars)}): curl -H 'Authorization: Bearer ${adminToken}' http://127.0.0.1:${PORT}/v1/admin/usage`,
);
console.log(`[dev] console: http://127.0.0.1:${PORT}/admin (token: ${adminToken})`);

// Its own process group (wrangler starts esbuild and workerd in it), so one signal reaches all of them,
// and a Ctrl-C or a kill aimed at npm's group cannot leave workerd behind without this script noticing.
const wrangler = spawn(process.execPath, [WRANGLER.pathname, ...args], {
  stdio: "inherit",
  detached: true,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
const group = wrangler.pid as number;
const wranglerExited = new Promise<number | null>((resolve) => wrangler.once("exit", (code) => resolve(code)));

function signalGroup(name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, name);
    return true;
  } catch {
    return false; // The group is gone.
  }
}

async function groupGone(ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (signalGroup(0)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

let stopping = false;

/** Stops wrangler's whole group (workerd too, even when wrangler went first), then the mock; then exits. */
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  signalGroup("SIGTERM");
  if (!(await groupGone(GRACE_MS))) signalGroup("SIGKILL");
  await mock?.close();
  process.exit(code);
}

for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(name, () => {
    if (!stopping) console.log(`[dev] ${name}: stopping the mock, wrangler and workerd`);
    void stop(0);
  });
}
void wranglerExited.then((code) => stop(code ?? 1));

// When the process that started this one ends without a signal for it (npm killed with SIGKILL), this one is
// re-parented: nobody is left to stop it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent || stopping) return;
  console.log("[dev] npm run dev was stopped: stopping the mock, wrangler and workerd");
  void stop(0);
}, 250).unref();

// The last resort, should this script itself fail: nothing of wrangler's outlives it.
process.on("exit", () => signalGroup("SIGKILL"));
