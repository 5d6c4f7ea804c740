/**
 * `npm run dev`: the worker under `wrangler dev` on http://127.0.0.1:8787,
 * talking to the mock KeyAPI (started here on 127.0.0.1:8788) with the mock's
 * key. When .dev.vars sets KEYAPI_BASE_URL, that server is used instead and no
 * mock is started: put the real base URL and key there to talk to KeyAPI.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { MOCK_API_KEY } from "../mock/keyapi.ts";
import { startMockServer } from "../mock/server.ts";

const PORT = process.env.PORT ?? "8787";
/** Local only: a deployment has no ADMIN_TOKEN until `wrangler secret put ADMIN_TOKEN`. */
const LOCAL_ADMIN_TOKEN = "local-dev-admin-token";
const MOCK_PORT = Number(process.env.MOCK_PORT ?? 8788);

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

const vars = devVars();
const args = ["dev", "--ip", "127.0.0.1", "--port", PORT, ...process.argv.slice(2)];
let mock: Awaited<ReturnType<typeof startMockServer>> | undefined;

if (vars.KEYAPI_BASE_URL) {
  console.log(`[dev] KEYAPI_BASE_URL comes from .dev.vars; no mock started.`);
} else {
  mock = await startMockServer({ port: MOCK_PORT, latencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0) });
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

const wrangler = spawn("wrangler", args, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});

const stop = () => wrangler.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", async (code) => {
  await mock?.close();
  process.exit(code ?? 0);
});
