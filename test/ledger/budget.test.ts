/** The credit ledger and the daily budget, from the ledger object up to the HTTP answers. */
import { env } from "cloudflare:workers";
import { expect, describe as group, it, vi } from "vitest";
import { LEDGER_NAME } from "../../src/ledger/client";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const NOON = Date.UTC(2026, 10, 25, 12);
const TTLS = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", NEGATIVE_TTL_SECONDS: "30" };
const ledger = () => env.CREDIT_LEDGER.get(env.CREDIT_LEDGER.idFromName(LEDGER_NAME));
const ADMIN_TOKEN = "admin-token-0123456789";
const CALL = { endpoint: "detail", key: "1:7:US" } as const;

function location(overrides: Record<string, unknown>, clock = { now: NOON }) {
  return { clock, worker: testWorker({ ...TTLS, ...overrides }, { clock: () => clock.now }) };
}

group("the ledger", () => {
  it("counts exactly under concurrency: budget 20 allows 10 of 50 simultaneous charges", async () => {
    const charges = await Promise.all(Array.from({ length: 50 }, () => ledger().charge(NOON, 20, CALL)));
    expect(charges.filter((charge) => charge.allowed)).toHaveLength(10);
    expect(await ledger().usage(NOON, 20)).toMatchObject({ credits_spent: 20, credits_left: 0, upstream_calls: 10 });
  });

  it("allows call B/2 and refuses call B/2+1, until the next UTC midnight", async () => {
    for (let call = 1; call <= 3; call++) expect(await ledger().charge(NOON, 7, CALL)).toMatchObject({ allowed: true });
    expect(await ledger().charge(NOON, 7, CALL)).toEqual({ allowed: false, retryAfter: 43_200 });
    const lastSecond = Date.UTC(2026, 10, 25, 23, 59, 59, 500);
    expect(await ledger().charge(lastSecond, 7, CALL)).toEqual({ allowed: false, retryAfter: 1 });
    expect(await ledger().charge(Date.UTC(2026, 10, 26), 7, CALL)).toMatchObject({ allowed: true });
    expect(await ledger().usage(Date.UTC(2026, 10, 26, 1), 7)).toEqual({
      date: "2026-11-26",
      credits_spent: 2,
      credit_budget: 7,
      credits_left: 5,
      upstream_calls: 1,
      resets_at: "2026-11-27T00:00:00Z",
    });
  });

  it("counts with no limit too", async () => {
    for (let call = 0; call < 30; call++) expect((await ledger().charge(NOON, 0, CALL)).allowed).toBe(true);
    expect(await ledger().usage(NOON, 0)).toMatchObject({ credits_spent: 60, credit_budget: null, credits_left: null });
  });
});

group("the budget, as clients meet it", () => {
  it("20 credits: 10 distinct sounds are fetched, the 11th is refused with Retry-After until midnight", async () => {
    const upstream = fakeKeyApi();
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: "20" });
    for (let clip = 1; clip <= 10; clip++) {
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`);
      expect(res.status, await describe(res)).toBe(200);
    }
    const refused = await worker.fetch(`${SOUND_PATH}?clip_id=11`);
    expect(refused.status, await describe(refused)).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("43200");
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({
      type: "urn:tiktok-sound-edge:problem:credit-budget-exhausted",
      status: 503,
      title: "Credit budget exhausted",
    });
    expect(upstream.calls).toBe(10);
    // Answers already held are still served, here and in any other location.
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=3`)).status).toBe(200);
    const elsewhere = location({ CREDIT_BUDGET_PER_DAY: "20" }).worker;
    await env.SOUND_CACHE.delete("sound:v1:4:7:US");
    const held = await elsewhere.fetch(`${SOUND_PATH}?clip_id=4`);
    expect(held.status, await describe(held)).toBe(200);
    expect(held.headers.get("Server-Timing")).toBe('cache;desc="coordinator"');
    expect(upstream.calls).toBe(10);
  });

  it("counts every attempt: a retry costs 2 more credits, and is not sent when the budget no longer allows it", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "status", status: 503, times: 1 });
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: "6" });
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).status).toBe(200);
    expect(upstream.calls).toBe(2);
    expect(await ledger().usage(NOON, 6)).toMatchObject({ credits_spent: 4, upstream_calls: 2 });

    upstream.mock.behave({ mode: "status", status: 503, times: 1 });
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=2`);
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:credit-budget-exhausted" });
    expect(upstream.calls).toBe(3);
    expect(await ledger().usage(NOON, 6)).toMatchObject({ credits_spent: 6, credits_left: 0 });
  });

  it("serves a stale copy past the budget, and refreshes it after midnight", async () => {
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 23, 58) };
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: "2" }, clock);
    await worker.fetch(`${SOUND_PATH}?clip_id=1`);
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=2`)).status).toBe(503);

    clock.now += 61_000;
    const stale = await worker.fetch(`${SOUND_PATH}?clip_id=1`);
    expect(stale.status, await describe(stale)).toBe(200);
    expect(stale.headers.get("X-Cache")).toBe("STALE");
    expect(upstream.calls).toBe(1);

    clock.now = Date.UTC(2026, 10, 26, 0, 0, 30);
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).headers.get("X-Cache")).toBe("STALE");
    expect(upstream.calls).toBe(2);
    expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).headers.get("X-Cache")).toBe("HIT");
  });

  it("skips the cron's refreshes past the budget, and logs it", async () => {
    const upstream = fakeKeyApi();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: "2", WARM_CLIP_IDS: "1,2" });
    const { warmUp } = await import("../../src/scheduled");
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const ctx = createExecutionContext();
    await warmUp(worker.runtime, worker.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(upstream.calls).toBe(1);
    const summary = log.mock.calls.map(([line]) => JSON.parse(String(line))).find((line) => line.message === "warm-up");
    expect(summary).toMatchObject({ entries: 2, refreshed: 1, skipped_budget: 1, failed: 0 });
  });

  it("answers webhook items past the budget with the same problem, per item", async () => {
    const upstream = fakeKeyApi();
    const secret = "whsec_test_0123456789abcdef";
    const { worker, clock } = location({ CREDIT_BUDGET_PER_DAY: "2", WEBHOOK_SECRET: secret });
    const { sign } = await import("../../src/webhook/signature");
    const body = JSON.stringify({ items: [{ clip_id: "1" }, { clip_id: "2" }] });
    const timestamp = String(Math.floor(clock.now / 1000));
    const res = await worker.fetch("/v1/webhooks/refresh", {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": await sign(secret, timestamp, body),
      },
    });
    const { results } = (await res.json()) as { results: { status: number; error?: { type: string } }[] };
    expect(results.map((result) => result.status).sort()).toEqual([200, 503]);
    expect(results.find((result) => result.status === 503)?.error?.type).toBe(
      "urn:tiktok-sound-edge:problem:credit-budget-exhausted",
    );
    expect(upstream.calls).toBe(1);
  });
});

group("safe by default", () => {
  const usage = async (worker: ReturnType<typeof testWorker>) =>
    (await worker.fetch("/v1/admin/usage", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();

  it("ships with a budget of 2,000 credits a day: as deployed (wrangler.toml) and when the var is missing", async () => {
    expect(await usage(location({ ADMIN_TOKEN }).worker)).toMatchObject({ credit_budget: 2000, credits_left: 2000 });
    const unset = location({ ADMIN_TOKEN, CREDIT_BUDGET_PER_DAY: undefined }).worker;
    expect(await usage(unset)).toMatchObject({ credit_budget: 2000, credits_left: 2000 });
  });

  it("so call 1,001 of a day is refused, with no setting at all", async () => {
    const upstream = fakeKeyApi();
    // 1,000 calls already made today, anywhere.
    await Promise.all(Array.from({ length: 1000 }, () => ledger().charge(NOON, 0)));
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: undefined });
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1001`);
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:credit-budget-exhausted" });
    expect(upstream.calls).toBe(0);
  });
});

group("GET /v1/admin/usage", () => {
  it("reports today's figures to the bearer of ADMIN_TOKEN, never cached", async () => {
    fakeKeyApi();
    const { worker } = location({ CREDIT_BUDGET_PER_DAY: "20", ADMIN_TOKEN });
    for (let clip = 1; clip <= 11; clip++) await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`);
    const res = await worker.fetch("/v1/admin/usage", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await res.json()).toEqual({
      date: "2026-11-25",
      credits_spent: 20,
      credit_budget: 20,
      credits_left: 0,
      upstream_calls: 10,
      resets_at: "2026-11-26T00:00:00Z",
    });
  });

  it("says null for the budget when there is none (CREDIT_BUDGET_PER_DAY=0)", async () => {
    const { worker } = location({ ADMIN_TOKEN, CREDIT_BUDGET_PER_DAY: "0" });
    const res = await worker.fetch("/v1/admin/usage", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await res.json()).toMatchObject({ credits_spent: 0, credit_budget: null, credits_left: null });
  });

  it.each([
    ["no Authorization", undefined],
    ["a wrong token", `Bearer ${ADMIN_TOKEN}x`],
    ["a prefix of the token", `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ["another scheme", `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`],
    ["an empty bearer", "Bearer "],
  ])("401 with the same words for %s", async (_name, authorization) => {
    const { worker } = location({ ADMIN_TOKEN });
    const res = await worker.fetch(
      "/v1/admin/usage",
      authorization ? { headers: { Authorization: authorization } } : {},
    );
    expect(res.status, await describe(res)).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="admin"');
    expect(await res.json()).toMatchObject({
      type: "urn:tiktok-sound-edge:problem:unauthorized",
      detail: "Send the admin token as a Bearer token.",
    });
  });

  it("503 when ADMIN_TOKEN is not set", async () => {
    const { worker } = location({});
    const res = await worker.fetch("/v1/admin/usage", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:admin-disabled" });
  });
});
