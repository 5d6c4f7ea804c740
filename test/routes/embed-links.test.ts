/**
 * The URLs this service writes into its HTML and oEmbed answers (canonical, `og:url`, oEmbed discovery, the
 * iframe `src`, `provider_url`) survive consumers that decode HTML entities twice (unfurl.js): no `&` in them is
 * followed by a legacy entity name, so `&region` never turns into `®ion`.
 */
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { LEGACY_ENTITY_NAMES, legacyEntitiesIn } from "../support/legacy-entities";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

/** Every query shape the service writes: defaults, each parameter, all of them. */
const QUERIES = ["", "period=30", "region=gb", "theme=dark", "theme=light&region=jp&period=120"];

/** What one round of entity decoding makes of an attribute value written with `htmlEscape`. */
const decodeOnce = (value: string) =>
  value.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name] as string,
  );

/** Every URL under `origin` in an attribute of `html`, decoded once; oEmbed discovery's `url=` target too. */
function selfLinks(html: string, origin: string): string[] {
  const values = [...html.matchAll(/\s(?:href|src|content)="([^"]*)"/g)].map((match) => decodeOnce(match[1] ?? ""));
  const links = values.filter((value) => value.startsWith(`${origin}/`));
  const targets = links.flatMap((link) => new URL(link).searchParams.getAll("url"));
  return [...links, ...targets];
}

it("checks against the full list of legacy entity names, and would catch today's ?period=7&region=US", () => {
  expect(LEGACY_ENTITY_NAMES).toHaveLength(106);
  expect(new Set(LEGACY_ENTITY_NAMES).size).toBe(106);
  expect(legacyEntitiesIn("https://x.example/embed/sound/1?period=7&region=US")).toEqual(["&reg"]);
  expect(legacyEntitiesIn("https://x.example/?a=1&copy=2&not=3&para=4&sect=5&times=6&lt=7")).toHaveLength(6);
  expect(legacyEntitiesIn("https://x.example/embed/sound/1?region=US&period=7&theme=dark")).toEqual([]);
});

group("self-links survive double entity decoding", () => {
  it.each(QUERIES)("the embed page (%s): canonical, og:url, oEmbed discovery and its target", async (query) => {
    fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(`/embed/sound/${EXAMPLE_CLIP_ID}${query ? `?${query}` : ""}`);
    expect(res.status, await describe(res)).toBe(200);
    const links = selfLinks(await res.text(), worker.origin);
    // canonical, og:url, the discovery link, and the page URL inside it
    expect(links).toHaveLength(4);
    for (const link of links) expect(legacyEntitiesIn(link), link).toEqual([]);
    const page = links[0] as string;
    expect(new URL(page).search).toMatch(/^\?region=[A-Z]{2}&period=\d+(&theme=(light|dark))?$/);
  });

  it.each([...QUERIES, "new_to_top_100=true&commercial_music=true&limit=3&period=30&theme=dark"])(
    "the chart page (%s): canonical, og:url, oEmbed discovery, its target and the sounds' pages",
    async (query) => {
      fakeKeyApi();
      const worker = testWorker();
      const res = await worker.fetch(`/embed/chart${query ? `?${query}` : ""}`);
      expect(res.status, await describe(res)).toBe(200);
      const links = selfLinks(await res.text(), worker.origin);
      expect(links.length).toBeGreaterThan(4);
      for (const link of links) expect(legacyEntitiesIn(link), link).toEqual([]);
      expect(new URL(links[0] as string).search).toMatch(/^\?region=[A-Z]{2}&period=\d+&/);
      // Its oEmbed answer's iframe src too.
      const answer = await worker.fetch(`/oembed?url=${encodeURIComponent(links[0] as string)}`);
      const { html } = (await answer.json()) as { html: string };
      for (const link of selfLinks(html, worker.origin)) expect(legacyEntitiesIn(link), link).toEqual([]);
    },
  );

  it.each(QUERIES)("oEmbed (%s): the iframe src and provider_url", async (query) => {
    fakeKeyApi();
    const worker = testWorker();
    const target = `${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}${query ? `?${query}` : ""}`;
    const res = await worker.fetch(`/oembed?url=${encodeURIComponent(target)}`);
    expect(res.status, await describe(res)).toBe(200);
    const body = (await res.json()) as { html: string; provider_url: string };
    const links = [...selfLinks(body.html, worker.origin), body.provider_url];
    expect(links).toHaveLength(2);
    for (const link of links) expect(legacyEntitiesIn(link), link).toEqual([]);
  });
});
