/**
 * `GET /v1/tiktok/trending/music` through HTTP, KeyAPI faked: the payload, the
 * upstream request, canonical paging counted in KeyAPI calls, the caching
 * headers and the log lines.
 */
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { SECURITY_HEADERS } from "../../src/http/envelope";
import {
  CHART_PATH,
  chartRow,
  EXAMPLE_DATA,
  EXAMPLE_ROW,
  EXAMPLE_SOUND,
  listAnswer,
  pagesAsked,
  upstreamQuery,
} from "../support/charts";
import { logged, requestsLogged } from "../support/logs";
import { CALLER_HEADERS, fakeKeyApi, KEYAPI_REQUEST_HEADERS } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const NOW = Date.UTC(2026, 10, 29, 18);
const TTLS = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", NEGATIVE_TTL_SECONDS: "30" };

type Chart = {
  region: string;
  period: number;
  new_to_top_100: boolean;
  commercial_music: boolean;
  search_keyword: string | null;
  page: number;
  limit: number;
  total: number | null;
  has_more: boolean;
  sounds: {
    rank: number | null;
    rank_diff: number | null;
    clip_id: string;
    song_id: string | null;
    title: string | null;
  }[];
  fetched_at: string;
};

/** A location whose clock the test moves, with small TTLs (fresh 60 s, then stale 120 s). */
function location(overrides: Record<string, unknown> = {}) {
  const clock = { now: NOW };
  const worker = testWorker({ ...TTLS, ...overrides }, { clock: () => clock.now });
  const get = (query = "", init?: RequestInit) => worker.fetch(`${CHART_PATH}${query ? `?${query}` : ""}`, init);
  const advance = (seconds: number) => {
    clock.now += seconds * 1000;
  };
  return { clock, worker, get, advance };
}

async function chart(res: Response): Promise<Chart> {
  expect(res.status, await describe(res)).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("application/json");
  return (await res.json()) as Chart;
}

/** The echo of a query that names nothing: the documented defaults. */
const DEFAULTS = {
  region: "US",
  period: 7,
  new_to_top_100: false,
  commercial_music: false,
  search_keyword: null,
  page: 1,
  limit: 20,
};

const ranks = async (res: Response) => (await chart(res)).sounds.map((sound) => sound.rank);
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

group("the payload", () => {
  it("serves KeyAPI's documented example as the documented payload, field for field and in order", async () => {
    const upstream = fakeKeyApi(() => listAnswer(EXAMPLE_DATA));
    const res = await location().get("region=US");
    expect(res.status, await describe(res)).toBe(200);
    const expected = {
      ...DEFAULTS,
      total: 99,
      has_more: true,
      sounds: [EXAMPLE_SOUND],
      fetched_at: "2026-11-29T18:00:00.000Z",
    };
    expect(await res.text()).toBe(JSON.stringify(expected));
    expect(upstream.calls).toBe(1);
  });

  it("serves the mock's chart with the documented example at rank 1 of US, 7 days", async () => {
    const upstream = fakeKeyApi();
    const body = await chart(await location().get("region=us&limit=3"));
    expect(body.sounds[0]).toEqual(EXAMPLE_SOUND);
    expect(body.sounds.map((sound) => sound.rank)).toEqual([1, 2, 3]);
    expect(body).toMatchObject({ region: "US", period: 7, page: 1, limit: 3, total: 100, has_more: true });
    expect(upstream.calls).toBe(1);
  });

  it("keeps a 64-bit song id that KeyAPI sends as a bare number exact", async () => {
    const songId = 6703723270476138498n;
    fakeKeyApi(() => listAnswer({ ...EXAMPLE_DATA, sound_list: [{ ...EXAMPLE_ROW, song_id: songId }] }));
    const res = await location().get();
    expect((await chart(res)).sounds[0]?.song_id).toBe(String(songId));
  });

  it("passes the mock's bare 64-bit song ids through exactly as KeyAPI wrote them", async () => {
    const upstream = fakeKeyApi();
    const body = await chart(await location().get("region=GB&period=30"));
    const raw = await upstream.mock.fetch(new Request(upstream.requests[0]?.url ?? "", upstream.requests[0]));
    const written = [...(await raw.text()).matchAll(/"song_id":(\d+)/g)].map((match) => match[1]);
    expect(written.some((id) => !Number.isSafeInteger(Number(id)))).toBe(true);
    expect(body.sounds.map((sound) => sound.song_id).filter((id) => id !== EXAMPLE_ROW.song_id)).toEqual(written);
  });

  it.each([
    ["empty", []],
    ["null", null],
  ])("an %s sound_list is a 200 with no sounds, cached like any answer", async (_name, list) => {
    const upstream = fakeKeyApi(() =>
      listAnswer({ pagination: { page: 1, size: 0, total: 0, has_more: false }, sound_list: list }),
    );
    const { get } = location();
    const first = await get("region=DE&search_keyword=nothing");
    expect(first.headers.get("X-Cache")).toBe("MISS");
    const body = await chart(first);
    expect(body).toMatchObject({ search_keyword: "nothing", total: 0, has_more: false, sounds: [] });
    const second = await get("region=DE&search_keyword=nothing");
    expect(second.headers.get("X-Cache"), await describe(second)).toBe("HIT");
    expect(await second.text()).toBe(JSON.stringify(body));
    expect(upstream.calls).toBe(1);
  });

  it("leaves the place of a row without a readable clip id empty, and shifts no sound into another window", async () => {
    const rows = range(1, 20).map((rank) => chartRow(rank, rank === 3 ? { clip_id: "not-an-id" } : {}));
    fakeKeyApi(() => listAnswer({ pagination: { total: 20, has_more: false }, sound_list: rows }));
    const { get } = location();
    expect(await ranks(await get("limit=5"))).toEqual([1, 2, 4, 5]);
    expect(await ranks(await get("page=2&limit=2"))).toEqual([4]);
    expect(await ranks(await get("page=2&limit=5"))).toEqual([6, 7, 8, 9, 10]);
  });

  it("ignores rows past the page size: the next page is KeyAPI's page 2, not the extra rows", async () => {
    const upstream = fakeKeyApi((request) => {
      const page = Number(upstreamQuery(request).page);
      // Page 1 comes with 25 rows; ranks 21–25 on it are wrong on purpose.
      const rows = range(1, page === 1 ? 25 : 20).map((i) => chartRow((page - 1) * 20 + i, { rank_diff: page }));
      return listAnswer({ pagination: { total: 100, has_more: true }, sound_list: rows });
    });
    const { get } = location();
    expect(await ranks(await get("limit=20"))).toEqual(range(1, 20));
    const second = await chart(await get("page=2&limit=20"));
    expect(second.sounds.map((sound) => [sound.rank, sound.rank_diff])).toEqual(range(21, 40).map((rank) => [rank, 2]));
    expect(pagesAsked(upstream.requests)).toEqual([1, 2]);
  });

  it("drops rank_diff_type and names if_cml commercial", async () => {
    fakeKeyApi(() => listAnswer({ ...EXAMPLE_DATA, sound_list: [{ ...EXAMPLE_ROW, if_cml: true }] }));
    const text = await (await location().get()).text();
    expect(text).not.toContain("rank_diff_type");
    expect(text).not.toContain("if_cml");
    expect(JSON.parse(text).sounds[0].commercial).toBe(true);
  });
});

group("the upstream request", () => {
  it("carries all seven parameters as KeyAPI's example does, the key, and nothing of the caller's", async () => {
    const upstream = fakeKeyApi();
    const res = await location().get("", { headers: { ...CALLER_HEADERS, "If-None-Match": '"x"' } });
    const body = await chart(res);
    expect(body).toMatchObject(DEFAULTS);
    expect(body.sounds).toHaveLength(20);
    expect(upstream.calls).toBe(1);
    const [sent] = upstream.requests;
    expect(sent?.method).toBe("GET");
    expect(sent?.url).toBe(
      "https://keyapi.test/v1/tiktok/trending/music?search_keyword=FALSE&page=1&limit=20&period=7&region=US&new_to_top_100=false&commercial_music=false",
    );
    expect(Object.fromEntries(sent?.headers ?? [])).toEqual(KEYAPI_REQUEST_HEADERS);
  });

  it("sends the filters lowercase, the region upper case, and always limit=20 with the page that holds the window", async () => {
    const upstream = fakeKeyApi();
    await chart(await location().get("commercial_music=true&new_to_top_100=true&region=gb&period=120&page=4&limit=9"));
    // Positions 27–35: KeyAPI's page 2 of 20.
    expect(upstream.requests.map((request) => new URL(request.url).search)).toEqual([
      "?search_keyword=FALSE&page=2&limit=20&period=120&region=GB&new_to_top_100=true&commercial_music=true",
    ]);
  });

  it("sends the normalised keyword, echoes it, and answers its other spellings from the same call", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    const spellings = ["  New%20%20Sun ", "New%09Sun", "%EF%BC%AE%EF%BD%85%EF%BD%97%20%EF%BC%B3%EF%BD%95%EF%BD%8E"];
    const bodies = [];
    for (const spelling of spellings) bodies.push(await chart(await get(`search_keyword=${spelling}`)));
    expect(upstream.calls).toBe(1);
    expect(upstreamQuery(upstream.requests[0] as Request).search_keyword).toBe("New Sun");
    for (const body of bodies) {
      expect(body.search_keyword).toBe("New Sun");
      expect(body.sounds.map((sound) => sound.clip_id)).toContain(EXAMPLE_CLIP_ID);
    }
  });
});

group("canonical paging", () => {
  it("limit=5, 10 and 20 of page 1 and page=2&limit=7 cost one call together", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    expect(await ranks(await get("limit=5"))).toEqual(range(1, 5));
    expect(await ranks(await get("limit=10"))).toEqual(range(1, 10));
    expect(await ranks(await get("limit=20"))).toEqual(range(1, 20));
    expect(await ranks(await get("page=2&limit=7"))).toEqual(range(8, 14));
    expect(upstream.calls).toBe(1);
    expect(pagesAsked(upstream.requests)).toEqual([1]);
  });

  it("page=3&limit=7 needs pages 1 and 2: one more call, and the window spans them", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    await get("limit=20");
    expect(await ranks(await get("page=3&limit=7"))).toEqual(range(15, 21));
    expect(pagesAsked(upstream.requests)).toEqual([1, 2]);
    expect(upstream.requests.every((request) => upstreamQuery(request).limit === "20")).toBe(true);
  });

  it("the top 100, paged with limit 3, 7, 13 and 20, costs 5 calls, and every window holds its ranks", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    for (const limit of [3, 7, 13, 20]) {
      const seen: number[] = [];
      for (let page = 1; (page - 1) * limit < 100; page++) {
        const body = await chart(await get(`page=${page}&limit=${limit}`));
        const first = (page - 1) * limit + 1;
        expect(body.sounds.map((sound) => sound.rank)).toEqual(range(first, Math.min(first + limit - 1, 100)));
        expect(body).toMatchObject({ page, limit, total: 100, has_more: page * limit < 100 });
        seen.push(...body.sounds.map((sound) => sound.rank as number));
      }
      expect(seen).toEqual(range(1, 100));
    }
    expect(upstream.calls).toBe(5);
    expect(pagesAsked(upstream.requests).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("a cold window across the chart's end costs only the page that has sounds", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    // Ranks 92–104 of a chart of 100: KeyAPI's pages 5 and 6, and page 5 says the chart ends at 100.
    const body = await chart(await get("page=8&limit=13"));
    expect(body.sounds.map((sound) => sound.rank)).toEqual(range(92, 100));
    expect(body).toMatchObject({ total: 100, has_more: false });
    expect(pagesAsked(upstream.requests)).toEqual([5]);
    expect(await ranks(await get("page=34&limit=3"))).toEqual([100]);
    expect(upstream.calls).toBe(1);
  });

  it("without a total, a first page that says it is the last spares the second", async () => {
    const upstream = fakeKeyApi(() =>
      listAnswer({ pagination: { has_more: false }, sound_list: range(1, 8).map((rank) => chartRow(rank)) }),
    );
    const { get } = location({ KEYAPI_LIST_PAGE_SIZE: "10" });
    // Positions 7–13: pages 1 and 2 of 10; page 1 holds the chart's last sound (8).
    expect(await chart(await get("page=2&limit=7"))).toMatchObject({ total: null, has_more: false });
    expect(await ranks(await get("page=2&limit=7"))).toEqual([8]);
    expect(pagesAsked(upstream.requests)).toEqual([1]);
  });

  it("a window that starts past KeyAPI's total costs its page and answers no sounds", async () => {
    const upstream = fakeKeyApi();
    const body = await chart(await location().get("page=10&limit=20"));
    expect(body).toMatchObject({ page: 10, limit: 20, total: 100, has_more: false, sounds: [] });
    expect(pagesAsked(upstream.requests)).toEqual([10]);
  });

  it("says has_more by page × limit < total, and fetched_at by KeyAPI's answer", async () => {
    fakeKeyApi();
    const { get } = location();
    expect(await chart(await get("page=14&limit=7"))).toMatchObject({ has_more: true, total: 100 });
    const last = await chart(await get("page=15&limit=7"));
    expect(last).toMatchObject({ has_more: false, total: 100, fetched_at: "2026-11-29T18:00:00.000Z" });
    expect(last.sounds.map((sound) => sound.rank)).toEqual([99, 100]);
    expect(await chart(await get("page=5&limit=20"))).toMatchObject({ has_more: false });
    expect(await chart(await get("page=4&limit=20"))).toMatchObject({ has_more: true });
  });

  it("without KeyAPI's total, says has_more when its pages hold sounds past the window", async () => {
    fakeKeyApi(() => listAnswer({ pagination: null, sound_list: range(1, 12).map((rank) => chartRow(rank)) }));
    const { get } = location();
    expect(await chart(await get("limit=5"))).toMatchObject({ total: null, has_more: true });
    expect(await chart(await get("page=3&limit=5"))).toMatchObject({ total: null, has_more: false });
  });

  it("with KEYAPI_LIST_PAGE_SIZE=10, limit=20 needs two pages of 10", async () => {
    const upstream = fakeKeyApi();
    const { get } = location({ KEYAPI_LIST_PAGE_SIZE: "10" });
    expect(await ranks(await get("limit=20"))).toEqual(range(1, 20));
    expect(upstream.requests.map(upstreamQuery).map(({ page, limit }) => [page, limit])).toEqual([
      ["1", "10"],
      ["2", "10"],
    ]);
    expect(await ranks(await get("page=2&limit=15"))).toEqual(range(16, 30));
    expect(upstream.calls).toBe(3);
  });

  it("with KEYAPI_LIST_PAGE_SIZE=10, a window of 19 across three pages gets all three", async () => {
    const upstream = fakeKeyApi();
    const { get } = location({ KEYAPI_LIST_PAGE_SIZE: "10" });
    // Positions 19–37: the last of page 2, all of page 3, most of page 4.
    expect(await ranks(await get("page=2&limit=19"))).toEqual(range(20, 38));
    expect(pagesAsked(upstream.requests)).toEqual([2, 3, 4]);
  });
});

group("headers", () => {
  it("MISS from KeyAPI, then HIT from memory, with Age, Cache-Control and Server-Timing as the detail endpoint", async () => {
    const upstream = fakeKeyApi();
    const { get, advance } = location();
    const miss = await get("limit=5");
    expect(miss.status, await describe(miss)).toBe(200);
    expect(miss.headers.get("X-Cache")).toBe("MISS");
    expect(miss.headers.get("Age")).toBe("0");
    expect(miss.headers.get("Cache-Control")).toBe(
      "public, max-age=60, stale-while-revalidate=120, stale-if-error=120",
    );
    expect(miss.headers.get("Server-Timing")).toMatch(/^cache;desc="upstream", upstream;dur=\d+$/);
    expect(miss.headers.get("ETag")).toMatch(/^"[\w-]{22}"$/);

    advance(25);
    const hit = await get("limit=5");
    expect(hit.headers.get("X-Cache"), await describe(hit)).toBe("HIT");
    expect(hit.headers.get("Age")).toBe("25");
    expect(hit.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=120, stale-if-error=120");
    expect(hit.headers.get("Server-Timing")).toBe('cache;desc="memory"');
    expect(hit.headers.get("ETag")).toBe(miss.headers.get("ETag"));
    expect(await hit.text()).toBe(await miss.text());
    expect(upstream.calls).toBe(1);
  });

  it("a window across two pages: MISS while either page is fetched, HIT once both are held", async () => {
    const upstream = fakeKeyApi();
    const { get } = location();
    await get("limit=20");
    const miss = await get("page=3&limit=7");
    expect(miss.headers.get("X-Cache"), await describe(miss)).toBe("MISS");
    expect(miss.headers.get("Server-Timing")).toMatch(/^cache;desc="upstream", upstream;dur=\d+$/);
    const hit = await get("page=3&limit=7");
    expect(hit.headers.get("X-Cache"), await describe(hit)).toBe("HIT");
    expect(hit.headers.get("Server-Timing")).toBe('cache;desc="memory"');
    expect(upstream.calls).toBe(2);
  });

  it("has a strong ETag per window: other windows differ, other spellings of the same window do not", async () => {
    fakeKeyApi();
    const { get } = location();
    const etag = async (query: string) => {
      const res = await get(query);
      expect(res.status, await describe(res)).toBe(200);
      return res.headers.get("ETag");
    };
    const window = await etag("limit=5");
    expect(window).toMatch(/^"[\w-]{22}"$/);
    for (const spelling of [
      "limit=5&page=1",
      "region=us&limit=5",
      "commercial_music=false&new_to_top_100=false&region=US&period=7&page=1&limit=5",
    ]) {
      expect(await etag(spelling), spelling).toBe(window);
    }
    const others = [
      await etag("limit=6"),
      await etag("page=2&limit=5"),
      await etag(""),
      await etag("region=GB&limit=5"),
    ];
    expect(new Set([window, ...others]).size).toBe(5);
  });

  it("answers 304 to If-None-Match with the window's ETag, whatever the spelling, with its caching headers", async () => {
    const upstream = fakeKeyApi();
    const { get } = location({ ALLOWED_ORIGINS: "https://a.example" });
    const first = await get("limit=5");
    const etag = first.headers.get("ETag") as string;
    for (const [query, ifNoneMatch] of [
      ["limit=5", etag],
      ["region=us&page=1&limit=5", `W/${etag}`],
      ["limit=5", `"other", ${etag}`],
      ["limit=5", "*"],
    ] as const) {
      const res = await get(query, { headers: { "If-None-Match": ifNoneMatch, Origin: "https://a.example" } });
      expect(res.status, await describe(res)).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("ETag")).toBe(etag);
      expect(res.headers.get("X-Cache")).toBe("HIT");
      expect(res.headers.get("Cache-Control")).toBe(first.headers.get("Cache-Control"));
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
      expect(res.headers.get("Vary")).toBe("Origin");
    }
    const other = await get("limit=6", { headers: { "If-None-Match": etag } });
    expect(other.status, await describe(other)).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("carries CORS and the security headers; a refused origin costs no call", async () => {
    const upstream = fakeKeyApi();
    const { get } = location({ ALLOWED_ORIGINS: "https://a.example" });
    const res = await get("limit=5", { headers: { Origin: "https://a.example" } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(res.headers.get("Access-Control-Expose-Headers")).toBe("ETag, X-Cache, Age, Retry-After, X-Request-Id");
    expect(res.headers.get("Vary")).toBe("Origin");
    for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]+$/);

    const refused = await get("limit=6", { headers: { Origin: "https://evil.example" } });
    expect(refused.status, await describe(refused)).toBe(403);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(upstream.calls).toBe(1);
  });

  it("answers HEAD like GET, without a body", async () => {
    fakeKeyApi();
    const res = await location().get("limit=5", { method: "HEAD" });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]{22}"$/);
    expect(await res.text()).toBe("");
  });
});

group("stale-while-revalidate", () => {
  it("serves a stale page at once, refreshes it once, then serves the new copy with its own fetched_at", async () => {
    const upstream = fakeKeyApi();
    const { get, advance } = location();
    const original = await chart(await get("limit=5"));
    const originalTag = (await get("limit=5")).headers.get("ETag");
    advance(61);
    upstream.mock.behave({ latencyMs: 100 });
    const stale = await Promise.all(Array.from({ length: 10 }, () => get("limit=5")));
    for (const res of stale) expect(res.headers.get("X-Cache"), await describe(res)).toBe("STALE");
    expect((await chart(stale[0] as Response)).fetched_at).toBe(original.fetched_at);
    expect(upstream.calls).toBe(2);

    const refreshed = await get("limit=5");
    expect(refreshed.headers.get("X-Cache"), await describe(refreshed)).toBe("HIT");
    expect(refreshed.headers.get("Age")).toBe("0");
    expect(refreshed.headers.get("ETag")).not.toBe(originalTag);
    expect((await chart(refreshed)).fetched_at).toBe("2026-11-29T18:01:01.000Z");
    expect(upstream.calls).toBe(2);
  });

  it("keeps serving the stale page while KeyAPI fails, and tries again only after the backoff", async () => {
    const upstream = fakeKeyApi();
    const { get, advance } = location();
    const original = await chart(await get("page=3&limit=7"));
    advance(61);
    upstream.mock.behave({ mode: "status", status: 500 });
    for (let i = 0; i < 3; i++) {
      const res = await get("page=3&limit=7");
      expect(res.headers.get("X-Cache"), await describe(res)).toBe("STALE");
      expect(await chart(res)).toEqual(original);
    }
    // One failed refresh per page; none again within the 30 s backoff.
    expect(pagesAsked(upstream.requests).sort()).toEqual([1, 1, 2, 2]);
    advance(31);
    upstream.mock.behave({});
    expect((await get("page=3&limit=7")).headers.get("X-Cache")).toBe("STALE");
    expect(pagesAsked(upstream.requests).sort()).toEqual([1, 1, 1, 2, 2, 2]);
    const refreshed = await get("page=3&limit=7");
    expect(refreshed.headers.get("X-Cache"), await describe(refreshed)).toBe("HIT");
    expect((await chart(refreshed)).fetched_at).toBe("2026-11-29T18:01:32.000Z");
  });
});

group("log lines", () => {
  it("names the list endpoint and the page key on upstream_call, and the call on the request line", async () => {
    const calls = logged("upstream_call");
    const upstream = fakeKeyApi();
    const { get } = location();
    await get("page=3&limit=7", { headers: { "X-Request-Id": "chart-trace-1" } });
    expect(calls()).toEqual(
      [1, 2].map((page) => ({
        event: "upstream_call",
        endpoint: "list",
        key: `US:7:${page}:20`,
        status: 200,
        duration_ms: expect.any(Number),
        credits: 2,
        attempt: 1,
        request_id: "chart-trace-1",
      })),
    );
    expect(calls()).toHaveLength(upstream.calls);
  });

  it("says on the request line whether a request called KeyAPI, joined a call or neither", async () => {
    const requests = requestsLogged();
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 30 });
    const { get } = location();
    await Promise.all(Array.from({ length: 5 }, () => get("region=FR&search_keyword=sun")));
    await get("region=FR&search_keyword=sun");
    const lines = requests();
    expect(lines.map((line) => [line.path, line.status, line.upstream, line.upstream_status])).toEqual([
      ...Array.from({ length: 5 }, () => [CHART_PATH, 200, expect.stringMatching(/^(called|joined)$/), 200]),
      [CHART_PATH, 200, null, null],
    ]);
    expect(lines.filter((line) => line.upstream === "called")).toHaveLength(1);
    expect(lines.map((line) => line.cache)).toEqual(["MISS", "MISS", "MISS", "MISS", "MISS", "HIT"]);
    expect(upstream.calls).toBe(1);
  });
});
