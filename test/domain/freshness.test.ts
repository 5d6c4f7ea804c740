import { expect, describe as group, it } from "vitest";
import { MemoryCache } from "../../src/cache/memory";
import { cacheKey } from "../../src/domain/endpoint";
import {
  type CachedAnswer,
  CRON_INTERVAL_SECONDS,
  etagOf,
  freshness,
  newest,
  satisfies,
} from "../../src/domain/freshness";
import { callFits, nextUtcMidnight, secondsUntilNextUtcMidnight, utcDay } from "../../src/domain/upstream";
import { detailEndpoint } from "../../src/endpoints/detail";
import { isNotModified } from "../../src/http/cache-headers";
import { CircuitBreaker } from "../../src/keyapi/breaker";

const ttls = { freshSeconds: 60, staleSeconds: 120, negativeSeconds: 30 };
const answer = (status: 200 | 404, storedAt = 0): CachedAnswer => ({ status, body: "{}", etag: '"x"', storedAt });

group("freshness", () => {
  it.each([
    [200, 0, "fresh"],
    [200, 59_999, "fresh"],
    [200, 60_000, "stale"],
    [200, 179_999, "stale"],
    [200, 180_000, "expired"],
    [404, 29_999, "fresh"],
    [404, 30_000, "expired"],
  ] as const)("a %i answer %i ms old is %s", (status, age, expected) => {
    expect(freshness(answer(status), ttls, age)).toBe(expected);
  });

  it("prefers the answer fetched last", () => {
    const older = answer(200, 1);
    const newer = answer(200, 2);
    expect(newest(older, newer)).toBe(newer);
    expect(newest(newer, older)).toBe(newer);
    expect(newest(undefined, older)).toBe(older);
  });
});

group("which copy an asker takes (the coordinator's decision)", () => {
  const hour = { freshSeconds: 3600, staleSeconds: 7200, negativeSeconds: 30 };
  it.each([
    // purpose, status, stored at, now, asker's own copy, takes it?
    ["lookup", 200, 0, 3_599_999, undefined, true],
    ["lookup", 200, 0, 3_600_000, undefined, true],
    ["lookup", 200, 0, 10_800_000, undefined, false],
    ["lookup", 404, 0, 29_999, undefined, true],
    ["lookup", 404, 0, 30_000, undefined, false],
    ["revalidate", 200, 1000, 2000, 0, true],
    ["revalidate", 200, 1000, 2000, 1000, false],
    ["revalidate", 200, 0, 3_600_000, -1, false],
    ["webhook", 200, 0, 4999, undefined, true],
    ["webhook", 200, 0, 5000, undefined, false],
    ["warm-up", 200, 0, 3_300_000, undefined, true],
    ["warm-up", 200, 0, 3_300_001, undefined, false],
    // A not-found is left alone for the cron's recheck period, past its 30 s TTL.
    ["warm-up", 404, 0, 30_000, undefined, true],
    ["warm-up", 404, 0, 3_599_999, undefined, true],
    ["warm-up", 404, 0, 3_600_000, undefined, false],
  ] as const)(
    "%s: a %i copy stored at %i, asked at %i (have %s) → %s",
    (purpose, status, storedAt, now, have, takes) => {
      expect(satisfies(answer(status, storedAt), purpose, hour, now, have)).toBe(takes);
    },
  );
});

group("what the cron leaves alone (it runs every 5 minutes)", () => {
  const short = { freshSeconds: 400, staleSeconds: 7200, negativeSeconds: 300 };
  it.each([
    // status, age in seconds, takes it?
    [200, 60, true],
    [200, 100, true],
    [200, 100.001, false],
    [200, 400, false],
    [404, 0, true],
    [404, 300, true],
    [404, 3599.999, true],
    [404, 3600, false],
  ] as const)("a %i copy %d s old with FRESH_TTL_SECONDS=400 → %s", (status, age, takes) => {
    expect(satisfies(answer(status, 0), "warm-up", short, age * 1000)).toBe(takes);
  });

  it("runs as often as wrangler.toml's cron says (test/node/wrangler.test.ts)", () => {
    expect(CRON_INTERVAL_SECONDS).toBe(300);
  });
});

group("the UTC day", () => {
  it.each([
    [Date.UTC(2026, 10, 25, 0, 0, 0), "2026-11-25", 86_400],
    [Date.UTC(2026, 10, 25, 12), "2026-11-25", 43_200],
    [Date.UTC(2026, 10, 25, 23, 59, 59, 1), "2026-11-25", 1],
    [Date.UTC(2026, 11, 31, 23, 0), "2026-12-31", 3600],
  ])("%i is on %s, %i s before the budget resets", (now, day, seconds) => {
    expect(utcDay(now)).toBe(day);
    expect(secondsUntilNextUtcMidnight(now)).toBe(seconds);
    expect(utcDay(nextUtcMidnight(now))).not.toBe(day);
  });

  it("allows floor(B/2) calls a day, and no limit for 0", () => {
    const callsThatFit = (budget: number) => {
      let calls = 0;
      while (calls < 100 && callFits(calls * 2, budget)) calls += 1;
      return calls;
    };
    expect([0, 1, 2, 3, 20, 21].map(callsThatFit)).toEqual([100, 0, 1, 1, 10, 10]);
  });
});

group("cacheKey", () => {
  it("is the normalised query plus the payload format, nothing else", () => {
    expect(cacheKey(detailEndpoint, { clipId: "0042", period: 30, region: "GB" })).toBe("v1:0042:30:GB");
  });
});

group("etagOf", () => {
  it("is a strong, quoted validator that changes with the body", async () => {
    const etag = await etagOf('{"a":1}');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect(await etagOf('{"a":1}')).toBe(etag);
    expect(await etagOf('{"a":2}')).not.toBe(etag);
  });
});

group("isNotModified", () => {
  const current = { ...answer(200), etag: '"abc"' };
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"zzz", "abc"', true],
    ["*", true],
    ['"abd"', false],
    ["abc", false],
    [undefined, false],
  ])("If-None-Match %j → %s", (header, expected) => {
    expect(isNotModified(header, current)).toBe(expected);
  });
});

group("MemoryCache", () => {
  it("evicts the least recently used entry beyond its entry bound", () => {
    const memory = new MemoryCache<string>({ maxEntries: 2, maxBytes: 1000 });
    memory.set("a", "A", 1, 100);
    memory.set("b", "B", 1, 100);
    memory.get("a", 0);
    memory.set("c", "C", 1, 100);
    expect(memory.get("b", 0)).toBeUndefined();
    expect(memory.get("a", 0)).toBe("A");
    expect(memory.get("c", 0)).toBe("C");
    expect(memory.stats()).toMatchObject({ entries: 2, bytes: 2 });
  });

  it("evicts beyond its byte bound and refuses a value larger than the bound", () => {
    const memory = new MemoryCache<string>({ maxEntries: 10, maxBytes: 100 });
    memory.set("a", "A", 60, 100);
    memory.set("b", "B", 60, 100);
    expect(memory.get("a", 0)).toBeUndefined();
    memory.set("huge", "H", 101, 100);
    expect(memory.get("huge", 0)).toBeUndefined();
    expect(memory.stats()).toMatchObject({ entries: 1, bytes: 60 });
  });

  it("drops an entry once it expires", () => {
    const memory = new MemoryCache<string>({ maxEntries: 10, maxBytes: 100 });
    memory.set("a", "A", 1, 100);
    expect(memory.get("a", 99)).toBe("A");
    expect(memory.get("a", 100)).toBeUndefined();
    expect(memory.stats().entries).toBe(0);
  });
});

group("CircuitBreaker", () => {
  it("opens after the threshold, admits one trial when half-open, closes on success", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 1000 });
    for (let i = 0; i < 2; i++) breaker.failed(0);
    expect(breaker.state(0)).toBe("closed");
    breaker.failed(0);
    expect(breaker.state(0)).toBe("open");
    expect(breaker.admit(500)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(breaker.state(1000)).toBe("half-open");
    expect(breaker.admit(1000)).toEqual({ allowed: true, trial: true });
    expect(breaker.admit(1000)).toMatchObject({ allowed: false });
    breaker.succeeded();
    expect(breaker.state(1000)).toBe("closed");
  });

  it("reopens when the trial fails", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1000 });
    breaker.failed(0);
    expect(breaker.admit(1000)).toEqual({ allowed: true, trial: true });
    breaker.failed(1000);
    expect(breaker.state(1500)).toBe("open");
    expect(breaker.state(2000)).toBe("half-open");
  });

  it("gives an unused trial back, and ignores a release of an ordinary admission", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1000 });
    const ordinary = breaker.admit(0);
    expect(ordinary).toEqual({ allowed: true, trial: false });
    breaker.failed(0);
    const trial = breaker.admit(1000);
    expect(breaker.admit(1000)).toMatchObject({ allowed: false });
    breaker.release(ordinary);
    expect(breaker.state(1000)).toBe("open");
    breaker.release(trial);
    expect(breaker.state(1000)).toBe("half-open");
    expect(breaker.admit(1000)).toEqual({ allowed: true, trial: true });
  });

  it("counts consecutive failures only", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1000 });
    breaker.failed(0);
    breaker.succeeded();
    breaker.failed(0);
    expect(breaker.state(0)).toBe("closed");
  });
});
