/**
 * The ledger's history: per UTC day and endpoint (calls, credits, outcomes),
 * per day and key, per hour; the outcome reports (late, repeated, lost); the
 * 400-day window; and the admin endpoints that read it. Counts are checked
 * against the fake KeyAPI's calls and the `upstream_call` log lines, across
 * several locations.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, describe as group, it, vi } from "vitest";
import { LEDGER_NAME, ledgered } from "../../src/ledger/client";
import type { CreditLedger } from "../../src/ledger/credit-ledger";
import { logged } from "../support/logs";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const NOON = Date.UTC(2026, 10, 25, 12);
const DAY = 86_400_000;
const ADMIN_TOKEN = "admin-token-0123456789";
const AUTH = { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } };
const ledger = () => env.CREDIT_LEDGER.get(env.CREDIT_LEDGER.idFromName(LEDGER_NAME));
const call = (key: string) => ({ endpoint: "detail", key }) as const;
const zeroOutcomes = { "2xx": 0, "4xx": 0, "5xx": 0, none: 0, unknown: 0 };
const zeroEndpoints = { detail: { calls: 0, credits: 0 }, list: { calls: 0, credits: 0 } };

type Worker = ReturnType<typeof testWorker>;

function location(overrides: Record<string, unknown> = {}, clock = { now: NOON }) {
  const worker = testWorker(
    { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", ADMIN_TOKEN, ...overrides },
    { clock: () => clock.now },
  );
  return { clock, worker };
}

async function json(res: Response): Promise<unknown> {
  expect(res.status, await describe(res)).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.json();
}

group("history per day and endpoint", () => {
  it("counts calls, credits and outcomes per UTC day, oldest first, days without calls as zeros", async () => {
    const upstream = fakeKeyApi();
    const { worker, clock } = location({ CREDIT_BUDGET_PER_DAY: "0" });
    clock.now = NOON - 2 * DAY;
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).status).toBe(200);
    clock.now = NOON;
    // A 503, retried (2 calls: 5xx, 2xx); a 401 (4xx, not retried); a sound KeyAPI does not know (2xx).
    upstream.mock.behave({ mode: "status", status: 503, times: 1 });
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=2`)).status).toBe(200);
    upstream.mock.behave({ mode: "status", status: 401, times: 1 });
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=3`)).status).toBe(502);
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=4040000000000000001`)).status).toBe(404);
    expect(upstream.calls).toBe(5);

    const expected = {
      credit_budget: null,
      days: [
        {
          date: "2026-11-23",
          credits_spent: 2,
          upstream_calls: 1,
          outcomes: { ...zeroOutcomes, "2xx": 1 },
          by_endpoint: { ...zeroEndpoints, detail: { calls: 1, credits: 2 } },
        },
        { date: "2026-11-24", credits_spent: 0, upstream_calls: 0, outcomes: zeroOutcomes, by_endpoint: zeroEndpoints },
        {
          date: "2026-11-25",
          credits_spent: 8,
          upstream_calls: 4,
          outcomes: { ...zeroOutcomes, "2xx": 2, "4xx": 1, "5xx": 1 },
          by_endpoint: { ...zeroEndpoints, detail: { calls: 4, credits: 8 } },
        },
      ],
    };
    // Outcomes arrive after the answers (the coordinator reports them without making anyone wait).
    await expect.poll(async () => json(await worker.fetch("/v1/admin/usage/history?days=3", AUTH))).toEqual(expected);
    // The default is 30 days, ending today.
    const month = (await json(await worker.fetch("/v1/admin/usage/history", AUTH))) as { days: { date: string }[] };
    expect(month.days).toHaveLength(30);
    expect(month.days[0]?.date).toBe("2026-10-27");
    expect(month.days[29]?.date).toBe("2026-11-25");
  });

  it("reports a timeout (no answer) as none, and says the budget", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "hang", times: 1 });
    const { worker } = location({ UPSTREAM_TIMEOUT_MS: "300", CREDIT_BUDGET_PER_DAY: "40" });
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=5`)).status).toBe(504);
    await expect
      .poll(async () => json(await worker.fetch("/v1/admin/usage/history?days=1", AUTH)))
      .toMatchObject({ credit_budget: 40, days: [{ upstream_calls: 1, outcomes: { ...zeroOutcomes, none: 1 } }] });
  });
});

group("outcome reports", () => {
  it("count once: a repeated report and a report for no known call change nothing", async () => {
    const charged = await ledger().charge(NOON, 0, call("1:7:US"));
    if (!charged.allowed) throw new Error("refused");
    await ledger().report(charged.callId, "5xx");
    await ledger().report(charged.callId, "2xx");
    await ledger().report(charged.callId + 1000, "2xx");
    expect((await ledger().history(NOON, 0, 1)).days[0]?.outcomes).toEqual({ ...zeroOutcomes, "5xx": 1 });
  });

  it("a lost report leaves the call counted, as unknown", async () => {
    await ledger().charge(NOON, 0, call("1:7:US"));
    const [day] = (await ledger().history(NOON, 0, 1)).days;
    expect(day).toMatchObject({ credits_spent: 2, upstream_calls: 1, outcomes: { ...zeroOutcomes, unknown: 1 } });
    expect(await ledger().keys("2026-11-25", 20)).toEqual([
      { endpoint: "detail", key: "1:7:US", calls: 1, credits: 2, last_outcome: "unknown" },
    ]);
  });

  it("is sent after the exchange without being waited for, and a ledger that fails to take it is only logged", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const reports: Promise<unknown>[] = [];
    const broken = {
      charge: async () => ({ allowed: true as const, callId: 7 }),
      report: async () => {
        throw new Error("the ledger went away");
      },
    } as unknown as DurableObjectStub<CreditLedger>;
    const hooks = ledgered(broken, NOON, 0, call("1:7:US"), (work) => reports.push(work));
    await hooks.beforeAttempt();
    expect(hooks.afterAttempt(200)).toBeUndefined();
    expect(reports).toHaveLength(1);
    await expect(reports[0]).resolves.toBeUndefined();
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toEqual(["call outcome not reported"]);
    // One report per charged attempt: nothing more to say until the next charge.
    hooks.afterAttempt(200);
    expect(reports).toHaveLength(1);
  });

  it("a refused or unaccounted attempt reports nothing", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const reports: Promise<unknown>[] = [];
    const unreachable = {
      charge: async () => {
        throw new Error("unreachable");
      },
    } as unknown as DurableObjectStub<CreditLedger>;
    const hooks = ledgered(unreachable, NOON, 0, call("1:7:US"), (work) => reports.push(work));
    await hooks.beforeAttempt();
    hooks.afterAttempt(200);
    expect(reports).toEqual([]);
  });
});

group("keys and hours", () => {
  it("lists the keys that cost most that day, most credits first, with their last outcome", async () => {
    const upstream = fakeKeyApi();
    const { worker, clock } = location({ FRESH_TTL_SECONDS: "1", STALE_TTL_SECONDS: "0" });
    // Clip 1: asked three times, each after its copy expired (3 calls); clip 2 twice; clip 3 once, failing.
    for (const [clip, times] of [
      ["1", 3],
      ["2", 2],
    ] as const) {
      for (let i = 0; i < times; i++) {
        expect((await worker.fetch(`${SOUND_PATH}?clip_id=${clip}&region=gb`)).status).toBe(200);
        clock.now += 2000;
      }
    }
    upstream.mock.behave({ mode: "status", status: 400, times: 1 });
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=3&period=30`)).status).toBe(502);
    expect(upstream.calls).toBe(6);
    await expect
      .poll(async () => json(await worker.fetch("/v1/admin/usage/keys", AUTH)))
      .toEqual([
        { endpoint: "detail", key: "1:7:GB", calls: 3, credits: 6, last_outcome: "2xx" },
        { endpoint: "detail", key: "2:7:GB", calls: 2, credits: 4, last_outcome: "2xx" },
        { endpoint: "detail", key: "3:30:US", calls: 1, credits: 2, last_outcome: "4xx" },
      ]);
    expect(await json(await worker.fetch("/v1/admin/usage/keys?limit=1&date=2026-11-25", AUTH))).toEqual([
      { endpoint: "detail", key: "1:7:GB", calls: 3, credits: 6, last_outcome: "2xx" },
    ]);
    expect(await json(await worker.fetch("/v1/admin/usage/keys?date=2026-11-24", AUTH))).toEqual([]);
  });

  it("counts spend per hour for the last hours, oldest first, empty hours as zeros", async () => {
    await ledger().charge(Date.UTC(2026, 10, 25, 9, 59), 0, call("1:7:US"));
    await ledger().charge(Date.UTC(2026, 10, 25, 11, 0), 0, call("2:7:US"));
    await ledger().charge(Date.UTC(2026, 10, 25, 11, 30), 0, call("2:7:US"));
    const { worker } = location();
    expect(await json(await worker.fetch("/v1/admin/usage/hours?hours=3", AUTH))).toEqual({
      hours: [
        { hour: "2026-11-25T10:00:00Z", credits_spent: 0, upstream_calls: 0 },
        { hour: "2026-11-25T11:00:00Z", credits_spent: 4, upstream_calls: 2 },
        { hour: "2026-11-25T12:00:00Z", credits_spent: 0, upstream_calls: 0 },
      ],
    });
    const day = (await json(await worker.fetch("/v1/admin/usage/hours", AUTH))) as { hours: unknown[] };
    expect(day.hours).toHaveLength(24);
  });
});

group("across locations", () => {
  it("history, keys and the fake's calls agree with the upstream_call log lines, direct calls included", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 20 });
    const upstreamCallLines = logged("upstream_call");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const clock = { now: NOON };
    // No budget: the only setting in which a location calls KeyAPI directly when its coordinator is unreachable.
    const noBudget = { CREDIT_BUDGET_PER_DAY: "0" };
    const workers = Array.from({ length: 4 }, () => location(noBudget, clock).worker);
    const [first, second] = workers as [Worker, Worker];
    // Every location asks for the same 6 clips at once (one call each), then one location's
    // coordinator is unreachable and it calls KeyAPI directly (no budget: today's fallback).
    const clips = ["11", "12", "13", "14", "15", "16"];
    const answers = await Promise.all(
      workers.flatMap((worker) => clips.map((clip) => worker.fetch(`${SOUND_PATH}?clip_id=${clip}`))),
    );
    expect(answers.every((res) => res.status === 200)).toBe(true);
    const unreachable = {
      idFromName: (name: string) => env.SOUND_COORDINATOR.idFromName(name),
      get: () => ({
        obtain: () => Promise.reject(new Error("coordinator unreachable")),
      }),
    };
    const cut = location({ ...noBudget, SOUND_COORDINATOR: unreachable }, clock).worker;
    expect((await cut.fetch(`${SOUND_PATH}?clip_id=17`)).status).toBe(200);

    const lines = upstreamCallLines();
    expect(upstream.calls).toBe(7);
    expect(lines).toHaveLength(7);
    const history = async () =>
      (await json(await first.fetch("/v1/admin/usage/history?days=1", AUTH))) as {
        days: { upstream_calls: number; credits_spent: number; outcomes: Record<string, number> }[];
      };
    await expect
      .poll(async () => (await history()).days[0])
      .toMatchObject({ upstream_calls: lines.length, credits_spent: 14, outcomes: { "2xx": 7, unknown: 0 } });
    const keys = (await json(await second.fetch("/v1/admin/usage/keys?limit=100", AUTH))) as {
      key: string;
      calls: number;
    }[];
    expect(keys.map((row) => row.key).sort()).toEqual(lines.map((line) => line.key).sort());
    expect(keys.every((row) => row.calls === 1)).toBe(true);
  });
});

group("the 400-day window", () => {
  it("keeps 400 UTC days, today included, and forgets the day before them", async () => {
    const first = Date.UTC(2025, 9, 22, 12);
    await ledger().charge(first, 0, call("1:7:US"));
    await ledger().charge(first + DAY, 0, call("2:7:US"));

    const lastKept = first + 399 * DAY;
    const { worker, clock } = location({}, { now: lastKept });
    const kept = (await json(await worker.fetch("/v1/admin/usage/history?days=400", AUTH))) as {
      days: { date: string; upstream_calls: number }[];
    };
    expect(kept.days).toHaveLength(400);
    expect(kept.days[0]).toMatchObject({ date: "2025-10-22", upstream_calls: 1 });
    expect(await json(await worker.fetch("/v1/admin/usage/keys?date=2025-10-22", AUTH))).toHaveLength(1);

    // The first charge of a day prunes what fell out of the window.
    clock.now = first + 400 * DAY;
    await ledger().charge(clock.now, 0, call("3:7:US"));
    const stored = await runInDurableObject(ledger(), (_ledger: CreditLedger, state) =>
      state.storage.sql.exec("SELECT day FROM spend_per_key ORDER BY day").toArray(),
    );
    expect(stored).toEqual([{ day: "2025-10-23" }, { day: "2026-11-26" }]);
    const window = (await json(await worker.fetch("/v1/admin/usage/history?days=400", AUTH))) as {
      days: { date: string; upstream_calls: number }[];
    };
    expect(window.days[0]).toMatchObject({ date: "2025-10-23", upstream_calls: 1 });
    const outside = await worker.fetch("/v1/admin/usage/keys?date=2025-10-22", AUTH);
    expect(outside.status, await describe(outside)).toBe(400);
    expect(await outside.json()).toMatchObject({
      errors: [{ param: "date", message: "must be a UTC date from 2025-10-23 to 2026-11-26" }],
    });
  });

  it("counts a charge from a caller that names no call (older code, during a deploy)", async () => {
    const charge = ledger().charge as unknown as (now: number, budget: number) => Promise<{ allowed: boolean }>;
    expect(await charge(NOON, 4)).toMatchObject({ allowed: true });
    expect(await ledger().usage(NOON, 4)).toMatchObject({ credits_spent: 2, upstream_calls: 1 });
    expect(await ledger().keys("2026-11-25", 20)).toEqual([
      { endpoint: "detail", key: "", calls: 1, credits: 2, last_outcome: "unknown" },
    ]);
  });

  it("carries over the old calls-per-day table, so an upgrade keeps today's budget exact", async () => {
    await runInDurableObject(ledger(), (_ledger: CreditLedger, state) => {
      state.storage.sql.exec("CREATE TABLE calls_per_day (day TEXT PRIMARY KEY, calls INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO calls_per_day VALUES ('2026-11-24', 3), ('2026-11-25', 9)");
    });
    await evictDurableObject(ledger());
    expect(await ledger().usage(NOON, 20)).toMatchObject({ credits_spent: 18, credits_left: 2, upstream_calls: 9 });
    expect(await ledger().charge(NOON, 20, call("1:7:US"))).toMatchObject({ allowed: true });
    expect(await ledger().charge(NOON, 20, call("1:7:US"))).toMatchObject({ allowed: false });
    const [before] = (await ledger().history(NOON - DAY, 20, 1)).days;
    expect(before).toMatchObject({ upstream_calls: 3, outcomes: { ...zeroOutcomes, unknown: 3 } });
  });
});

group("the admin endpoints' rules", () => {
  const paths = [
    "/v1/admin/usage",
    "/v1/admin/usage/history",
    "/v1/admin/usage/keys",
    "/v1/admin/usage/hours",
    "/v1/admin/config",
  ];

  it.each(paths)(
    "%s: 401 without the token (before its parameters are read), 503 without ADMIN_TOKEN",
    async (path) => {
      const { worker } = location();
      const res = await worker.fetch(`${path}?days=0&limit=x`);
      expect(res.status, await describe(res)).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="admin"');
      const disabled = await location({ ADMIN_TOKEN: undefined }).worker.fetch(path, AUTH);
      expect(disabled.status).toBe(503);
      expect(await disabled.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:admin-disabled" });
    },
  );

  it.each([
    ["/v1/admin/usage/history?days=0", [{ param: "days", message: "must be a whole number from 1 to 400" }]],
    ["/v1/admin/usage/history?days=401", [{ param: "days", message: "must be a whole number from 1 to 400" }]],
    ["/v1/admin/usage/history?days=030", [{ param: "days", message: "must be a whole number from 1 to 400" }]],
    [
      "/v1/admin/usage/history?days=7&days=8&since=1",
      [
        { param: "days", message: "must be given only once" },
        { param: "since", message: "is not a known parameter" },
      ],
    ],
    [
      "/v1/admin/usage/keys?limit=101&date=2026-02-30",
      [
        { param: "date", message: "must be a UTC date from 2025-10-22 to 2026-11-25" },
        { param: "limit", message: "must be a whole number from 1 to 100" },
      ],
    ],
    ["/v1/admin/usage/keys?date=25.11.2026", [{ param: "date", message: "must be a date, YYYY-MM-DD" }]],
    [
      "/v1/admin/usage/keys?date=2026-11-26",
      [{ param: "date", message: "must be a UTC date from 2025-10-22 to 2026-11-25" }],
    ],
    ["/v1/admin/usage/keys?limit=", [{ param: "limit", message: "must not be empty" }]],
    ["/v1/admin/usage/hours?hours=49", [{ param: "hours", message: "must be a whole number from 1 to 48" }]],
    ["/v1/admin/config?verbose=1", [{ param: "verbose", message: "is not a known parameter" }]],
  ])("%s → 400 naming each bad parameter", async (path, errors) => {
    const { worker } = location();
    const res = await worker.fetch(path, AUTH);
    expect(res.status, await describe(res)).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:invalid-query", errors });
  });

  it.each(paths.slice(0, 4))(
    "%s: 503 usage-unavailable with Retry-After when the ledger cannot be reached",
    async (path) => {
      const unreachable = {
        idFromName: (name: string) => env.CREDIT_LEDGER.idFromName(name),
        get: () =>
          new Proxy(
            {},
            {
              get: () => () => Promise.reject(new Error("ledger unreachable")),
            },
          ),
      };
      const { worker } = location({ CREDIT_LEDGER: unreachable });
      const res = await worker.fetch(path, AUTH);
      expect(res.status, await describe(res)).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("30");
      expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:usage-unavailable" });
    },
  );

  it("GET /v1/admin/config says what decides spend, and no secret", async () => {
    const { worker } = location({
      CREDIT_BUDGET_PER_DAY: "500",
      WARM_CLIP_IDS: "6703723351497508865,42:30:gb",
      // Charts cost credits too: the cron keeps page 1 of each fresh, in pages of KEYAPI_LIST_PAGE_SIZE.
      WARM_CHARTS: "US:7, gb:30, br",
      KEYAPI_LIST_PAGE_SIZE: "15",
      ALERT_WEBHOOK_URL: "https://hooks.example/catch/123?token=secret-in-url",
      ALERT_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    });
    const body = await json(await worker.fetch("/v1/admin/config", AUTH));
    expect(body).toEqual({
      version: "0.1.0",
      credit_budget: 500,
      credits_per_call: 2,
      fresh_ttl_seconds: 60,
      stale_ttl_seconds: 120,
      negative_ttl_seconds: 300,
      upstream_timeout_ms: 8000,
      warm_clip_ids: ["6703723351497508865:7:US", "42:30:GB"],
      warm_charts: ["US:7", "GB:30", "BR:7"],
      list_page_size: 15,
      budget_alerts: { webhook: true, signed: true, thresholds: [0.5, 0.8, 1] },
    });
    expect(JSON.stringify(body)).not.toMatch(/secret|hooks\.example|whsec|admin-token/);
  });
});
