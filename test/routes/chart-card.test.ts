/**
 * `GET /v1/tiktok/trending/music/chart.svg` over HTTP: the chart card drawn from the chart's cached upstream
 * pages (shared with the JSON list both ways), its own ETag and 304s, the card surface's headers, and every
 * error drawn as a card with the JSON endpoint's status (the refusals before any work, misconfiguration, URL
 * length, origin and RATE_LIMITER, are tested with the sound card's in card.test.ts). The drawing itself is
 * tested in test/embed/chart-svg.test.ts.
 */
import { expect, describe as group, it, vi } from "vitest";
import { ProblemError } from "../../src/domain/problems";
import { keyApiList } from "../support/chart";
import { TEST_KEYAPI_BASE_URL } from "../support/constants";
import { CARD_CSP, drawn, SVG, UPSTREAM_FAILURES } from "../support/embeds";
import { BIDI, FORBIDDEN, seededNoise } from "../support/hostile-text";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";
import { allText, elements, type XmlElement } from "../support/xml";

const LIST_PATH = "/v1/tiktok/trending/music";
const CHART_CARD_PATH = `${LIST_PATH}/chart.svg`;
const chartCard = (query = "") => `${CHART_CARD_PATH}${query ? `?${query}` : ""}`;
const FIRST_PAGE =
  `${TEST_KEYAPI_BASE_URL}${LIST_PATH}?search_keyword=FALSE&page=1&limit=20&period=7&region=US` +
  "&new_to_top_100=false&commercial_music=false";

/** The card's rows as its `<desc>` lists them. */
const rowsOf = (root: XmlElement) => root.children[1]?.text.split("; ") ?? [];

/** The JSON list's top `limit` as the card's `<desc>` says them. */
async function jsonRows(res: Response): Promise<string[]> {
  const body = (await res.json()) as { sounds: { rank: number; title: string; author: string }[] };
  return body.sounds.map((sound) => `${sound.rank}. ${sound.title} — ${sound.author}`);
}

group("the chart card", () => {
  it("draws the top 5 of the US chart from one KeyAPI call, with the card's own headers", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const res = await testWorker({}, { clock: () => now }).fetch(chartCard());
    const root = await drawn(res);
    expect(root.attributes).toMatchObject({ width: "480", height: "280", viewBox: "0 0 480 280", role: "img" });
    expect(root.children[0]?.text).toBe("Trending TikTok sounds in US, last 7 days");
    expect(rowsOf(root)).toEqual([
      "1. New Sun — Chihei Hatakeyama",
      "2. Neon Runaway — Aster Lane",
      "3. Golden Lights — Nori",
      "4. Tiny Sun — Mira Sol",
      expect.stringMatching(/^5\. /),
    ]);
    expect(allText(root)).toContain("US · last 7 days");
    expect(res.headers.get("X-Card-Status")).toBe("200");
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(res.headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=176100, stale-if-error=176100",
    );
    expect(res.headers.get("Age")).toBe("0");
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]+-chart-5-auto-\d+"$/);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    expect(upstream.requests.map((request) => request.url)).toEqual([FIRST_PAGE]);
  });

  it("shares the JSON's cached page: the JSON, then cards of every limit and theme, cost one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({}, { clock: () => now });
    const json = await worker.fetch(`${LIST_PATH}?region=gb&period=30&limit=10`);
    expect(json.status, await describe(json)).toBe(200);
    const top10 = await jsonRows(json);
    for (const [limit, theme] of [
      [1, "light"],
      [5, "dark"],
      [10, "auto"],
    ] as const) {
      const res = await worker.fetch(chartCard(`period=30&limit=${limit}&theme=${theme}&region=GB`));
      const root = await drawn(res);
      expect(rowsOf(root)).toEqual(top10.slice(0, limit));
      expect(root.attributes.height).toBe(String(80 + 40 * limit));
      expect(res.headers.get("X-Cache")).toBe("HIT");
      expect(res.headers.get("Server-Timing")).toBe('cache;desc="memory"');
      expect(res.headers.get("Cache-Control")).toBe(json.headers.get("Cache-Control"));
    }
    expect(upstream.calls).toBe(1);
  });

  it("and the reverse: a card, then any window of the JSON within the first page, costs one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    await drawn(await worker.fetch(chartCard("region=DE&limit=3&new_to_top_100=true")));
    for (const window of ["limit=20", "page=2&limit=7", "limit=1"]) {
      const json = await worker.fetch(`${LIST_PATH}?new_to_top_100=true&region=DE&${window}`);
      expect(json.status, await describe(json)).toBe(200);
      expect(json.headers.get("X-Cache")).toBe("HIT");
    }
    expect(upstream.calls).toBe(1);
  });

  it("has a strong ETag per limit and theme, distinct from the JSON's, and answers 304 to it", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const json = await worker.fetch(`${LIST_PATH}?limit=5`);
    const tags = new Set([json.headers.get("ETag")]);
    for (const query of ["", "theme=light", "theme=dark", "limit=4", "limit=4&theme=dark"]) {
      const res = await worker.fetch(chartCard(query));
      const etag = res.headers.get("ETag") ?? "";
      expect(etag).toMatch(/^"[^"]+"$/);
      tags.add(etag);

      const again = await worker.fetch(chartCard(query), { headers: { "If-None-Match": etag } });
      expect(again.status, await describe(again)).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("ETag")).toBe(etag);
      expect(again.headers.get("X-Card-Status")).toBe("200");
      expect(again.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
      expect(again.headers.get("Cache-Control")).toBe(res.headers.get("Cache-Control"));
    }
    expect(tags.size).toBe(6);
    // The JSON's validator does not validate a card.
    const mixed = await worker.fetch(chartCard("limit=5"), {
      headers: { "If-None-Match": json.headers.get("ETag") ?? "" },
    });
    expect(mixed.status).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("draws the same card again from memory (same bytes, same ETag), and a new one for another chart", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const first = await worker.fetch(chartCard("theme=light"));
    const second = await worker.fetch(chartCard("theme=light"));
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(second.headers.get("X-Cache")).toBe("HIT");
    const spy = vi.spyOn(worker.runtime.cache, "lookup");
    await worker.fetch(chartCard("theme=light"));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(upstream.calls).toBe(1);
  });

  it("never draws one chart's heading for another whose upstream page reads the same", async () => {
    // Two empty charts: their stored pages are byte for byte the same, and so are their ETags.
    const upstream = fakeKeyApi(() => keyApiList([]));
    const worker = testWorker();
    const us = await drawn(await worker.fetch(chartCard("region=US")));
    const gb = await drawn(await worker.fetch(chartCard("region=GB&commercial_music=true")));
    expect(us.children[0]?.text).toBe("Trending TikTok sounds in US, last 7 days");
    expect(gb.children[0]?.text).toBe("Trending TikTok sounds in GB, last 7 days, commercial");
    expect(allText(gb)).toContain("GB · last 7 days · commercial");
    expect(upstream.calls).toBe(2);
  });

  it("draws an empty chart as the empty card: 200, X-Card-Status 200, cached like any chart", async () => {
    fakeKeyApi(() => keyApiList(null));
    const res = await testWorker().fetch(chartCard("limit=3&theme=dark"));
    const root = await drawn(res);
    expect(root.attributes.height).toBe("200");
    expect(allText(root)).toContain("No sounds in this chart right now.");
    expect(rowsOf(root)).toEqual(["No sounds in this chart right now."]);
    expect(res.headers.get("X-Card-Status")).toBe("200");
    expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=300, /);
  });

  it("draws a chart page from two upstream pages when KeyAPI's page is smaller, with a well-formed ETag", async () => {
    // A card holds at most 10 and KeyAPI's page at least 10: only the chart page (up to 20) can span two pages.
    const upstream = fakeKeyApi();
    const worker = testWorker({ KEYAPI_LIST_PAGE_SIZE: "10" });
    const res = await worker.fetch("/embed/chart?region=US&limit=15");
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html.match(/<li /g)).toHaveLength(15);
    expect(upstream.requests.map((request) => new URL(request.url).searchParams.get("page"))).toEqual(["1", "2"]);
    // One quoted token: entity-tag characters exclude the double quote (RFC 9110 §8.8.3).
    const etag = res.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await worker.fetch("/embed/chart?region=US&limit=15", { headers: { "If-None-Match": etag } });
    expect(again.status, await describe(again)).toBe(304);
    expect(upstream.calls).toBe(2);
  });

  it("is at most 6 KiB gzipped for limit=10, with 120-day trends and 1,000-character titles on every row", async () => {
    const { random, text: noise } = seededNoise(29);
    const day = 1_769_990_400;
    const rows = Array.from({ length: 20 }, (_, index) => ({
      rank: index + 1,
      rank_diff: -999 + index,
      clip_id: String(7_000_000_000_000_000_000n + BigInt(index)),
      title: noise(),
      author: noise(),
      trend: Array.from({ length: 120 }, (_, i) => ({ time: day - i * 86_400, value: random() })),
    }));
    fakeKeyApi(() => keyApiList(rows, 100));
    const worker = testWorker();
    for (const theme of ["auto", "light", "dark"]) {
      const res = await worker.fetch(chartCard(`limit=10&period=120&new_to_top_100=true&theme=${theme}`));
      await drawn(res);
      const gzipped = new Response(res.body?.pipeThrough(new CompressionStream("gzip")));
      expect((await gzipped.arrayBuffer()).byteLength, theme).toBeLessThanOrEqual(6 * 1024);
    }
  });

  it("draws hostile text from KeyAPI's rows safely, end to end", async () => {
    const hostile = `<script>alert(1)</script>\u202E]]>&amp;"'{{x}}\u0001<foreignObject/>${"W".repeat(400)}`;
    fakeKeyApi(() =>
      keyApiList(
        Array.from({ length: 20 }, (_, index) => ({
          rank: index + 1,
          rank_diff: index - 3,
          clip_id: String(index + 1),
          title: hostile,
          author: hostile,
          cover: `javascript:alert(1)`,
          link: `https://evil.example/"><script>`,
          trend: [{ time: 1_769_990_400, value: 1 }],
        })),
      ),
    );
    const res = await testWorker().fetch(chartCard("limit=10"));
    const root = await drawn(res);
    const text = await res.text();
    expect(text).not.toMatch(/<script|<foreignObject|evil\.example|javascript:/);
    expect(text).not.toMatch(BIDI);
    expect(text).not.toMatch(FORBIDDEN);
    // The text itself is drawn, escaped, and shortened to its box.
    expect(allText(root)).toContain("<script>alert(1)</script>]]>&amp;\"'{{x}}<foreignObject/>W");
    expect([...elements(root)].filter((element) => element.name === "polyline")).toHaveLength(10);
  });

  it("allows CORS like the API", async () => {
    fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://a.example" });
    const res = await worker.fetch(chartCard(), { headers: { Origin: "https://a.example" } });
    await drawn(res);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
  });

  it("answers HEAD like GET, without a body", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(chartCard(), { method: "HEAD" });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(SVG);
    expect(res.headers.get("X-Card-Status")).toBe("200");
    expect(await res.text()).toBe("");
  });
});

group("the chart card's errors are drawn, not broken", () => {
  it.each([
    ["a page", "page=2", "page is not a known parameter"],
    ["a search", "search_keyword=sun", "search_keyword is not a known parameter"],
    ["a limit over 10", "limit=11", "limit must be a whole number from 1 to 10"],
    ["a limit of 0", "limit=0", "limit must be a whole number from 1 to 10"],
    ["a bad region", "region=XX", "region is not an ISO 3166-1 country code"],
    ["a bad theme", "theme=sepia", "theme must be one of light, dark or auto"],
    ["a bad filter", "new_to_top_100=yes", "new_to_top_100 must be true or false"],
    ["an unknown parameter", "v=2", "v is not a known parameter"],
    ["a repeated parameter", "limit=3&limit=4", "limit must be given only once"],
  ])("%s → a card with X-Card-Status 400, no-store, no KeyAPI call", async (_name, query, message) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(chartCard(query));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("400");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
    expect(root.attributes.height).toBe("112");
    expect(root.children[0]?.text).toBe("Invalid query parameters");
    expect(allText(root)).toContain(message);
    expect(upstream.calls).toBe(0);
  });

  it.each(UPSTREAM_FAILURES)("$name → X-Card-Status $status, no-store, in the chart's words", async (failure) => {
    const upstream = fakeKeyApi();
    upstream.mock.behave(failure.behaviour);
    const worker = testWorker();
    const res = await worker.fetch(chartCard("theme=dark"));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe(failure.status);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Retry-After")).toBe(failure.retryAfter);
    expect(root.children[0]?.text).toBe(
      failure.status === "503" ? "The chart service is busy" : "Couldn't load this chart",
    );
    // The JSON endpoint answers the same status.
    const json = await worker.fetch(LIST_PATH);
    expect(String(json.status)).toBe(failure.status);
  });

  it("no answer within UPSTREAM_TIMEOUT_MS → X-Card-Status 504", async () => {
    fakeKeyApi().mock.behave({ mode: "hang" });
    const res = await testWorker({ UPSTREAM_TIMEOUT_MS: "50" }).fetch(chartCard());
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("504");
    expect(root.children[0]?.text).toBe("Couldn't load this chart");
  });

  it("the credit budget → X-Card-Status 503 with Retry-After", async () => {
    fakeKeyApi();
    const worker = testWorker();
    vi.spyOn(worker.runtime.cache, "lookup").mockRejectedValue(
      new ProblemError("credit-budget-exhausted", "Today's KeyAPI budget is spent.", { retryAfter: 3600 }),
    );
    const res = await worker.fetch(chartCard());
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("503");
    expect(res.headers.get("Retry-After")).toBe("3600");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(root.children[0]?.text).toBe("The chart service is busy");
    expect(allText(root)).toContain("Today's KeyAPI budget is spent.");
  });

  it("past MISS_LIMITER → X-Card-Status 429, cached charts still drawn", async () => {
    await withinOneRateWindow();
    fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.171" };
    const regions = ["US", "GB", "DE", "FR", "JP", "BR", "IN", "CA", "AU", "MX", "ES", "IT", "NL", "SE", "PL"];
    const charts = regions.flatMap((region) => [`region=${region}`, `region=${region}&period=30`]);
    for (const chart of charts) await worker.fetch(chartCard(chart), { headers: client });
    const refused = await worker.fetch(chartCard("region=KR"), { headers: client });
    expect(refused.headers.get("X-Card-Status")).toBe("429");
    expect(refused.headers.get("Retry-After")).toBe("60");
    const cached = await worker.fetch(chartCard("region=US&theme=dark"), { headers: client });
    expect(cached.headers.get("X-Card-Status")).toBe("200");
  }, 30_000);
});
