/**
 * `GET /v1/tiktok/trending/music` when something is wrong: every parameter rule
 * (a 400 naming each bad parameter, no KeyAPI call), KeyAPI's failures mapped as
 * the detail endpoint maps them, answers that cannot be read. A WARM_CHARTS or
 * KEYAPI_LIST_PAGE_SIZE the worker refuses: test/routes/sound.error.test.ts
 * (configuration is checked on both endpoints there); methods: test/http/methods.test.ts.
 */
import { expect, describe as group, it } from "vitest";
import { CHART_PATH, chartRow, listAnswer, pagesAsked, upstreamQuery } from "../support/charts";
import {
  BROKEN_ENVELOPES,
  expectOutcome,
  KEYAPI_FAILURES,
  type KeyApiOutcome,
  problemType,
} from "../support/keyapi-outcomes";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const PAGE_RULE = "must be a whole number from 1 to 200, without leading zeros";
const LIMIT_RULE = "must be a whole number from 1 to 20";
const FLAG_RULE = "must be true or false";
const DEPTH_RULE = "page × limit must be at most 200";
const NOT_FALSE = "must not be false (leave it out for no search)";

/** The refusal of `query`, checked to be a 400 problem that cost no KeyAPI call. */
async function refusal(query: string): Promise<{ detail: string; errors: { param: string; message: string }[] }> {
  const upstream = fakeKeyApi();
  const res = await testWorker().fetch(`${CHART_PATH}?${query}`);
  expect(res.status, await describe(res)).toBe(400);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = (await res.json()) as { type: string; detail: string; errors: { param: string; message: string }[] };
  expect(body.type).toBe(problemType("invalid-query"));
  expect(upstream.calls).toBe(0);
  return body;
}

group("every parameter rule: 400 naming each bad parameter, no KeyAPI call", () => {
  it("names every broken rule at once, in a problem of the detail endpoint's shape", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(
      `${CHART_PATH}?utm_source=x&period=8&region=usa&page=0&limit=21&new_to_top_100=TRUE&commercial_music=1&search_keyword=false`,
    );
    expect(res.status, await describe(res)).toBe(400);
    expect(await res.json()).toEqual({
      type: problemType("invalid-query"),
      title: "Invalid query parameters",
      status: 400,
      detail:
        "Invalid query parameters: utm_source, period, region, page, limit, new_to_top_100, commercial_music, search_keyword.",
      request_id: res.headers.get("X-Request-Id"),
      errors: [
        { param: "utm_source", message: "is not a known parameter" },
        { param: "period", message: "must be one of 7, 30 or 120" },
        { param: "region", message: "must be a two-letter ISO 3166-1 country code" },
        { param: "page", message: PAGE_RULE },
        { param: "limit", message: LIMIT_RULE },
        { param: "new_to_top_100", message: FLAG_RULE },
        { param: "commercial_music", message: FLAG_RULE },
        { param: "search_keyword", message: NOT_FALSE },
      ],
    });
    expect(upstream.calls).toBe(0);
  });

  it.each([
    ["clip_id=6703723351497508865", "clip_id", "is not a known parameter"],
    ["limit=5&limit=5", "limit", "must be given only once"],
    ["region=US&region=GB", "region", "must be given only once"],
    ["region=", "region", "must not be empty"],
    ["page=", "page", "must not be empty"],
    ["search_keyword=", "search_keyword", "must not be empty"],
    ["new_to_top_100", "new_to_top_100", "must not be empty"],
    ["page=0", "page", PAGE_RULE],
    ["page=01", "page", PAGE_RULE],
    ["page=1.0", "page", PAGE_RULE],
    ["page=-1", "page", PAGE_RULE],
    ["page=%2B1", "page", PAGE_RULE],
    ["page=%201", "page", PAGE_RULE],
    ["page=1e1", "page", PAGE_RULE],
    ["page=two", "page", PAGE_RULE],
    ["page=201&limit=1", "page", PAGE_RULE],
    ["page=9999999", "page", PAGE_RULE],
    ["limit=0", "limit", LIMIT_RULE],
    ["limit=05", "limit", LIMIT_RULE],
    ["limit=21", "limit", LIMIT_RULE],
    ["limit=20.0", "limit", LIMIT_RULE],
    ["period=14", "period", "must be one of 7, 30 or 120"],
    ["period=07", "period", "must be one of 7, 30 or 120"],
    ["region=XX", "region", "is not an ISO 3166-1 country code"],
    ["region=U", "region", "must be a two-letter ISO 3166-1 country code"],
    ["new_to_top_100=TRUE", "new_to_top_100", FLAG_RULE],
    ["new_to_top_100=1", "new_to_top_100", FLAG_RULE],
    ["commercial_music=False", "commercial_music", FLAG_RULE],
    ["commercial_music=yes", "commercial_music", FLAG_RULE],
  ])("%s → %s %s", async (query, param, message) => {
    expect((await refusal(query)).errors).toEqual([{ param, message }]);
  });

  it.each([["page=11&limit=20"], ["page=101&limit=2"], ["page=200&limit=2"], ["page=14&limit=15"]])(
    "%s: page × limit over 200 names page and limit",
    async (query) => {
      const body = await refusal(query);
      expect(body.detail).toBe("Invalid query parameters: page, limit.");
      expect(body.errors).toEqual([
        { param: "page", message: DEPTH_RULE },
        { param: "limit", message: DEPTH_RULE },
      ]);
    },
  );

  it.each([
    // limit left to its default (20): 11 × 20 is too deep too.
    ["page=11&period=8", [{ param: "period", message: "must be one of 7, 30 or 120" }]],
    ["region=XX&page=14&limit=15", [{ param: "region", message: "is not an ISO 3166-1 country code" }]],
    ["utm=1&page=101&limit=2", [{ param: "utm", message: "is not a known parameter" }]],
  ])("%s: page × limit over 200 is named beside every other problem", async (query, others) => {
    const body = await refusal(query);
    const params = [...others.map((error) => error.param), "page", "limit"];
    expect(body.detail).toBe(`Invalid query parameters: ${params.join(", ")}.`);
    expect(body.errors).toEqual([
      ...others,
      { param: "page", message: DEPTH_RULE },
      { param: "limit", message: DEPTH_RULE },
    ]);
  });

  it.each([
    // The depth is only known once both are: a page or limit that broke its own rule is named for that alone.
    ["page=201&limit=5", [{ param: "page", message: PAGE_RULE }]],
    ["page=50&limit=21", [{ param: "limit", message: LIMIT_RULE }]],
    ["page=50&page=50", [{ param: "page", message: "must be given only once" }]],
    ["page=50&limit=", [{ param: "limit", message: "must not be empty" }]],
  ])("%s: no depth problem while page or limit is itself refused", async (query, errors) => {
    expect((await refusal(query)).errors).toEqual(errors);
  });

  it.each([
    ["page=10&limit=20", [10]],
    ["page=200&limit=1", [10]],
    ["page=40&limit=5", [10]],
  ])("%s (page × limit = 200) is served, from KeyAPI's page %j", async (query, pages) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(`${CHART_PATH}?${query}`);
    expect(res.status, await describe(res)).toBe(200);
    expect(pagesAsked(upstream.requests)).toEqual(pages);
  });

  group("search_keyword", () => {
    it.each([
      ["false"],
      ["FALSE"],
      ["False"],
      ["fAlSe"],
      ["%20false%20"],
      // Fullwidth letters: NFKC makes them "false".
      ["%EF%BD%86%EF%BD%81%EF%BD%8C%EF%BD%93%EF%BD%85"],
    ])("refuses %s: KeyAPI would read it as no search", async (keyword) => {
      expect((await refusal(`search_keyword=${keyword}`)).errors).toEqual([
        { param: "search_keyword", message: NOT_FALSE },
      ]);
    });

    it.each([
      ["%20%20%20", "must be 1 to 50 characters"],
      ["%09", "must be 1 to 50 characters"],
      ["a".repeat(51), "must be 1 to 50 characters"],
      [`${"%F0%9F%8E%B5".repeat(51)}`, "must be 1 to 50 characters"],
      ["love%00song", "must not contain control characters"],
      ["love%7Fsong", "must not contain control characters"],
      ["love%C2%85song", "must not contain control characters"],
    ])("refuses %s: %s", async (keyword, message) => {
      expect((await refusal(`search_keyword=${keyword}`)).errors).toEqual([{ param: "search_keyword", message }]);
    });

    it.each([
      ["a".repeat(50), "a".repeat(50)],
      [`%20%20${"b".repeat(50)}%20%20`, "b".repeat(50)],
      ["%F0%9F%8E%B5".repeat(50), "🎵".repeat(50)],
      ["falsehood", "falsehood"],
      ["not%20false", "not false"],
      ["Caf%C3%A9%0A%0Abar", "Café bar"],
      ["a%2Bb%26c%3Dd", "a+b&c=d"],
    ])("sends %s to KeyAPI as %j, and echoes that", async (keyword, normalised) => {
      const upstream = fakeKeyApi();
      const res = await testWorker().fetch(`${CHART_PATH}?search_keyword=${keyword}`);
      expect(res.status, await describe(res)).toBe(200);
      expect(((await res.json()) as { search_keyword: string }).search_keyword).toBe(normalised);
      expect(upstreamQuery(upstream.requests[0] as Request).search_keyword).toBe(normalised);
      expect(upstream.calls).toBe(1);
    });
  });
});

group("KeyAPI outcomes, mapped as for the detail endpoint", () => {
  it.each(KEYAPI_FAILURES)("$name → $status $kind", async (outcome: KeyApiOutcome) => {
    const upstream = fakeKeyApi();
    if (outcome.behaviour) upstream.mock.behave(outcome.behaviour);
    const res = await testWorker().fetch(`${CHART_PATH}?region=GB`);
    await expectOutcome(res, outcome, upstream.calls);
  });

  it.each(BROKEN_ENVELOPES)("%s → 502", async (_name, text) => {
    fakeKeyApi(() => new Response(text, { headers: { "Content-Type": "application/json" } }));
    const res = await testWorker().fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({ type: problemType("upstream-error") });
  });

  it.each([
    ["data without sound_list", { pagination: { page: 1, size: 0, total: 0, has_more: false } }, "without sound_list"],
    ["data: null", null, "without sound_list"],
    ["no data at all", undefined, "without sound_list"],
    ["a sound_list that is a string", { sound_list: "none" }, "of an unexpected shape"],
    ["a sound_list that is an object", { sound_list: { rank: 1 } }, "of an unexpected shape"],
  ])("%s → 502 upstream-error", async (_name, data, detail) => {
    const upstream = fakeKeyApi(() => listAnswer(data));
    const res = await testWorker().fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(502);
    expect(res.headers.get("Retry-After")).toBeNull();
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe(problemType("upstream-error"));
    expect(body.detail).toContain(detail);
    expect(upstream.calls).toBe(1);
  });

  it("no answer within UPSTREAM_TIMEOUT_MS → 504", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "hang" });
    const res = await testWorker({ UPSTREAM_TIMEOUT_MS: "50" }).fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(504);
    expect(await res.json()).toMatchObject({ type: problemType("upstream-timeout"), status: 504 });
    expect(upstream.calls).toBe(1);
  });

  it("a network failure → 502, after one retry", async () => {
    const upstream = fakeKeyApi(() => {
      throw new TypeError("Network connection lost.");
    });
    const res = await testWorker().fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({
      type: problemType("upstream-error"),
      detail: "KeyAPI could not be reached.",
    });
    expect(upstream.calls).toBe(2);
  });

  it("a failure is never cached: the next request asks KeyAPI again", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "status", status: 500, times: 1 });
    const worker = testWorker();
    expect((await worker.fetch(CHART_PATH)).status).toBe(502);
    const res = await worker.fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(upstream.calls).toBe(2);
  });

  it("a window whose second page fails is that failure; the first page stays cached", async () => {
    const upstream = fakeKeyApi((request, mock) =>
      upstreamQuery(request).page === "2"
        ? Response.json({ code: 429, data: null, message: "qps limit exceeded" }, { status: 429 })
        : mock.fetch(request),
    );
    const worker = testWorker();
    const res = await worker.fetch(`${CHART_PATH}?page=3&limit=7`);
    await expectOutcome(res, { name: "page 2", status: 503, kind: "upstream-rate-limited", retryAfter: "30" });
    expect(pagesAsked(upstream.requests)).toEqual([1, 2]);
    const first = await worker.fetch(`${CHART_PATH}?limit=7`);
    expect(first.headers.get("X-Cache"), await describe(first)).toBe("HIT");
    expect(upstream.calls).toBe(2);
  });

  it("a row of the wrong shape costs its place, never the answer", async () => {
    fakeKeyApi(() => listAnswer({ pagination: { total: 3 }, sound_list: [chartRow(1), "oops", chartRow(3)] }));
    const res = await testWorker().fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(200);
    const body = (await res.json()) as { sounds: { rank: number }[]; total: number };
    expect(body.sounds.map((sound) => sound.rank)).toEqual([1, 3]);
    expect(body.total).toBe(3);
  });
});

group("configuration", () => {
  it.each([["us"], [" US:7 , gb:30,DE:120 "], ["FR,"], [""]])("accepts WARM_CHARTS=%j", async (warmCharts) => {
    fakeKeyApi();
    const res = await testWorker({ WARM_CHARTS: warmCharts }).fetch(CHART_PATH);
    expect(res.status, await describe(res)).toBe(200);
  });
});
