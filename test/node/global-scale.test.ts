/**
 * The global promises with several locations: the built production worker as
 * six separately named workers in one Miniflare (each its own isolate, KV
 * namespace and Cache API host, all sharing the Durable Object namespaces of
 * the first), and the mock KeyAPI over HTTP counting calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { zipfRanks } from "../../bench/lib/load.ts";
import { buildBundle, type Locations, startLocations } from "../../bench/lib/locations.ts";
import { type RunningMock, startMockServer } from "../../mock/server.ts";
import { sign } from "../../src/webhook/signature.ts";

const LOCATIONS = 6;
const SOUND_PATH = "/v1/tiktok/trending/music/detail";
const path = (clipId: string | number) => `${SOUND_PATH}?clip_id=${clipId}`;
const WEBHOOK_SECRET = "global-scale-webhook-secret";

let bundle: Awaited<ReturnType<typeof buildBundle>>;
let mock: RunningMock;

beforeAll(async () => {
  [bundle, mock] = await Promise.all([buildBundle(), startMockServer()]);
}, 60_000);

afterAll(async () => {
  await mock?.close();
  bundle?.remove();
});

beforeEach(() => mock.mock.reset());

/** Sends `paths[i]` to location `i % count`, `concurrency` at a time, in order. */
async function spread(locations: Locations, paths: string[], concurrency: number): Promise<Response[]> {
  const responses: Response[] = [];
  for (let start = 0; start < paths.length; start += concurrency) {
    const wave = paths.slice(start, start + concurrency);
    responses.push(
      ...(await Promise.all(wave.map((each, offset) => locations.fetch((start + offset) % locations.count, each)))),
    );
  }
  return responses;
}

describe(`${LOCATIONS} locations, one coordinator per key`, () => {
  let locations: Locations;

  beforeAll(async () => {
    locations = await startLocations({
      count: LOCATIONS,
      bundleDir: bundle.dir,
      keyapiBaseUrl: mock.url,
      vars: { WEBHOOK_SECRET },
    });
  }, 60_000);

  afterAll(() => locations?.close());

  it("120 simultaneous cold requests, 20 in every location, cost 1 KeyAPI call", async () => {
    mock.mock.behave({ latencyMs: 50 });
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => locations.fetch(i % LOCATIONS, path("600000000000000001"))),
    );
    for (const res of responses) expect(res.status).toBe(200);
    expect(new Set(await Promise.all(responses.map((res) => res.text()))).size).toBe(1);
    expect(mock.mock.stats.calls).toBe(1);
  });

  it("the same signed refresh arriving in every location at once costs 1 call", async () => {
    mock.mock.behave({ latencyMs: 50 });
    const body = JSON.stringify({ items: [{ clip_id: "600000000000000003" }] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = await sign(WEBHOOK_SECRET, timestamp, body);
    const refresh = (index: number) =>
      locations.fetch(index, "/v1/webhooks/refresh", {
        method: "POST",
        body,
        headers: {
          "Content-Type": "application/json",
          "X-Webhook-Timestamp": timestamp,
          "X-Webhook-Signature": signature,
        },
      });
    const answers = await Promise.all(Array.from({ length: LOCATIONS }, (_, i) => refresh(i)));
    for (const answer of answers) {
      expect(((await answer.json()) as { results: { status: number }[] }).results[0]?.status).toBe(200);
    }
    expect(mock.mock.stats.calls).toBe(1);
  });

  it("a Zipf mix of 1,200 requests over 120 keys across the locations costs one call per distinct key", async () => {
    const ranks = zipfRanks(1200, 120, 1.1, 9);
    const paths = ranks.map((rank) => path(`7${String(rank).padStart(17, "0")}`));
    const responses = await spread(locations, paths, 24);
    expect(responses.every((res) => res.status === 200)).toBe(true);
    const distinct = new Set(paths).size;
    expect(mock.mock.stats.calls).toBe(distinct);
    expect(Object.values(mock.mock.stats.byKey).every((calls) => calls === 1)).toBe(true);
  }, 60_000);
});

describe(`${LOCATIONS} locations, a key going stale everywhere`, () => {
  let locations: Locations;

  beforeAll(async () => {
    // A short freshness so a key can go stale everywhere within the test.
    locations = await startLocations({
      count: LOCATIONS,
      bundleDir: bundle.dir,
      keyapiBaseUrl: mock.url,
      vars: { FRESH_TTL_SECONDS: "3" },
    });
  }, 60_000);

  afterAll(() => locations?.close());

  it("a key stale in every location is refreshed once, and every location then serves the new copy", async () => {
    const clip = "600000000000000002";
    const first = await Promise.all(Array.from({ length: LOCATIONS }, (_, i) => locations.fetch(i, path(clip))));
    const original = first[0]?.headers.get("ETag");
    expect(mock.mock.stats.calls).toBe(1);

    // The only way to age a copy in the built worker: wait out FRESH_TTL_SECONDS.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const stale = await Promise.all(Array.from({ length: LOCATIONS }, (_, i) => locations.fetch(i, path(clip))));
    expect(stale.map((res) => res.headers.get("X-Cache"))).toEqual(Array(LOCATIONS).fill("STALE"));
    // Background refreshes finish after the responses; wait for the one call they share.
    await expect.poll(() => mock.mock.stats.calls, { timeout: 2000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const fresh = await Promise.all(Array.from({ length: LOCATIONS }, (_, i) => locations.fetch(i, path(clip))));
    expect(fresh.map((res) => res.headers.get("X-Cache"))).toEqual(Array(LOCATIONS).fill("HIT"));
    const etags = new Set(fresh.map((res) => res.headers.get("ETag")));
    expect(etags.size).toBe(1);
    expect(etags.has(original ?? null)).toBe(false);
    expect(mock.mock.stats.calls).toBe(2);
  }, 20_000);
});

describe(`${LOCATIONS} locations under a budget of 20 credits`, () => {
  let locations: Locations;
  const logs: string[] = [];
  const admin = { headers: { Authorization: "Bearer admin-token-for-the-test" } };

  beforeAll(async () => {
    locations = await startLocations({
      count: LOCATIONS,
      bundleDir: bundle.dir,
      keyapiBaseUrl: mock.url,
      vars: { CREDIT_BUDGET_PER_DAY: "20", ADMIN_TOKEN: "admin-token-for-the-test" },
      onLog: (message) => logs.push(message),
    });
  }, 60_000);

  afterAll(() => locations?.close());

  it("30 distinct cold keys across the locations make exactly 10 calls; the rest are refused", async () => {
    const paths = Array.from({ length: 30 }, (_, i) => path(`80000000000000000${String(i).padStart(2, "0")}`));
    const responses = await spread(locations, paths, 10);
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 503)).toHaveLength(20);
    const refused = responses.find((res) => res.status === 503);
    expect(await refused?.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:credit-budget-exhausted" });
    const midnight = Math.ceil(
      (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) /
        1000,
    );
    expect(Math.abs(Number(refused?.headers.get("Retry-After")) - midnight)).toBeLessThanOrEqual(5);
    expect(mock.mock.stats.calls).toBe(10);

    const usage = await locations.fetch(3, "/v1/admin/usage", admin);
    expect(await usage.json()).toMatchObject({
      credits_spent: 20,
      credit_budget: 20,
      credits_left: 0,
      upstream_calls: 10,
    });

    // The history and the key table, asked in other locations, agree with the calls KeyAPI got and with the
    // upstream_call log lines; each call's outcome arrives after its answer.
    const calls = logs.flatMap((message) => {
      const line = JSON.parse(message.slice(message.indexOf("{"))) as { event?: string; key?: string };
      return line.event === "upstream_call" ? [line.key] : [];
    });
    expect(calls).toHaveLength(10);
    await expect
      .poll(async () => {
        const history = await (await locations.fetch(1, "/v1/admin/usage/history?days=1", admin)).json();
        return (history as { days: unknown[] }).days[0];
      })
      .toMatchObject({ credits_spent: 20, upstream_calls: 10, outcomes: { "2xx": 10, unknown: 0 } });
    const keys = (await (await locations.fetch(5, "/v1/admin/usage/keys?limit=100", admin)).json()) as {
      key: string;
      calls: number;
      credits: number;
    }[];
    expect(keys.map(({ key }) => key).sort()).toEqual([...calls].sort());
    expect(keys.map(({ key }) => key).sort()).toEqual(Object.keys(mock.mock.stats.byKey).sort());
    expect(keys.every(({ calls, credits }) => calls === 1 && credits === 2)).toBe(true);
  }, 30_000);
});
