/**
 * What downstream caches make of the caching headers, judged by `http-cache-semantics` (the library Node's
 * HTTP caches use, and an RFC 9111 reading of `Age` + `max-age` like browsers' and CDNs'): a fresh answer is
 * reusable for min(300, its freshness left) seconds from now and no more, whatever its `Age`, on every surface
 * (a sound's and a chart's).
 */
import CachePolicy from "http-cache-semantics";
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

/** The defaults in wrangler.toml. */
const FRESH = 3600;
const STALE = 172_800;
const NEGATIVE = 300;
const UNKNOWN_CLIP_ID = "4040000000000000001";

/** The downstream cache's own clock, in ms; moved by the tests. */
let cacheNow = 0;
class CacheAt extends CachePolicy {
  now(): number {
    return cacheNow;
  }
  /** In http-cache-semantics 4.3, not yet in @types/http-cache-semantics. */
  declare useStaleWhileRevalidate: () => boolean;
}

/** A surface: its path for a clip id (on a worker at `origin`), its status, and whether a sound can be missing. */
type Surface = {
  name: string;
  path: (clipId: string, origin: string) => string;
  status: (found: boolean) => number;
  /** Charts have no "not found": an empty chart is a 200. */
  chart?: true;
};
const SURFACES: Surface[] = [
  { name: "JSON", path: (id) => `${SOUND_PATH}?clip_id=${id}`, status: (found) => (found ? 200 : 404) },
  // Errors are drawn with HTTP 200 (X-Card-Status says 404).
  { name: "card", path: (id) => `/v1/tiktok/trending/music/card.svg?clip_id=${id}`, status: () => 200 },
  { name: "embed page", path: (id) => `/embed/sound/${id}`, status: (found) => (found ? 200 : 404) },
  {
    name: "oEmbed",
    path: (id) => `/oembed?url=${encodeURIComponent(`https://www.tiktok.com/music/x-${id}`)}`,
    status: (found) => (found ? 200 : 404),
  },
  // The chart's surfaces, drawn from its first upstream page (the clip id plays no part).
  { name: "chart JSON", path: () => "/v1/tiktok/trending/music?region=US", status: () => 200, chart: true },
  { name: "chart card", path: () => "/v1/tiktok/trending/music/chart.svg?region=US", status: () => 200, chart: true },
  { name: "chart page", path: () => "/embed/chart?region=US", status: () => 200, chart: true },
  {
    name: "chart oEmbed",
    path: (_id, origin) => `/oembed?url=${encodeURIComponent(`${origin}/embed/chart?region=US`)}`,
    status: () => 200,
    chart: true,
  },
];

/**
 * A worker whose clock the test moves: asks for one surface when KeyAPI answers (a miss), then `ageSeconds`
 * later; returns the later answer and a downstream cache's policy for it.
 */
async function answerAged(surface: Surface, clipId: string, ageSeconds: number) {
  const start = Date.UTC(2026, 10, 25, 12);
  let now = start;
  const worker = testWorker({}, { clock: () => now });
  const path = surface.path(clipId, worker.origin);
  let res = await worker.fetch(path);
  if (ageSeconds > 0) {
    now = start + ageSeconds * 1000;
    res = await worker.fetch(path);
  }
  cacheNow = 0;
  const policy = new CacheAt(
    { url: path, method: "GET", headers: {} },
    { status: res.status, headers: Object.fromEntries(res.headers) },
    { shared: true },
  );
  return { res, policy };
}

/** Checks the policy is fresh now and for `seconds` more (give or take one), then not. */
function expectFreshFor(policy: CachePolicy, seconds: number, why: string) {
  expect(policy.stale(), `${why}: fresh on arrival`).toBe(false);
  expect(policy.maxAge() - policy.age(), `${why}: seconds of freshness left`).toBeCloseTo(seconds, 0);
  cacheNow = (seconds - 1) * 1000;
  expect(policy.stale(), `${why}: still fresh ${seconds - 1} s later`).toBe(false);
  cacheNow = seconds * 1000;
  expect(policy.stale(), `${why}: stale ${seconds} s later`).toBe(true);
  cacheNow = 0;
}

group.each(SURFACES)("$name: what a downstream cache may do with it", (surface) => {
  it.each([0, 72, 378, FRESH - 100, FRESH - 1])(
    "a fresh answer %i s old is reusable for min(300, freshness left)",
    async (age) => {
      fakeKeyApi();
      const { res, policy } = await answerAged(surface, EXAMPLE_CLIP_ID, age);
      expect(res.status, await describe(res)).toBe(surface.status(true));
      expect(res.headers.get("Age")).toBe(String(age));
      expect(res.headers.get("X-Cache")).toBe(age === 0 ? "MISS" : "HIT");
      const freshFor = Math.min(300, FRESH - age);
      const servableLeft = FRESH + STALE - age;
      expectFreshFor(policy, freshFor, `${surface.name} at Age ${age}`);
      expect(res.headers.get("Cache-Control")).toBe(
        `public, max-age=${age + freshFor}, stale-while-revalidate=${servableLeft - freshFor}, stale-if-error=${servableLeft - freshFor}`,
      );
      // Then usable stale, while revalidating or when the origin fails, until the copy may no longer be served.
      expect(policy.timeToLive(), "timeToLive: fresh, then stale-while-revalidate").toBeCloseTo(
        servableLeft * 1000,
        -3,
      );
      cacheNow = (servableLeft - 1) * 1000;
      expect(policy.useStaleWhileRevalidate()).toBe(true);
      cacheNow = servableLeft * 1000;
      expect(policy.useStaleWhileRevalidate()).toBe(false);
      if (surface.name.endsWith("oEmbed")) {
        expect(((await res.json()) as { cache_age: number }).cache_age).toBe(freshFor);
      }
    },
  );

  it("a stale answer is max-age=0, usable only while revalidating or on errors, until its stale window ends", async () => {
    fakeKeyApi();
    const age = FRESH + 100;
    const { res, policy } = await answerAged(surface, EXAMPLE_CLIP_ID, age);
    expect(res.status, await describe(res)).toBe(surface.status(true));
    expect(res.headers.get("X-Cache")).toBe("STALE");
    expect(res.headers.get("Age")).toBe(String(age));
    const servableLeft = FRESH + STALE - age;
    expect(res.headers.get("Cache-Control")).toBe(
      `public, max-age=0, stale-while-revalidate=${age + servableLeft}, stale-if-error=${age + servableLeft}`,
    );
    expect(policy.stale()).toBe(true);
    expect(policy.useStaleWhileRevalidate()).toBe(true);
    expect(policy.timeToLive()).toBeCloseTo(servableLeft * 1000, -3);
    cacheNow = servableLeft * 1000;
    expect(policy.useStaleWhileRevalidate()).toBe(false);
    if (surface.name.endsWith("oEmbed")) expect(((await res.json()) as { cache_age: number }).cache_age).toBe(0);
  });
});

group.each(SURFACES.filter((surface) => !surface.chart))("$name: a sound that is not found", (surface) => {
  it.each([0, 72, NEGATIVE - 1])(
    "a cached sound-not-found %i s old is reusable for its TTL left, no more",
    async (age) => {
      fakeKeyApi();
      const { res, policy } = await answerAged(surface, UNKNOWN_CLIP_ID, age);
      expect(res.status, await describe(res)).toBe(surface.status(false));
      if (surface.name === "card") expect(res.headers.get("X-Card-Status")).toBe("404");
      expect(res.headers.get("Age")).toBe(String(age));
      const freshFor = NEGATIVE - age;
      expectFreshFor(policy, freshFor, `${surface.name} not found at Age ${age}`);
      expect(res.headers.get("Cache-Control")).toBe(`public, max-age=${age + freshFor}`);
      expect(policy.timeToLive()).toBeCloseTo(freshFor * 1000, -3);
    },
  );
});
