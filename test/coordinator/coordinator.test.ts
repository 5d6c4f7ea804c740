/**
 * The coordinator and the locations that ask it, in the Workers runtime. Each
 * `testWorker()` is a location of its own (its own isolate state and Cache API
 * host); they share the Durable Object namespaces, as Cloudflare's locations do.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, describe as group, it, vi } from "vitest";
import type { Ask } from "../../src/coordinator/contract";
import type { SoundCoordinator } from "../../src/coordinator/sound-coordinator";
import { cacheKey } from "../../src/domain/endpoint";
import { ANSWER_LIMITS } from "../../src/domain/limits";
import { detailEndpoint } from "../../src/endpoints/detail";
import { fakeKeyApi, refusal } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const TTLS = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", NEGATIVE_TTL_SECONDS: "30" };
const NOON = Date.UTC(2026, 10, 25, 12);

function locations(count: number, overrides: Record<string, unknown> = {}) {
  const clock = { now: NOON };
  const workers = Array.from({ length: count }, () =>
    testWorker({ ...TTLS, ...overrides }, { clock: () => clock.now }),
  );
  return { clock, workers };
}

function coordinatorFor(clipId: string): DurableObjectStub<SoundCoordinator> {
  const key = cacheKey(detailEndpoint, { clipId, period: 7, region: "US" });
  return env.SOUND_COORDINATOR.get(env.SOUND_COORDINATOR.idFromName(key));
}

function ask(clipId: string, overrides: Partial<Ask> = {}): Ask {
  return {
    endpoint: "detail",
    query: { clipId, period: 7, region: "US" },
    purpose: "lookup",
    now: NOON,
    settings: {
      keyapiBaseUrl: "https://keyapi.test",
      upstreamTimeoutMs: 2000,
      ttls: { freshSeconds: 60, staleSeconds: 120, negativeSeconds: 30 },
      creditBudgetPerDay: 0,
      refreshRetryMs: 30_000,
    },
    requestId: "test",
    ...overrides,
  };
}

group("single flight", () => {
  it("N concurrent askers cause one KeyAPI call: one called, the rest joined", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 50 });
    const stub = coordinatorFor("1");
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => stub.obtain(ask("1"))));
    expect(upstream.calls).toBe(1);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes.map((outcome) => outcome.upstream?.role).sort()).toEqual([
      "called",
      ...Array.from({ length: 9 }, () => "joined"),
    ]);
  });

  it("simultaneous cold requests in every location cost one call", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 50 });
    const { workers } = locations(6);
    const responses = await Promise.all(
      workers.flatMap((worker) => Array.from({ length: 20 }, () => worker.fetch(`${SOUND_PATH}?clip_id=2`))),
    );
    for (const res of responses) expect(res.status, await describe(res)).toBe(200);
    expect(new Set(await Promise.all(responses.map((res) => res.text()))).size).toBe(1);
    expect(upstream.calls).toBe(1);
  });
});

group("the copy of record", () => {
  it("stores the answer and hands it to another location without a call", async () => {
    const upstream = fakeKeyApi();
    const { workers } = locations(2);
    const [here, there] = workers as [ReturnType<typeof testWorker>, ReturnType<typeof testWorker>];
    const first = await here.fetch(`${SOUND_PATH}?clip_id=3`);
    expect(first.headers.get("X-Cache")).toBe("MISS");

    const stub = coordinatorFor("3");
    const stored = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ status: number; stored_at: number }>("SELECT status, stored_at FROM copy").toArray(),
    );
    expect(stored).toEqual([{ status: 200, stored_at: NOON }]);

    // KV is the same namespace in these tests; clear it so "there" must ask the coordinator.
    await env.SOUND_CACHE.delete(`sound:${cacheKey(detailEndpoint, { clipId: "3", period: 7, region: "US" })}`);
    const second = await there.fetch(`${SOUND_PATH}?clip_id=3`);
    expect(second.status, await describe(second)).toBe(200);
    expect(second.headers.get("X-Cache")).toBe("HIT");
    expect(second.headers.get("Server-Timing")).toBe('cache;desc="coordinator"');
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(upstream.calls).toBe(1);
  });

  it("coordinates negative answers the same way", async () => {
    const upstream = fakeKeyApi();
    const stub = coordinatorFor("4040000000000000001");
    const first = await stub.obtain(ask("4040000000000000001"));
    const second = await stub.obtain(ask("4040000000000000001", { now: NOON + 29_000 }));
    expect(first).toMatchObject({ ok: true, answer: { status: 404 }, upstream: { role: "called" } });
    expect(second).toMatchObject({ ok: true, answer: { status: 404 }, upstream: null });
    expect(upstream.calls).toBe(1);
    const expired = await stub.obtain(ask("4040000000000000001", { now: NOON + 30_000 }));
    expect(expired).toMatchObject({ ok: true, upstream: { role: "called" } });
    expect(upstream.calls).toBe(2);
  });

  it("never stores an error, and says what it was as data", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "status", status: 500, times: 1 });
    const stub = coordinatorFor("5");
    const failed = await stub.obtain(ask("5"));
    expect(failed).toEqual({
      ok: false,
      kind: "upstream-error",
      detail: "KeyAPI failed with status 500.",
      blame: "upstream",
      upstream: { role: "called", status: 500, durationMs: expect.any(Number) },
    });
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec("SELECT * FROM copy").toArray(),
    );
    expect(rows).toEqual([]);
    expect(await stub.obtain(ask("5"))).toMatchObject({ ok: true, upstream: { role: "called", status: 200 } });
    expect(upstream.calls).toBe(2);
  });

  it("says whose fault a failure was, as data: a refusal of the input is the request's", async () => {
    fakeKeyApi(() => refusal(400, { inEnvelope: true }));
    expect(await coordinatorFor("4000000000000000001").obtain(ask("4000000000000000001"))).toMatchObject({
      ok: false,
      kind: "upstream-error",
      blame: "request",
      upstream: { role: "called" },
    });
  });

  it("blames an answer too large to read on the request: any client can ask for the largest sound", async () => {
    const padding = new TextEncoder().encode(" ".repeat(64 * 1024));
    fakeKeyApi(() => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(padding);
          if (++sent * padding.byteLength > ANSWER_LIMITS.bodyBytes) controller.close();
        },
      });
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    });
    expect(await coordinatorFor("77").obtain(ask("77"))).toMatchObject({
      ok: false,
      detail: "KeyAPI sent an answer too large to read.",
      blame: "request",
    });
  });

  it("decides by purpose: revalidate wants a fresh newer copy, warm-up freshness until the next run", async () => {
    const upstream = fakeKeyApi();
    const stub = coordinatorFor("6");
    await stub.obtain(ask("6"));
    // A location with a stale copy of the same age needs a new call …
    const stale = await stub.obtain(ask("6", { purpose: "revalidate", haveStoredAt: NOON, now: NOON + 61_000 }));
    expect(stale).toMatchObject({ ok: true, upstream: { role: "called" }, answer: { storedAt: NOON + 61_000 } });
    // … a second location with the same old copy takes the fresher one.
    const other = await stub.obtain(ask("6", { purpose: "revalidate", haveStoredAt: NOON, now: NOON + 62_000 }));
    expect(other).toMatchObject({ ok: true, upstream: null, answer: { storedAt: NOON + 61_000 } });
    // FRESH_TTL_SECONDS is 60 here: never fresh until the next run 5 minutes on, so the cron always calls.
    expect(await stub.obtain(ask("6", { purpose: "warm-up", now: NOON + 62_000 }))).toMatchObject({
      upstream: { role: "called" },
    });
    expect(upstream.calls).toBe(3);
  });
});

group("an answer the object cannot store", () => {
  it("is still handed to every asker, from memory, and costs one KeyAPI call, not one per asker", async () => {
    const upstream = fakeKeyApi();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stub = coordinatorFor("12");
    // Storage refuses the row, as SQLite refuses one over its size limit.
    await runInDurableObject(stub, (_instance, state) => {
      const sql = Object.getPrototypeOf(state.storage.sql) as SqlStorage;
      const exec = sql.exec;
      vi.spyOn(sql, "exec").mockImplementation(function (this: SqlStorage, query, ...bindings) {
        if (query.startsWith("INSERT OR REPLACE INTO copy")) throw new Error("string or blob too big: SQLITE_TOOBIG");
        return exec.call(this, query, ...bindings);
      });
    });
    const first = await stub.obtain(ask("12"));
    expect(first).toMatchObject({ ok: true, answer: { status: 200 }, upstream: { role: "called" } });
    const later = await Promise.all([stub.obtain(ask("12")), stub.obtain(ask("12", { now: NOON + 30_000 }))]);
    for (const outcome of later)
      expect(outcome).toMatchObject({ ok: true, upstream: null, answer: { storedAt: NOON } });
    // A location with empty tiers asks the object too, and gets the same copy.
    await env.SOUND_CACHE.delete(`sound:${cacheKey(detailEndpoint, { clipId: "12", period: 7, region: "US" })}`);
    const [location] = locations(1).workers;
    const res = await location?.fetch(`${SOUND_PATH}?clip_id=12`);
    expect(res?.headers.get("Server-Timing"), res && (await describe(res))).toBe('cache;desc="coordinator"');
    expect(upstream.calls).toBe(1);
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toContain(
      "coordinator could not store its copy",
    );
  });
});

group("stale in every location", () => {
  it("is refreshed once for all of them, and every location then serves the new copy", async () => {
    const upstream = fakeKeyApi();
    const { clock, workers } = locations(6);
    await Promise.all(workers.map((worker) => worker.fetch(`${SOUND_PATH}?clip_id=7`)));
    expect(upstream.calls).toBe(1);
    clock.now += 61_000;
    upstream.mock.behave({ latencyMs: 30 });
    const stale = await Promise.all(workers.map((worker) => worker.fetch(`${SOUND_PATH}?clip_id=7`)));
    for (const res of stale) expect(res.headers.get("X-Cache"), await describe(res)).toBe("STALE");
    expect(upstream.calls).toBe(2);
    const fresh = await Promise.all(workers.map((worker) => worker.fetch(`${SOUND_PATH}?clip_id=7`)));
    for (const res of fresh) expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");
    expect(new Set(await Promise.all(fresh.map((res) => res.headers.get("ETag")))).size).toBe(1);
    expect(upstream.calls).toBe(2);
  });
});

group("when the coordinator fails", () => {
  const throwing = {
    idFromName: (name: string) => ({ name }),
    get: () => ({ obtain: () => Promise.reject(new Error("Durable Object is overloaded")) }),
  };
  const hanging = {
    idFromName: (name: string) => ({ name }),
    get: () => ({ obtain: () => new Promise(() => {}) }),
  };

  it("without a budget, falls back to a direct call, coalesced in the isolate, and warns", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 20 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const [worker] = locations(1, { SOUND_COORDINATOR: throwing, CREDIT_BUDGET_PER_DAY: "0" }).workers;
    const responses = await Promise.all(Array.from({ length: 5 }, () => worker?.fetch(`${SOUND_PATH}?clip_id=8`)));
    for (const res of responses) expect(res?.status).toBe(200);
    expect(responses[0]?.headers.get("X-Cache")).toBe("MISS");
    expect(upstream.calls).toBe(1);
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toContain("coordinator unreachable");
  });

  it("with a budget, fails closed: 503 upstream-unavailable with Retry-After, no call", async () => {
    const upstream = fakeKeyApi();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const [worker] = locations(1, { SOUND_COORDINATOR: throwing, CREDIT_BUDGET_PER_DAY: "100" }).workers;
    const res = await worker?.fetch(`${SOUND_PATH}?clip_id=9`);
    expect(res?.status).toBe(503);
    expect(res?.headers.get("Retry-After")).toBe("30");
    expect(await res?.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-unavailable" });
    expect(upstream.calls).toBe(0);
  });

  it("with a budget, still serves a stale copy the location holds", async () => {
    const upstream = fakeKeyApi();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const clock = { now: NOON };
    const broken = { SOUND_COORDINATOR: throwing, CREDIT_BUDGET_PER_DAY: "100", ...TTLS };
    const healthy = testWorker({ ...TTLS, CREDIT_BUDGET_PER_DAY: "100" }, { clock: () => clock.now });
    await healthy.fetch(`${SOUND_PATH}?clip_id=10`);
    // Another location whose coordinator is unreachable, that finds the copy in KV.
    const cut = testWorker(broken, { clock: () => clock.now });
    clock.now += 61_000;
    const res = await cut.fetch(`${SOUND_PATH}?clip_id=10`);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("STALE");
    expect(upstream.calls).toBe(1);
  });

  it("a coordinator that does not answer within UPSTREAM_TIMEOUT_MS gives 504, never a direct call", async () => {
    const upstream = fakeKeyApi();
    const [worker] = locations(1, { SOUND_COORDINATOR: hanging, UPSTREAM_TIMEOUT_MS: "100" }).workers;
    // The stub never answers: only the location's own deadline can end this request.
    const res = await worker?.fetch(`${SOUND_PATH}?clip_id=11`);
    expect(res?.status).toBe(504);
    expect(await res?.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-timeout" });
    expect(upstream.calls).toBe(0);
  });
});
