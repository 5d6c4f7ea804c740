/**
 * `GET /embed/chart` over HTTP: the chart embed page drawn from the chart's cached upstream pages (shared with
 * the JSON list both ways), framed like `/embed/sound/…`, its links under PUBLIC_URL or the request's host,
 * its own ETag and 304s, and HTML error pages with the JSON endpoint's status. The page's markup is tested in
 * test/embed/chart-page.test.ts.
 */
import { expect, describe as group, it, vi } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { ProblemError } from "../../src/domain/problems";
import { EXAMPLE_COVER, keyApiList } from "../support/chart";
import { expectEmbedHeaders, HTML } from "../support/embeds";
import { BIDI, FORBIDDEN } from "../support/hostile-text";
import { metaContent, named, parseHtml, textContent } from "../support/html";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";
import type { XmlElement } from "../support/xml";

const LIST_PATH = "/v1/tiktok/trending/music";
const chartPage = (query = "") => `/embed/chart${query ? `?${query}` : ""}`;
const PUBLIC_URL = "https://sounds.example.com";

/** A page: 200 HTML, well-formed once its void elements are closed, without scripts; returns its tree. */
async function page(res: Response): Promise<XmlElement> {
  expect(res.status, await describe(res)).toBe(200);
  expect(res.headers.get("Content-Type")).toBe(HTML);
  const root = parseHtml(await res.clone().text());
  expect(named(root, "script")).toHaveLength(0);
  return root;
}

/** The rows' titles as the list shows them. */
const titles = (root: XmlElement) =>
  named(root, "li").map((li) => textContent(named(li, "a")[0] as XmlElement).replace(" (opens in a new tab)", ""));

/** Every URL the page names in `href` and `content` attributes that points at this service. */
function selfLinks(root: XmlElement, origin: string): string[] {
  return [...named(root, "a"), ...named(root, "link"), ...named(root, "meta")]
    .map((element) => element.attributes.href ?? element.attributes.content ?? "")
    .filter((url) => url.startsWith(`${origin}/`));
}

group("the chart page", () => {
  it("is the top 10 server-rendered, with link previews and oEmbed discovery, from one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://blog.example,https://cms.example" }, { clock: () => now });
    const res = await worker.fetch(chartPage());
    const root = await page(res);
    expectEmbedHeaders(res, "'self' https://blog.example https://cms.example");
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(res.headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=176100, stale-if-error=176100",
    );
    expect(res.headers.get("Age")).toBe("0");
    // Its links follow the request's host; CORS answers per origin.
    expect(res.headers.get("Vary")).toBe("Host, Origin");
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]+-chart-page-10-auto-\d+"$/);

    expect(textContent(named(root, "h1")[0] as XmlElement)).toBe("Trending sounds · US · last 7 days");
    const items = named(root, "li");
    expect(items.map((li) => li.attributes.value)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    expect(titles(root).slice(0, 3)).toEqual(["New Sun", "Neon Runaway", "Golden Lights"]);
    const [embed, tiktok] = named(items[0] as XmlElement, "a");
    expect(embed?.attributes.href).toBe(`${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`);
    expect(tiktok?.attributes.href).toBe(`https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}`);

    const url = `${worker.origin}/embed/chart?region=US&period=7&limit=10`;
    expect(named(root, "title")[0]?.text).toBe("Trending TikTok sounds in US, last 7 days");
    expect(metaContent(root, "og:title")).toBe("Trending TikTok sounds in US, last 7 days");
    expect(metaContent(root, "og:description")).toBe(
      "1. New Sun — Chihei Hatakeyama, 2. Neon Runaway — Aster Lane, 3. Golden Lights — Nori",
    );
    expect(metaContent(root, "og:image")).toBe(EXAMPLE_COVER);
    expect(metaContent(root, "og:url")).toBe(url);
    expect(metaContent(root, "og:type")).toBe("website");
    expect(metaContent(root, "twitter:card")).toBe("summary");
    const links = named(root, "link");
    expect(links.find((link) => link.attributes.rel === "canonical")?.attributes.href).toBe(url);
    expect(links.find((link) => link.attributes.rel === "alternate")?.attributes.href).toBe(
      `${worker.origin}/oembed?url=${encodeURIComponent(url)}`,
    );
    expect(upstream.calls).toBe(1);
  });

  it("shares the JSON's cached page both ways, and has its own ETag and 304", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const json = await worker.fetch(`${LIST_PATH}?region=fr&period=30&limit=20`);
    const res = await worker.fetch(chartPage("region=FR&period=30&limit=20&theme=dark"));
    const root = await page(res);
    expect(named(root, "li")).toHaveLength(20);
    expect(res.headers.get("X-Cache")).toBe("HIT");
    expect(res.headers.get("Cache-Control")).toBe(json.headers.get("Cache-Control"));
    const etag = res.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(etag).not.toBe(json.headers.get("ETag"));
    const again = await worker.fetch(chartPage("region=FR&period=30&limit=20&theme=dark"), {
      headers: { "If-None-Match": etag },
    });
    expect(again.status, await describe(again)).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.headers.get("Vary")).toBe("Host");
    expectEmbedHeaders(again, "*");

    // The reverse: a page first, then the JSON's windows within the same upstream page.
    await page(await worker.fetch(chartPage("region=JP&limit=4")));
    const window = await worker.fetch(`${LIST_PATH}?region=JP&page=3&limit=5`);
    expect(window.headers.get("X-Cache")).toBe("HIT");
    expect(upstream.calls).toBe(2);
  });

  it("is framable by any site when ALLOWED_ORIGINS is *", async () => {
    fakeKeyApi();
    const res = await testWorker({ ALLOWED_ORIGINS: "*" }).fetch(chartPage());
    await page(res);
    expectEmbedHeaders(res, "*");
  });

  it("draws an empty chart as a page saying so, 200, and each chart's own, though their pages read the same", async () => {
    fakeKeyApi(() => keyApiList([]));
    const worker = testWorker();
    const us = await page(await worker.fetch(chartPage()));
    expect(metaContent(us, "og:title")).toBe("Trending TikTok sounds in US, last 7 days");
    const res = await worker.fetch(chartPage("region=GB&commercial_music=true"));
    const root = await page(res);
    expect(named(root, "li")).toHaveLength(0);
    expect(named(root, "p")[0]?.text).toBe("No sounds in this chart right now.");
    expect(metaContent(root, "og:title")).toBe("Trending TikTok sounds in GB, last 7 days, commercial");
    expect(metaContent(root, "og:image")).toBeUndefined();
  });

  it("keeps hostile text from KeyAPI out of the markup and the previews, and links only to TikTok and itself", async () => {
    const hostile = `"><script>alert(1)</script>\u202E<meta http-equiv="refresh" content="0;url=https://evil.example">\u0001`;
    fakeKeyApi(() =>
      keyApiList(
        Array.from({ length: 20 }, (_, index) => ({
          rank: index + 1,
          rank_diff: 1,
          clip_id: String(index + 1),
          title: hostile,
          author: hostile,
          cover: `https://cdn.example/a.jpeg?"><script>x</script>`,
          link: "https://evil.example/phish",
          trend: [{ time: 1_769_990_400, value: 1 }],
        })),
      ),
    );
    const worker = testWorker();
    const res = await worker.fetch(chartPage());
    const root = await page(res);
    const html = await res.text();
    expect(html).not.toMatch(/<script|<meta http-equiv|\u202E/);
    expect(html).not.toMatch(BIDI);
    expect(html).not.toMatch(FORBIDDEN);
    expect(named(root, "meta").filter((meta) => meta.attributes["http-equiv"])).toEqual([]);
    expect(metaContent(root, "og:description")).toContain('1. "><script>alert(1)</script>');
    for (const link of named(root, "a").map((a) => a.attributes.href ?? "")) {
      expect(link.startsWith(`${worker.origin}/embed/sound/`) || link.startsWith("https://www.tiktok.com/"), link).toBe(
        true,
      );
    }
  });

  it("answers HEAD like GET, without a body", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(chartPage(), { method: "HEAD" });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expect(await res.text()).toBe("");
  });
});

group("the chart page's links to this service", () => {
  it("follow the request's host without PUBLIC_URL, one rendering per host, and say Vary: Host", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const hosts = ["https://a.example", "https://b.example"];
    for (const host of hosts) {
      const res = await worker.fetch(`${host}/embed/chart?limit=3`, { headers: { Host: new URL(host).host } });
      const root = await page(res);
      expect(res.headers.get("Vary")).toBe("Host");
      const links = selfLinks(root, host);
      // canonical, og:url, oEmbed discovery, and each row's embed page
      expect(links).toHaveLength(6);
      expect((await res.text()).includes(hosts.find((other) => other !== host) as string)).toBe(false);
    }
  });

  it("use PUBLIC_URL whatever Host the request came with, and do not vary by Host", async () => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL });
    const res = await worker.fetch("https://attacker.example/embed/chart?limit=2&theme=light", {
      headers: { Host: "attacker.example" },
    });
    const root = await page(res);
    expect(res.headers.get("Vary")).toBeNull();
    const url = `${PUBLIC_URL}/embed/chart?region=US&period=7&limit=2&theme=light`;
    expect(metaContent(root, "og:url")).toBe(url);
    expect(selfLinks(root, PUBLIC_URL)).toHaveLength(5);
    expect(await res.text()).not.toContain("attacker");
  });
});

group("the chart page's errors are HTML pages with the JSON endpoint's status", () => {
  /** An error page: the status, HTML, the embed's headers, no-store unless said otherwise; returns its text. */
  async function errorPage(res: Response, status: number): Promise<string> {
    expect(res.status, await describe(res)).toBe(status);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expectEmbedHeaders(res, "*");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    parseHtml(html);
    expect(html).toContain('<meta name="robots" content="noindex">');
    return html;
  }

  it.each([
    ["a page", "page=1", "page is not a known parameter"],
    ["a search", "search_keyword=sun", "search_keyword is not a known parameter"],
    ["a limit over 20", "limit=21", "limit must be a whole number from 1 to 20"],
    ["a bad period", "period=14", "period must be one of 7, 30 or 120"],
    ["an empty parameter", "region=", "region must not be empty"],
    ["an unknown parameter", "utm_source=newsletter", "utm_source is not a known parameter"],
  ])("%s → 400, no KeyAPI call", async (_name, query, message) => {
    const upstream = fakeKeyApi();
    const html = await errorPage(await testWorker().fetch(chartPage(query)), 400);
    expect(html).toContain("<title>Invalid query parameters · TikTok chart</title>");
    expect(html).toContain(message);
    expect(upstream.calls).toBe(0);
  });

  it.each([
    [500, 502, "Couldn't load this chart", null],
    [402, 503, "The chart service is busy", "600"],
  ])("KeyAPI %i → %i, %s", async (upstreamStatus, status, heading, retryAfter) => {
    fakeKeyApi().mock.behave({ mode: "status", status: upstreamStatus });
    const res = await testWorker().fetch(chartPage("theme=dark"));
    const html = await errorPage(res, status);
    expect(html).toContain(`<title>${heading.replace("'", "&#39;")} · TikTok chart</title>`);
    expect(res.headers.get("Retry-After")).toBe(retryAfter);
  });

  it("the credit budget → 503 with Retry-After", async () => {
    fakeKeyApi();
    const worker = testWorker();
    vi.spyOn(worker.runtime.cache, "lookup").mockRejectedValue(
      new ProblemError("credit-budget-exhausted", "Today's KeyAPI budget is spent.", { retryAfter: 3600 }),
    );
    const res = await worker.fetch(chartPage());
    const html = await errorPage(res, 503);
    expect(res.headers.get("Retry-After")).toBe("3600");
    expect(html).toContain("Today's KeyAPI budget is spent.");
  });

  it("past RATE_LIMITER → 429 with Retry-After, before any cache or upstream work", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.172" };
    for (let i = 0; i < 120; i++) {
      const res = await worker.fetch(i % 2 ? chartPage() : LIST_PATH, { headers: client });
      expect(res.status).toBe(200);
    }
    const res = await worker.fetch(chartPage(), { headers: client });
    const html = await errorPage(res, 429);
    expect(res.headers.get("Retry-After")).toBe("60");
    expect(res.headers.get("X-Cache")).toBeNull();
    expect(html).toContain("<title>Too many requests right now · TikTok chart</title>");
    expect(upstream.calls).toBe(1);
  }, 30_000);

  it("a refused origin → 403, an HTML page", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker({ ALLOWED_ORIGINS: "https://a.example" }).fetch(chartPage(), {
      headers: { Origin: "https://b.example" },
    });
    expect(res.status, await describe(res)).toBe(403);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'self' https://a.example");
    expect(upstream.calls).toBe(0);
  });
});
