import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expect, describe as group, it } from "vitest";
import { CHART_PATH } from "../support/charts";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const RATE_LIMIT = 120;
const MISS_LIMIT = 30;
const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;

group("RATE_LIMITER", () => {
  it("answers 429 with Retry-After past 120 requests a minute, before any cache or upstream work", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://a.example" });
    const client = { "CF-Connecting-IP": "203.0.113.7", Origin: "https://a.example" };
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) {
      statuses.push((await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: client })).status);
    }
    expect(statuses.every((status) => status === 200)).toBe(true);

    const refused = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: client });
    expect(refused.status, await describe(refused)).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(refused.headers.get("X-Cache")).toBeNull();
    expect(await refused.json()).toMatchObject({ type: problem("rate-limited"), status: 429 });

    // The webhook is under /v1/* too; other clients are not affected.
    expect((await worker.fetch("/v1/webhooks/refresh", { method: "POST", headers: client })).status).toBe(429);
    const other = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: { "CF-Connecting-IP": "203.0.113.8" } });
    expect(other.status).toBe(200);
    expect(upstream.calls).toBe(1);
  }, 30_000);

  it("counts every address of one IPv6 /64 as one client", async () => {
    await withinOneRateWindow();
    fakeKeyApi();
    const worker = testWorker();
    const statuses = new Map<number, number>();
    for (let i = 0; i <= RATE_LIMIT; i++) {
      const address = `2001:db8:120:120:${(i % 7).toString(16)}:${i.toString(16)}::${i + 1}`;
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: { "CF-Connecting-IP": address } });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: RATE_LIMIT, 429: 1 });
    // The next /64 is another client.
    const other = await worker.fetch(`${SOUND_PATH}?clip_id=1`, {
      headers: { "CF-Connecting-IP": "2001:db8:120:121::1" },
    });
    expect(other.status).toBe(200);
  }, 30_000);

  it("does not count /health", async () => {
    const worker = testWorker();
    for (let i = 0; i < RATE_LIMIT + 5; i++) {
      const res = await worker.fetch("/health", { headers: { "CF-Connecting-IP": "203.0.113.9" } });
      expect(res.status).toBe(200);
    }
  });
});

group("MISS_LIMITER", () => {
  it("refuses a client's 31st cache miss a minute but keeps serving what is cached", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.20" };
    for (let clip = 1; clip <= MISS_LIMIT; clip++) {
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`, { headers: client });
      expect(res.status, await describe(res)).toBe(200);
    }
    const refused = await worker.fetch(`${SOUND_PATH}?clip_id=31`, { headers: client });
    expect(refused.status, await describe(refused)).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(await refused.json()).toMatchObject({
      type: problem("rate-limited"),
      detail: expect.stringContaining("Cached ones are still served"),
    });

    const cached = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: client });
    expect(cached.status).toBe(200);
    expect(cached.headers.get("X-Cache")).toBe("HIT");
    expect(upstream.calls).toBe(MISS_LIMIT);

    // Another client's miss on the same key is not refused for the first one's budget.
    const other = await worker.fetch(`${SOUND_PATH}?clip_id=31`, { headers: { "CF-Connecting-IP": "203.0.113.21" } });
    expect(other.status).toBe(200);
  }, 30_000);

  it("lets 1,000 random distinct clip_ids from one client cost at most MISS_LIMITER upstream calls", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.30" };
    const seen = new Set<string>();
    const counts = new Map<number, number>();
    while (seen.size < 1000) {
      const clip = String(Math.floor(Math.random() * 1e18) + 1e17);
      if (seen.has(clip)) continue;
      seen.add(clip);
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`, { headers: client });
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    }
    expect(upstream.calls).toBeLessThanOrEqual(MISS_LIMIT);
    expect(counts.get(200)).toBe(MISS_LIMIT);
    expect(counts.get(429)).toBe(1000 - MISS_LIMIT);
  }, 60_000);

  it("does not charge a request that joins another's KeyAPI call", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 100 });
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.40" };
    // 50 concurrent requests for one cold key from one client: one miss, one call.
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => worker.fetch(`${SOUND_PATH}?clip_id=42`, { headers: client })),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
    expect(upstream.calls).toBe(1);
    // 29 more misses still fit in this client's budget.
    for (let clip = 100; clip < 100 + MISS_LIMIT - 1; clip++) {
      expect((await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`, { headers: client })).status).toBe(200);
    }
  }, 30_000);
});

group("charts", () => {
  it("RATE_LIMITER counts chart requests like any other /v1/* request", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.50" };
    for (let i = 0; i < RATE_LIMIT; i++) {
      const res = await worker.fetch(`${CHART_PATH}?limit=${(i % 20) + 1}`, { headers: client });
      expect(res.status, await describe(res)).toBe(200);
    }
    const refused = await worker.fetch(`${CHART_PATH}?limit=5`, { headers: client });
    expect(refused.status, await describe(refused)).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(upstream.calls).toBe(1);
  }, 30_000);

  it("MISS_LIMITER charges a chart miss once per upstream page it fetches, and still serves held pages", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.51" };
    const regions = ["US", "GB", "DE", "FR", "JP", "BR", "CA", "AU", "IT", "ES", "MX", "NL", "SE", "NO", "DK", "FI"];
    // 15 cold windows across two pages each: 30 misses.
    for (const region of regions.slice(0, 15)) {
      const res = await worker.fetch(`${CHART_PATH}?region=${region}&page=3&limit=7`, { headers: client });
      expect(res.status, await describe(res)).toBe(200);
    }
    expect(upstream.calls).toBe(MISS_LIMIT);
    const refused = await worker.fetch(`${CHART_PATH}?region=FI&limit=5`, { headers: client });
    expect(refused.status, await describe(refused)).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(upstream.calls).toBe(MISS_LIMIT);
    // Any window of the pages held costs no miss.
    for (const window of ["limit=20", "page=2&limit=20", "page=4&limit=5"]) {
      const res = await worker.fetch(`${CHART_PATH}?region=US&${window}`, { headers: client });
      expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");
    }
    const other = await worker.fetch(`${CHART_PATH}?region=FI&limit=5`, {
      headers: { "CF-Connecting-IP": "203.0.113.52" },
    });
    expect(other.status, await describe(other)).toBe(200);
    expect(upstream.calls).toBe(MISS_LIMIT + 1);
  }, 30_000);
});

group("who counts as one client", () => {
  /** `count` cold lookups of distinct clip ids, the i-th from `addresses[i % length]`; the statuses, counted. */
  async function coldLookups(addresses: (string | undefined)[], count: number, firstClip: number) {
    const worker = testWorker();
    const statuses = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const address = addresses[i % addresses.length];
      const request = new Request(new URL(`${SOUND_PATH}?clip_id=${firstClip + i}`, worker.origin));
      // `undefined`: no header at all (the test worker would otherwise add its own address).
      if (address !== undefined) request.headers.set("CF-Connecting-IP", address);
      const ctx = createExecutionContext();
      const res = await worker.app.fetch(request, worker.env, ctx);
      await waitOnExecutionContext(ctx);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    return statuses;
  }

  it.each([
    [
      "60 addresses of one IPv6 /64 share one miss budget",
      Array.from({ length: 60 }, (_, i) => `2001:db8:64:64:${i.toString(16)}:${i}::${i + 1}`),
      60,
      640_000,
    ],
    [
      "different spellings of one IPv6 address are one client",
      ["2001:db8:65::1", "2001:DB8:65::1", "2001:db8:65:0::1", "2001:0db8:0065:0000::0001"],
      MISS_LIMIT + 1,
      650_000,
    ],
    [
      // 203.0.113.66 = cb00:7142
      "an IPv4 address and its IPv4-mapped IPv6 spellings are one client",
      ["203.0.113.66", "::ffff:203.0.113.66", "::ffff:cb00:7142", "0:0:0:0:0:FFFF:CB00:7142"],
      MISS_LIMIT + 1,
      660_000,
    ],
    [
      "an unparsable CF-Connecting-IP shares the bucket of a missing one: no free pass",
      [undefined, "garbage", "[2001:db8::1]:443", "fe80::1%eth0", "203.0.113.1:80", "x".repeat(300)],
      MISS_LIMIT + 1,
      670_000,
    ],
  ])(
    "%s: at most 30 KeyAPI calls",
    async (_name, addresses, count, firstClip) => {
      await withinOneRateWindow();
      const upstream = fakeKeyApi();
      const statuses = await coldLookups(addresses, count, firstClip);
      expect(upstream.calls).toBe(MISS_LIMIT);
      expect(Object.fromEntries(statuses)).toEqual({ 200: MISS_LIMIT, 429: count - MISS_LIMIT });
    },
    30_000,
  );
});
