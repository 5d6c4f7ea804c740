/**
 * The links the embed page and oEmbed write about this service (canonical, `og:url`, oEmbed discovery, the
 * iframe `src`, `provider_url`) go into cacheable answers. With `PUBLIC_URL` they use it, whatever `Host` a
 * request came with, and oEmbed accepts only its own URLs under it; without it they follow the request's host,
 * and those answers say `Vary: Host`.
 */
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const PUBLIC_URL = "https://sounds.example.com";
const HOSTILE = "https://attacker.example";
const UNKNOWN_CLIP_ID = "4040000000000000001";
const tiktok = (clipId: string) => `https://www.tiktok.com/music/x-${clipId}`;

/** A request that arrived with a Host header of the attacker's choosing (the URL's host comes from it). */
const fromHost = (origin: string, path: string): [string, RequestInit] => [
  `${origin}${path}`,
  { headers: { Host: new URL(origin).host } },
];

/** The URLs in the page's href/content attributes that name an /embed/ or /oembed path, entities decoded. */
function selfLinks(html: string): string[] {
  return [...html.matchAll(/\s(?:href|content)="([^"]*\/(?:embed|oembed)[^"]*)"/g)].map((match) =>
    (match[1] ?? "").replaceAll("&amp;", "&"),
  );
}

group("with PUBLIC_URL", () => {
  it("the embed page links to PUBLIC_URL whatever Host the request came with, and does not vary by Host", async () => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL });
    const res = await worker.fetch(...fromHost(HOSTILE, `/embed/sound/${EXAMPLE_CLIP_ID}`));
    expect(res.status, await describe(res)).toBe(200);
    const links = selfLinks(await res.text());
    const page = `${PUBLIC_URL}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`;
    expect(links).toEqual([page, page, `${PUBLIC_URL}/oembed?url=${encodeURIComponent(page)}`]);
    expect(res.headers.get("Vary")).toBeNull();
  });

  it("oEmbed answers with PUBLIC_URL's iframe and provider_url, and does not vary by Host", async () => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL });
    const res = await worker.fetch(...fromHost(HOSTILE, `/oembed?url=${encodeURIComponent(tiktok(EXAMPLE_CLIP_ID))}`));
    expect(res.status, await describe(res)).toBe(200);
    const body = (await res.json()) as { html: string; provider_url: string };
    expect(body.provider_url).toBe(`${PUBLIC_URL}/`);
    expect(body.html).toContain(`src="${PUBLIC_URL}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&amp;period=7"`);
    expect(body.html).not.toContain("attacker");
    expect(res.headers.get("Vary")).toBeNull();
  });

  it("oEmbed accepts its own embed URLs under PUBLIC_URL only, not under the Host the request came with", async () => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL });
    const own = `${PUBLIC_URL}/embed/sound/12?period=30&region=jp`;
    const accepted = await worker.fetch(...fromHost(HOSTILE, `/oembed?url=${encodeURIComponent(own)}`));
    expect(accepted.status, await describe(accepted)).toBe(200);
    for (const host of [HOSTILE, worker.origin]) {
      const other = `${host}/embed/sound/12?period=30&region=jp`;
      const res = await worker.fetch(...fromHost(host, `/oembed?url=${encodeURIComponent(other)}`));
      expect(res.status, await describe(res)).toBe(404);
      expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:no-embed" });
    }
  });

  it.each([
    ["https://sounds.example.com/", "https://sounds.example.com"],
    ["http://127.0.0.1:8787", "http://127.0.0.1:8787"],
    ["  ", undefined],
  ])("PUBLIC_URL %j is read as %j", async (value, origin) => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL: value });
    const res = await worker.fetch(`/oembed?url=${encodeURIComponent(tiktok(EXAMPLE_CLIP_ID))}`);
    expect(res.status, await describe(res)).toBe(200);
    expect(((await res.json()) as { provider_url: string }).provider_url).toBe(`${origin ?? worker.origin}/`);
  });

  it.each([
    "sounds.example.com",
    "ftp://sounds.example.com",
    "https://sounds.example.com/embed",
    "https://sounds.example.com?x=1",
    "https://sounds.example.com#top",
    "https://user:pass@sounds.example.com",
  ])("PUBLIC_URL %j is a configuration error (500), not a link", async (value) => {
    const upstream = fakeKeyApi();
    const res = await testWorker({ PUBLIC_URL: value }).fetch(`/embed/sound/${EXAMPLE_CLIP_ID}`);
    expect(res.status, await describe(res)).toBe(500);
    expect(upstream.calls).toBe(0);
  });
});

group("without PUBLIC_URL", () => {
  it("the embed page follows the request's host and says Vary: Host (200, 304 and a cached 404)", async () => {
    fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://blog.example" });
    const res = await worker.fetch(...fromHost(HOSTILE, `/embed/sound/${EXAMPLE_CLIP_ID}`));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Vary")).toBe("Host, Origin");
    const page = `${HOSTILE}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`;
    expect(selfLinks(await res.text())).toEqual([page, page, `${HOSTILE}/oembed?url=${encodeURIComponent(page)}`]);

    const [url, init] = fromHost(HOSTILE, `/embed/sound/${EXAMPLE_CLIP_ID}`);
    const etag = res.headers.get("ETag") ?? "";
    const notModified = await worker.fetch(url, { headers: { ...init.headers, "If-None-Match": etag } });
    expect(notModified.status, await describe(notModified)).toBe(304);
    expect(notModified.headers.get("Vary")).toBe("Host, Origin");

    await worker.fetch(`/embed/sound/${UNKNOWN_CLIP_ID}`);
    const notFound = await worker.fetch(`/embed/sound/${UNKNOWN_CLIP_ID}`);
    expect(notFound.status, await describe(notFound)).toBe(404);
    expect(notFound.headers.get("X-Cache")).toBe("HIT");
    expect(notFound.headers.get("Vary")).toBe("Host, Origin");
  });

  it("oEmbed follows the request's host and says Vary: Host (200 and a cached 404)", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(...fromHost(HOSTILE, `/oembed?url=${encodeURIComponent(tiktok(EXAMPLE_CLIP_ID))}`));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Vary")).toBe("Host");
    expect(((await res.json()) as { provider_url: string }).provider_url).toBe(`${HOSTILE}/`);

    await worker.fetch(`/oembed?url=${encodeURIComponent(tiktok(UNKNOWN_CLIP_ID))}`);
    const notFound = await worker.fetch(`/oembed?url=${encodeURIComponent(tiktok(UNKNOWN_CLIP_ID))}`);
    expect(notFound.status, await describe(notFound)).toBe(404);
    expect(notFound.headers.get("X-Cache")).toBe("HIT");
    expect(notFound.headers.get("Vary")).toBe("Host");
  });

  it("the JSON endpoint and the card write no self-links and do not vary by Host", async () => {
    fakeKeyApi();
    const worker = testWorker();
    for (const path of [
      `/v1/tiktok/trending/music/detail?clip_id=${EXAMPLE_CLIP_ID}`,
      `/v1/tiktok/trending/music/card.svg?clip_id=${EXAMPLE_CLIP_ID}`,
    ]) {
      const res = await worker.fetch(...fromHost(HOSTILE, path));
      expect(res.status, await describe(res)).toBe(200);
      expect(res.headers.get("Vary")).toBeNull();
      expect(await res.text()).not.toContain(HOSTILE);
    }
  });
});
