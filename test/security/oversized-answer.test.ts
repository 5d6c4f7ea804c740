/**
 * KeyAPI is trusted with credits, not with sizes: an answer with huge lists or
 * strings is trimmed to the payload's caps, served by every surface, cached
 * like any other, and an answer too large to read is refused without being
 * buffered.
 */
import { expect, describe as group, it } from "vitest";
import { ANSWER_LIMITS } from "../../src/domain/limits";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const CLIP = "4200000000000000001";
const TREND_POINTS = 130_000;
const COUNTRIES = 50_000;
const DAY = 86_400;
const FIRST_DAY = 1_000_000_000;
const utcDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** Built once for the file: about 7 MB of JSON. */
const HUGE_ANSWER = (() => {
  // Every day once, in a scrambled order (7,919 is prime and does not divide 130,000).
  const trend = Array.from({ length: TREND_POINTS }, (_, i) => ({
    time: FIRST_DAY + ((i * 7919) % TREND_POINTS) * DAY,
    value: i % 100,
  }));
  const countries = Array.from({ length: COUNTRIES }, (_, i) => ({
    country_info: { label: "C", value: `N${i}` },
    score: 1,
  }));
  const sound = {
    clip_id: CLIP,
    title: "T".repeat(100_000),
    author: "A",
    cover: `https://p16.example/${"c".repeat(ANSWER_LIMITS.urlLength)}.jpg`,
    link: `https://www.tiktok.com/music/x-${CLIP}`,
    trend,
    audience_countries: countries,
  };
  return JSON.stringify({ code: 0, message: "success", data: { sound } });
})();

group("an answer with 130,000 trend points and 50,000 countries", () => {
  it("is served trimmed by the JSON, the card, the embed page and oEmbed, from one KeyAPI call", async () => {
    expect(HUGE_ANSWER.length).toBeGreaterThan(6_000_000);
    const upstream = fakeKeyApi(() => new Response(HUGE_ANSWER, { headers: { "Content-Type": "application/json" } }));
    const worker = testWorker();

    const json = await worker.fetch(`${SOUND_PATH}?clip_id=${CLIP}`);
    expect(json.status, await describe(json)).toBe(200);
    const text = await json.text();
    expect(text.length).toBeLessThan(30_000);
    const payload = JSON.parse(text) as {
      title: string;
      cover: string | null;
      link: string | null;
      trend: { date: string }[];
      countries: { name: string }[];
    };
    expect(payload.trend).toHaveLength(ANSWER_LIMITS.trendPoints);
    // The newest points, oldest first.
    const newest = FIRST_DAY + (TREND_POINTS - 1) * DAY;
    expect(payload.trend.at(-1)?.date).toBe(utcDay(newest));
    expect(payload.trend[0]?.date).toBe(utcDay(newest - (ANSWER_LIMITS.trendPoints - 1) * DAY));
    expect(payload.countries).toHaveLength(ANSWER_LIMITS.listItems);
    expect(payload.countries.at(-1)?.name).toBe(`N${ANSWER_LIMITS.listItems - 1}`);
    expect(payload.title).toBe("T".repeat(ANSWER_LIMITS.textCodePoints));
    // A URL over the cap is dropped, not cut.
    expect(payload.cover).toBeNull();
    expect(payload.link).toBe(`https://www.tiktok.com/music/x-${CLIP}`);

    const card = await worker.fetch(`/v1/tiktok/trending/music/card.svg?clip_id=${CLIP}`);
    expect(card.status, await describe(card)).toBe(200);
    expect(card.headers.get("X-Card-Status")).toBe("200");
    expect((await card.text()).length).toBeLessThan(20_000);

    const page = await worker.fetch(`/embed/sound/${CLIP}`);
    expect(page.status, await describe(page)).toBe(200);
    expect((await page.text()).length).toBeLessThan(30_000);

    const oembed = await worker.fetch(`/oembed?url=https://www.tiktok.com/music/x-${CLIP}`);
    expect(oembed.status, await describe(oembed)).toBe(200);
    expect(await oembed.json()).toMatchObject({ type: "rich", author_name: "A" });

    expect(upstream.calls).toBe(1);
  }, 60_000);

  it("is stored: two more requests, from another location, call KeyAPI no more", async () => {
    const upstream = fakeKeyApi(() => new Response(HUGE_ANSWER, { headers: { "Content-Type": "application/json" } }));
    const first = await testWorker().fetch(`${SOUND_PATH}?clip_id=${CLIP}1`);
    expect(first.status, await describe(first)).toBe(200);
    // Another location: its own tiers 0 and 1 are empty, so it asks the key's coordinator (or KV).
    for (const worker of [testWorker(), testWorker()]) {
      const res = await worker.fetch(`/v1/tiktok/trending/music/card.svg?clip_id=${CLIP}1`);
      expect(res.headers.get("X-Card-Status"), await describe(res)).toBe("200");
      expect(res.headers.get("X-Cache")).toBe("HIT");
    }
    expect(upstream.calls).toBe(1);
  }, 60_000);
});

group("an answer with 300,000 trend points (the issue's figure, about 10 MB)", () => {
  it("is served trimmed from one KeyAPI call, however many ask", async () => {
    const trend = Array.from({ length: 300_000 }, (_, i) => ({ time: FIRST_DAY + i * DAY, value: 0.31 }));
    const answer = JSON.stringify({
      code: 0,
      message: "success",
      data: { sound: { clip_id: CLIP, title: "T", trend } },
    });
    expect(answer.length).toBeGreaterThan(ANSWER_LIMITS.bodyBytes / 2);
    const upstream = fakeKeyApi(() => new Response(answer, { headers: { "Content-Type": "application/json" } }));
    const paths = [`${SOUND_PATH}?clip_id=${CLIP}3`, `/v1/tiktok/trending/music/card.svg?clip_id=${CLIP}3`];
    // Two locations, each asked twice by a different client.
    for (const worker of [testWorker(), testWorker()]) {
      for (const [i, path] of paths.entries()) {
        const res = await worker.fetch(path, { headers: { "CF-Connecting-IP": `198.51.100.${i + 1}` } });
        expect(res.status, await describe(res)).toBe(200);
        if (path.startsWith(SOUND_PATH)) {
          const payload = (await res.json()) as { trend: unknown[] };
          expect(payload.trend).toHaveLength(ANSWER_LIMITS.trendPoints);
        }
      }
    }
    expect(upstream.calls).toBe(1);
  }, 60_000);
});

group("an answer too large to read", () => {
  it("is refused as upstream-error after reading at most the limit; the rest is never pulled", async () => {
    // A valid answer followed by whitespace (valid JSON padding), a few MiB past the limit in all.
    const head = new TextEncoder().encode(JSON.stringify({ code: 0, data: { sound: { clip_id: CLIP, title: "x" } } }));
    const padding = new TextEncoder().encode(" ".repeat(64 * 1024));
    const chunks = Math.ceil(ANSWER_LIMITS.bodyBytes / padding.byteLength) + 64;
    let pulled = 0;
    let cancelled = false;
    const upstream = fakeKeyApi(() => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = sent === 0 ? head : padding;
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
          if (++sent > chunks) controller.close();
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    });
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=${CLIP}2`);
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-error" });
    expect(upstream.calls).toBe(1);
    expect(cancelled).toBe(true);
    // The stream may read ahead a little, nowhere near the whole body.
    expect(pulled).toBeLessThan(ANSWER_LIMITS.bodyBytes + 16 * padding.byteLength);
  }, 30_000);

  it("is remembered for the key: more askers, in any location, get the same 502 and cause no call", async () => {
    const upstream = fakeKeyApi(() => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode(" ".repeat(1024 * 1024)));
        },
      });
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    });
    const paths = [
      `${SOUND_PATH}?clip_id=${CLIP}4`,
      `/v1/tiktok/trending/music/card.svg?clip_id=${CLIP}4`,
      `/embed/sound/${CLIP}4`,
    ];
    for (const worker of [testWorker(), testWorker()]) {
      for (const [i, path] of paths.entries()) {
        const res = await worker.fetch(path, { headers: { "CF-Connecting-IP": `198.51.100.${i + 1}` } });
        const status = res.headers.get("X-Card-Status") ?? String(res.status);
        expect(status, await describe(res)).toBe("502");
      }
    }
    expect(upstream.calls).toBe(1);
  }, 60_000);
});
