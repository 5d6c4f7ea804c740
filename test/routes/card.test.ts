import { expect, describe as group, it, vi } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { ProblemError } from "../../src/domain/problems";
import { CARD_CSP, drawn, SVG, UPSTREAM_FAILURES } from "../support/embeds";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";
import { allText, inertnessProblems, parseXml } from "../support/xml";

const CARD_PATH = "/v1/tiktok/trending/music/card.svg";
const card = (query: string) => `${CARD_PATH}?${query}`;

/**
 * Both cards, for what they answer alike before any work of their own: a sound's, and a chart's (whose other
 * tests are in chart-card.test.ts). `json` is the JSON endpoint the card is drawn from.
 */
const CARDS = [
  { name: "the sound card", card, json: `${SOUND_PATH}?clip_id=1`, query: "clip_id=1", subject: "sound" },
  {
    name: "the chart card",
    card: (query: string) => `/v1/tiktok/trending/music/chart.svg?${query}`,
    json: "/v1/tiktok/trending/music",
    query: "region=US",
    subject: "chart",
  },
];

group("the card", () => {
  it("draws the documented example from one KeyAPI call, with the card's own headers", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const res = await testWorker({}, { clock: () => now }).fetch(card(`clip_id=${EXAMPLE_CLIP_ID}`));
    const root = await drawn(res);
    expect(root.children[0]?.text).toBe("New Sun — Chihei Hatakeyama");
    expect(allText(root)).toContain("Latvia");
    expect(res.headers.get("X-Card-Status")).toBe("200");
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(res.headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=176100, stale-if-error=176100",
    );
    expect(res.headers.get("Age")).toBe("0");
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]+-card-auto-\d+"$/);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
    expect(upstream.calls).toBe(1);
  });

  it("shares the JSON endpoint's cached answer: JSON then card costs one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({}, { clock: () => now });
    const json = await worker.fetch(`${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}&region=gb`);
    expect(json.status, await describe(json)).toBe(200);
    const res = await worker.fetch(card(`region=GB&clip_id=${EXAMPLE_CLIP_ID}&theme=dark`));
    await drawn(res);
    expect(res.headers.get("X-Cache")).toBe("HIT");
    expect(res.headers.get("Server-Timing")).toBe('cache;desc="memory"');
    expect(res.headers.get("Cache-Control")).toBe(json.headers.get("Cache-Control"));
    expect(upstream.calls).toBe(1);
  });

  it("and the reverse: card then JSON costs one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    await drawn(await worker.fetch(card("clip_id=77&period=30")));
    const json = await worker.fetch(`${SOUND_PATH}?clip_id=77&period=30`);
    expect(json.status).toBe(200);
    expect(json.headers.get("X-Cache")).toBe("HIT");
    expect(upstream.calls).toBe(1);
  });

  it("has a strong ETag per theme, distinct from the JSON's, and answers 304 to it", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const json = await worker.fetch(`${SOUND_PATH}?clip_id=5`);
    const tags = new Set([json.headers.get("ETag")]);
    for (const theme of ["auto", "light", "dark"]) {
      const res = await worker.fetch(card(`clip_id=5&theme=${theme}`));
      const etag = res.headers.get("ETag") ?? "";
      expect(etag).toMatch(/^"[^"]+"$/);
      tags.add(etag);

      const again = await worker.fetch(card(`clip_id=5&theme=${theme}`), { headers: { "If-None-Match": etag } });
      expect(again.status, await describe(again)).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("ETag")).toBe(etag);
      expect(again.headers.get("X-Card-Status")).toBe("200");
      expect(again.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
    }
    expect(tags.size).toBe(4);
    // The JSON's validator does not validate a card.
    const mixed = await worker.fetch(card("clip_id=5"), {
      headers: { "If-None-Match": json.headers.get("ETag") ?? "" },
    });
    expect(mixed.status).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("draws the same card again from memory (same bytes, same ETag)", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const first = await worker.fetch(card("clip_id=6&theme=light"));
    const second = await worker.fetch(card("clip_id=6&theme=light"));
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(second.headers.get("X-Cache")).toBe("HIT");
  });

  it("allows CORS like the API", async () => {
    fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://a.example" });
    const res = await worker.fetch(card("clip_id=1"), { headers: { Origin: "https://a.example" } });
    await drawn(res);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
  });

  it("answers HEAD like GET, without a body", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(card("clip_id=1"), { method: "HEAD" });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(SVG);
    expect(await res.text()).toBe("");
  });

  it("draws hostile text from KeyAPI safely, end to end", async () => {
    const hostile = `<script>alert(1)</script>\u202E]]>&amp;"'{{x}}\u0001${"W".repeat(400)}`;
    fakeKeyApi(() =>
      Response.json({
        code: 0,
        data: {
          sound: {
            clip_id: "1",
            title: hostile,
            author: hostile,
            country_code: hostile,
            audience_countries: [{ country_info: { label: hostile, value: hostile }, score: 1 }],
            audience_interests: [{ interest_info: { value: hostile }, score: 1 }],
          },
        },
      }),
    );
    const res = await testWorker().fetch(card("clip_id=1"));
    const root = await drawn(res);
    const text = await res.text();
    expect(text).not.toMatch(/<script|\u202E|\p{Cc}/u);
    expect(allText(root)).toContain("<script>alert(1)</script>]]>&amp;\"'{{x}}W");
  });
});

group("errors are drawn, not broken", () => {
  it.each([
    ["no clip_id", "theme=dark", "clip_id is required"],
    ["a bad clip_id", "clip_id=12a", "clip_id must be 1 to 20 decimal digits (0-9)"],
    ["a bad theme", "clip_id=1&theme=sepia", "theme must be one of light, dark or auto"],
    ["an unknown parameter", "clip_id=1&v=2", "v is not a known parameter"],
  ])("%s → a card with X-Card-Status 400, no-store, no KeyAPI call", async (_name, query, message) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(card(query));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("400");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Security-Policy")).toBe(CARD_CSP);
    expect(root.children[0]?.text).toBe("Invalid query parameters");
    expect(allText(root)).toContain(message);
    expect(upstream.calls).toBe(0);
  });

  it("an unknown sound → a 'Sound not found' card, X-Card-Status 404, cached like the JSON's 404", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({}, { clock: () => now });
    const res = await worker.fetch(card("clip_id=4040000000000000001&region=de&theme=light"));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("404");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(root.children[0]?.text).toBe("Sound not found");
    expect(root.children[1]?.text).toBe(
      "No trending sound with clip id 4040000000000000001 in DE over the last 7 days.",
    );
    const json = await worker.fetch(`${SOUND_PATH}?clip_id=4040000000000000001&region=DE`);
    expect(json.status).toBe(404);
    expect(upstream.calls).toBe(1);
  });

  it.each(UPSTREAM_FAILURES)("$name → X-Card-Status $status, no-store", async ({ behaviour, status, retryAfter }) => {
    const upstream = fakeKeyApi();
    upstream.mock.behave(behaviour);
    const res = await testWorker().fetch(card("clip_id=1"));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe(status);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Retry-After")).toBe(retryAfter);
    expect(root.children[0]?.text).toBe(status === "503" ? "The sound service is busy" : "Couldn't load this sound");
  });

  it("no answer within UPSTREAM_TIMEOUT_MS → X-Card-Status 504", async () => {
    fakeKeyApi().mock.behave({ mode: "hang" });
    const res = await testWorker({ UPSTREAM_TIMEOUT_MS: "50" }).fetch(card("clip_id=1"));
    await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("504");
  });

  it("the credit budget → X-Card-Status 503 with Retry-After", async () => {
    fakeKeyApi();
    const worker = testWorker();
    vi.spyOn(worker.runtime.cache, "lookup").mockRejectedValue(
      new ProblemError("credit-budget-exhausted", "This month's KeyAPI budget is spent.", { retryAfter: 3600 }),
    );
    const res = await worker.fetch(card("clip_id=1"));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("503");
    expect(res.headers.get("Retry-After")).toBe("3600");
    expect(allText(root)).toContain("This month's KeyAPI budget is spent.");
  });

  it("past MISS_LIMITER → X-Card-Status 429, cached cards still drawn", async () => {
    await withinOneRateWindow();
    fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.71" };
    for (let clip = 1; clip <= 30; clip++) await worker.fetch(card(`clip_id=${clip}`), { headers: client });
    const refused = await worker.fetch(card("clip_id=31"), { headers: client });
    expect(refused.headers.get("X-Card-Status")).toBe("429");
    const cached = await worker.fetch(card("clip_id=1"), { headers: client });
    expect(cached.headers.get("X-Card-Status")).toBe("200");
  }, 30_000);
});

group.each(CARDS)("$name's refusals before any work, drawn", ({ card, json, query, subject }) => {
  it("a misconfigured deployment → X-Card-Status 500", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker({ KEYAPI_API_KEY: undefined }).fetch(card(`${query}&theme=dark`));
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("500");
    expect(root.children[0]?.text).toBe(`Couldn't load this ${subject}`);
    expect(upstream.calls).toBe(0);
  });

  it("a URL over 2,048 characters → X-Card-Status 414", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(card(`${query}&theme=${"x".repeat(2100)}`));
    await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("414");
    expect(upstream.calls).toBe(0);
  });

  it("a refused origin → HTTP 403 as the API answers it, drawn, X-Card-Status 403", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker({ ALLOWED_ORIGINS: "https://a.example" }).fetch(card(query), {
      headers: { Origin: "https://b.example" },
    });
    expect(res.status, await describe(res)).toBe(403);
    expect(res.headers.get("Content-Type")).toBe(SVG);
    expect(inertnessProblems(parseXml(await res.text()))).toEqual([]);
    expect(res.headers.get("X-Card-Status")).toBe("403");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(upstream.calls).toBe(0);
  });

  it("past RATE_LIMITER → X-Card-Status 429 with Retry-After, before any cache or upstream work", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    // A client of its own per card: the limiter counts across tests.
    const client = { "CF-Connecting-IP": subject === "sound" ? "203.0.113.70" : "203.0.113.170" };
    for (let i = 0; i < 120; i++) {
      const res = await worker.fetch(i % 2 ? card(query) : json, { headers: client });
      expect(res.status).toBe(200);
    }
    const res = await worker.fetch(card(`${query}&theme=dark`), { headers: client });
    const root = await drawn(res);
    expect(res.headers.get("X-Card-Status")).toBe("429");
    expect(res.headers.get("Retry-After")).toBe("60");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Cache")).toBeNull();
    expect(root.children[0]?.text).toBe("Too many requests right now");
    expect(upstream.calls).toBe(1);
  }, 30_000);
});
