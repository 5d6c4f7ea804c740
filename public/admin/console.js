// The operator console: asks for the admin token once (kept in sessionStorage, sent only as a Bearer token),
// reads the admin API and draws it. Everything reaches the page as text or through DOM calls, never as markup.
import { keyLinks } from "./links.js";
import {
  budgetBar,
  dailyBars,
  formatDuration,
  hourlyBars,
  hourOf,
  OUTCOME_NAMES,
  OUTCOMES,
  outcomeBars,
  outcomeSwatch,
  projectedSpend,
  spendRate,
} from "./plots.js";

const TOKEN_KEY = "tiktok-sound-edge:admin-token";
const REFRESH_MS = 60_000;
const KEYS_SHOWN = 10;
const byId = (id) => document.getElementById(id);

/** A refused admin request, with what the page should do about it. */
class AdminError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.kind = typeof problem?.type === "string" ? problem.type.replace(/^.*:/, "") : "";
  }
}

async function api(path, token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, { headers, cache: "no-store" });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new AdminError(response.status, body);
  return body;
}

/** Shows one of the page's states: `sign-in`, `disabled`, `console`, or none (loading). */
function show(state) {
  for (const id of ["sign-in", "disabled", "console"]) byId(id).hidden = id !== state;
  byId("session").hidden = state !== "console";
  byId("loading").hidden = state !== undefined;
}

function signIn(message) {
  show("sign-in");
  byId("sign-in-message").textContent = message ?? "";
  const input = byId("token");
  input.value = "";
  input.focus();
}

function problem(message) {
  const node = byId("problem");
  node.textContent = message ?? "";
  node.hidden = !message;
}

/** What the page says when the API refuses. Returns whether the console can stay as it is. */
function refused(error) {
  if (error instanceof AdminError && error.kind === "admin-disabled") {
    sessionStorage.removeItem(TOKEN_KEY);
    show("disabled");
    return false;
  }
  if (error instanceof AdminError && error.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    signIn("That token was not accepted. Check the deployment's ADMIN_TOKEN and enter it again.");
    return false;
  }
  const why =
    error instanceof AdminError
      ? error.status === 429
        ? "Too many requests from this address for a moment."
        : error.message
      : "The worker could not be reached.";
  problem(`The figures could not be loaded: ${why} The page tries again in a minute.`);
  return true;
}

let timer;

async function load({ focus = false } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    // Ask the API whether there is anything to sign in to, without a token: 503 when ADMIN_TOKEN is unset.
    try {
      await api("/v1/admin/config");
    } catch (error) {
      if (error instanceof AdminError && error.status === 401) return signIn();
      refused(error);
    }
    return;
  }
  clearTimeout(timer);
  try {
    const [usage, hours, history, keys, config] = await Promise.all([
      api("/v1/admin/usage", token),
      api("/v1/admin/usage/hours?hours=24", token),
      api("/v1/admin/usage/history?days=30", token),
      api(`/v1/admin/usage/keys?limit=${KEYS_SHOWN}`, token),
      api("/v1/admin/config", token),
    ]);
    // Signed out (or in again) while this load was on its way: its answers are not for this token.
    if (sessionStorage.getItem(TOKEN_KEY) !== token) return;
    problem();
    render({ usage, hours: hours.hours, history, keys, config });
    show("console");
    if (focus) byId("today-title").focus();
  } catch (error) {
    if (!refused(error)) return;
  }
  timer = setTimeout(() => {
    if (document.visibilityState === "visible") load();
    else document.addEventListener("visibilitychange", () => load(), { once: true });
  }, REFRESH_MS);
}

function render({ usage, hours, history, keys, config }) {
  const now = Date.now();
  const rate = spendRate(hours, now);
  const projected = projectedSpend(usage.credits_spent, rate.creditsPerHour, now, usage.resets_at);
  byId("today-bar").replaceChildren(budgetBar({ spent: usage.credits_spent, budget: usage.credit_budget, projected }));
  figures(byId("today-figures"), [
    ["Spent", `${usage.credits_spent} credits (${usage.upstream_calls} KeyAPI calls)`],
    ["Budget", usage.credit_budget === null ? "none" : `${usage.credit_budget} credits, ${usage.credits_left} left`],
    ["Spend rate", `${rate.creditsPerHour.toFixed(1)} credits an hour (over the last ${formatDuration(rate.overMs)})`],
    ["Projected by the reset", `${projected} credits`],
    ["Resets in", `${formatDuration(Date.parse(usage.resets_at) - now)} (midnight UTC)`],
  ]);

  byId("hours-plot").replaceChildren(hourlyBars(hours));
  byId("hours-table").replaceChildren(
    table(
      "Credits and calls per hour, UTC",
      ["Hour (UTC)", "Credits", "Calls"],
      hours.map((hour) => [hourOf(hour.hour), hour.credits_spent, hour.upstream_calls]),
    ),
  );

  byId("days-plot").replaceChildren(dailyBars(history));
  byId("outcomes-plot").replaceChildren(outcomeBars(history));
  byId("outcome-legend").replaceChildren(
    ...OUTCOMES.map((outcome) => {
      const item = document.createElement("li");
      item.append(outcomeSwatch(outcome), ` ${OUTCOME_NAMES[outcome]}`);
      return item;
    }),
  );
  byId("days-table").replaceChildren(
    table(
      "Credits, calls and outcomes per UTC day",
      ["Date", "Credits", "Calls", ...OUTCOMES],
      history.days.map((day) => [
        day.date,
        day.credits_spent,
        day.upstream_calls,
        ...OUTCOMES.map((outcome) => day.outcomes[outcome]),
      ]),
    ),
  );

  byId("keys").replaceChildren(
    keys.length === 0
      ? paragraph("No KeyAPI calls yet today.")
      : table(
          `The ${keys.length} keys that cost most today, most credits first`,
          ["Endpoint", "Key", "Calls", "Credits", "Last outcome", "See it"],
          keys.map((row) => [row.endpoint, code(row.key), row.calls, row.credits, row.last_outcome, seeIt(row)]),
        ),
  );

  const alerts = config.budget_alerts;
  figures(byId("config"), [
    ["Version", config.version],
    ["Daily budget", config.credit_budget === null ? "none (counted, not capped)" : `${config.credit_budget} credits`],
    ["A KeyAPI call costs", `${config.credits_per_call} credits`],
    ["Fresh for", seconds(config.fresh_ttl_seconds)],
    ["Then served stale, while refreshing, for", seconds(config.stale_ttl_seconds)],
    ["“Not found” remembered for", seconds(config.negative_ttl_seconds)],
    ["KeyAPI deadline", `${config.upstream_timeout_ms} ms`],
    ["Kept warm by the cron", warmLists(config)],
    ["A chart page from KeyAPI", `${config.list_page_size} sounds, one call`],
    [
      "Budget alerts",
      alerts.webhook
        ? `at ${alerts.thresholds.map((share) => `${share * 100} %`).join(", ")}, ${alerts.signed ? "signed" : "unsigned"}`
        : "off (no ALERT_WEBHOOK_URL)",
    ],
  ]);
  byId("updated").textContent = `Updated ${new Date(now).toISOString().slice(11, 16)} UTC`;
}

/** The cron's lists, and what keeping them warm costs: about one call per entry and freshness window. */
function warmLists({ warm_clip_ids: sounds, warm_charts: charts, credits_per_call: perCall }) {
  const calls = sounds.length + charts.length;
  if (calls === 0) return "nothing";
  const lists = [];
  if (sounds.length > 0) lists.push(`sounds ${sounds.join(", ")}`);
  if (charts.length > 0) lists.push(`charts ${charts.join(", ")} (page 1 of each)`);
  const cost = `${calls} KeyAPI ${calls === 1 ? "call" : "calls"} (${calls * perCall} credits)`;
  return `${lists.join("; ")}: about ${cost} per freshness window`;
}

function seconds(value) {
  return value >= 3600 && value % 3600 === 0
    ? `${value / 3600} h`
    : value >= 60
      ? formatDuration(value * 1000)
      : `${value} s`;
}

function figures(list, rows) {
  list.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

function table(caption, headings, rows) {
  const node = document.createElement("table");
  node.createCaption().textContent = caption;
  const head = node.createTHead().insertRow();
  for (const heading of headings) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = heading;
    head.append(th);
  }
  const body = node.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    for (const cell of cells) {
      const td = row.insertCell();
      if (cell instanceof Node) td.append(cell);
      else td.textContent = String(cell);
      if (typeof cell === "number") td.className = "number";
    }
  }
  return node;
}

function paragraph(text) {
  const node = document.createElement("p");
  node.textContent = text;
  return node;
}

function code(text) {
  const node = document.createElement("code");
  node.textContent = text;
  return node;
}

function link(text, href) {
  const node = document.createElement("a");
  node.href = href;
  node.textContent = text;
  return node;
}

/** The links to what a key fetched (see links.js), " · " between them. */
function seeIt({ endpoint, key }) {
  const links = document.createElement("span");
  for (const [index, [text, href]] of keyLinks(endpoint, key).entries()) {
    if (index > 0) links.append(" · ");
    links.append(link(text, href));
  }
  return links;
}

byId("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = byId("token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  byId("token").value = "";
  load({ focus: true });
});
byId("refresh").addEventListener("click", () => load());
byId("forget").addEventListener("click", () => {
  clearTimeout(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  signIn();
});

load();
