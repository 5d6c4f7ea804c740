import { expect, describe as group, it } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;

group("invalid queries", () => {
  it("answers 400 naming every bad parameter, and never calls KeyAPI", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=12a&period=8&region=usa&utm_source=x`);
    expect(res.status, await describe(res)).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: problem("invalid-query"),
      title: "Invalid query parameters",
      status: 400,
      detail: "Invalid query parameters: utm_source, clip_id, period, region.",
      request_id: res.headers.get("X-Request-Id"),
      errors: [
        { param: "utm_source", message: "is not a known parameter" },
        { param: "clip_id", message: "must be 1 to 20 decimal digits (0-9)" },
        { param: "period", message: "must be one of 7, 30 or 120" },
        { param: "region", message: "must be a two-letter ISO 3166-1 country code" },
      ],
    });
    expect(upstream.calls).toBe(0);
  });
});

group("the problem for a hostile query stays small and strict JSON", () => {
  /** About 2,000 characters of URL: as many short unknown parameters as fit under the 2,048 limit. */
  const longQuery = (path: string) => {
    let query = "clip_id=1";
    for (let i = 0; `${path}?${query}&p${i}=`.length < 2000; i++) query += `&p${i}=`;
    return `${path}?${query}`;
  };

  it("a 2,000-character URL of unknown parameters draws a problem under 2 KB: 20 listed, the rest counted", async () => {
    const upstream = fakeKeyApi();
    const path = longQuery(SOUND_PATH);
    const unknown = path.split("&").length - 1;
    const res = await testWorker().fetch(path);
    expect(res.status, await describe(res)).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(2048);
    const body = JSON.parse(text) as { detail: string; errors: unknown[]; errors_omitted: number };
    expect(body.errors).toHaveLength(20);
    expect(body.errors_omitted).toBe(unknown - 20);
    expect(body.detail).toMatch(new RegExp(`^Invalid query parameters: p0, p1, .*, p19 and ${unknown - 20} more\\.$`));
    expect(upstream.calls).toBe(0);
  });

  it("the card draws the same refusal as a small card", async () => {
    const res = await testWorker().fetch(longQuery("/v1/tiktok/trending/music/card.svg"));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Card-Status")).toBe("400");
    expect((await res.text()).length).toBeLessThan(4096);
  });

  it("a name cut at 64 code points keeps its emoji whole: no lone surrogate escapes", async () => {
    const name = `${"a".repeat(63)}😀`;
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1&${encodeURIComponent(`${name}more`)}=1`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/\\u[dD][89a-fA-F]/);
    const body = JSON.parse(text) as { errors: { param: string }[] };
    expect(body.errors.map(({ param }) => param)).toEqual([name]);
  });
});

group("KeyAPI outcomes", () => {
  const cases: {
    name: string;
    clipId?: string;
    behaviour?: MockBehaviour;
    status: number;
    kind: string;
    retryAfter?: string;
    /** 502/503/504 from KeyAPI are tried once more. */
    calls?: number;
  }[] = [
    { name: "code 0 without a sound", clipId: "4040000001", status: 404, kind: "sound-not-found" },
    { name: "a sound of an odd shape", behaviour: { mode: "odd-shape" }, status: 502, kind: "upstream-error" },
    {
      name: "HTTP 401",
      behaviour: { mode: "status", status: 401 },
      status: 502,
      kind: "upstream-credentials-rejected",
    },
    {
      name: "HTTP 402",
      behaviour: { mode: "status", status: 402 },
      status: 503,
      kind: "upstream-quota-exhausted",
      retryAfter: "600",
    },
    {
      name: "HTTP 402 with Retry-After",
      behaviour: { mode: "status", status: 402, retryAfter: 120 },
      status: 503,
      kind: "upstream-quota-exhausted",
      retryAfter: "120",
    },
    {
      name: "HTTP 429",
      behaviour: { mode: "status", status: 429 },
      status: 503,
      kind: "upstream-rate-limited",
      retryAfter: "30",
    },
    {
      name: "HTTP 429 with Retry-After",
      behaviour: { mode: "status", status: 429, retryAfter: 7 },
      status: 503,
      kind: "upstream-rate-limited",
      retryAfter: "7",
    },
    { name: "HTTP 400", behaviour: { mode: "status", status: 400 }, status: 502, kind: "upstream-error" },
    { name: "HTTP 500", behaviour: { mode: "status", status: 500 }, status: 502, kind: "upstream-error" },
    { name: "HTTP 502", behaviour: { mode: "status", status: 502 }, status: 502, kind: "upstream-error", calls: 2 },
    { name: "HTTP 503", behaviour: { mode: "status", status: 503 }, status: 502, kind: "upstream-error", calls: 2 },
    { name: "HTTP 504", behaviour: { mode: "status", status: 504 }, status: 502, kind: "upstream-error", calls: 2 },
    {
      name: "code 401 in a 200",
      behaviour: { mode: "envelope-error", status: 401 },
      status: 502,
      kind: "upstream-credentials-rejected",
    },
    {
      name: "code 402 in a 200",
      behaviour: { mode: "envelope-error", status: 402 },
      status: 503,
      kind: "upstream-quota-exhausted",
      retryAfter: "600",
    },
    {
      name: "code 429 in a 200",
      behaviour: { mode: "envelope-error", status: 429, retryAfter: 3 },
      status: 503,
      kind: "upstream-rate-limited",
      retryAfter: "3",
    },
    {
      name: "code 500 in a 200",
      behaviour: { mode: "envelope-error", status: 500 },
      status: 502,
      kind: "upstream-error",
    },
    { name: "a body that is not JSON", behaviour: { mode: "garbage" }, status: 502, kind: "upstream-error" },
  ];

  it.each(cases)("$name → $status $kind", async ({ clipId = "1", behaviour, status, kind, retryAfter, calls = 1 }) => {
    const upstream = fakeKeyApi();
    if (behaviour) upstream.mock.behave(behaviour);
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=${clipId}`);
    expect(res.status, await describe(res)).toBe(status);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("Retry-After")).toBe(retryAfter ?? null);
    const body = (await res.json()) as { type: string; status: number; detail: string; request_id: string };
    expect(body).toMatchObject({ type: problem(kind), status });
    expect(body.detail.length).toBeGreaterThan(0);
    expect(body.request_id).toBe(res.headers.get("X-Request-Id"));
    expect(upstream.calls).toBe(calls);
  });

  it.each([
    ["an envelope without code", '{"message":"ok","data":{}}'],
    ["a JSON array", "[]"],
    ["data that is a string", '{"code":0,"data":"x"}'],
    ["an empty body", ""],
  ])("%s → 502", async (_name, text) => {
    fakeKeyApi(() => new Response(text, { headers: { "Content-Type": "application/json" } }));
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({ type: problem("upstream-error") });
  });

  it("no answer within UPSTREAM_TIMEOUT_MS → 504", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "hang" });
    const res = await testWorker({ UPSTREAM_TIMEOUT_MS: "50" }).fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(504);
    expect(await res.json()).toMatchObject({ type: problem("upstream-timeout"), status: 504 });
  });

  it("a network failure → 502, after one retry", async () => {
    const upstream = fakeKeyApi(() => {
      throw new TypeError("Network connection lost.");
    });
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({ type: problem("upstream-error"), detail: "KeyAPI could not be reached." });
    expect(upstream.calls).toBe(2);
  });
});

group("routing", () => {
  it.each([
    "/",
    "/v1",
    "/v1/tiktok/trending",
    "/v1/tiktok/trending/music/",
    `${SOUND_PATH}/`,
    "/health/x",
    "/../etc/passwd",
  ])("%s → 404 problem", async (path) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(path);
    expect(res.status, await describe(res)).toBe(404);
    expect(await res.json()).toMatchObject({ type: problem("not-found"), title: "Not found", status: 404 });
    expect(upstream.calls).toBe(0);
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("%s on the endpoint → 405 with Allow", async (method) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`, { method });
    expect(res.status, await describe(res)).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(await res.json()).toMatchObject({ type: problem("method-not-allowed"), status: 405 });
    expect(upstream.calls).toBe(0);
  });

  it("OPTIONS without a CORS preflight → 204 with Allow (every route: test/http/methods.test.ts)", async () => {
    const res = await testWorker().fetch(SOUND_PATH, { method: "OPTIONS" });
    expect(res.status, await describe(res)).toBe(204);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });
});

group("configuration", () => {
  it.each([
    ["KEYAPI_API_KEY missing", { KEYAPI_API_KEY: undefined }],
    ["KEYAPI_API_KEY blank", { KEYAPI_API_KEY: "  " }],
    ["KEYAPI_BASE_URL not a URL", { KEYAPI_BASE_URL: "keyapi" }],
    ["KEYAPI_BASE_URL not http(s)", { KEYAPI_BASE_URL: "ftp://keyapi.test" }],
    ["ALLOWED_ORIGINS with a path", { ALLOWED_ORIGINS: "https://a.example/page" }],
    ["UPSTREAM_TIMEOUT_MS not a number", { UPSTREAM_TIMEOUT_MS: "soon" }],
    ["UPSTREAM_TIMEOUT_MS zero", { UPSTREAM_TIMEOUT_MS: "0" }],
  ])("%s → 500 service-misconfigured, no upstream call, no details", async (_name, overrides) => {
    const upstream = fakeKeyApi();
    const res = await testWorker(overrides).fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(500);
    expect(await res.json()).toEqual({
      type: problem("service-misconfigured"),
      title: "Service misconfigured",
      status: 500,
      detail: "The service is misconfigured. The operator has been told.",
      request_id: res.headers.get("X-Request-Id"),
    });
    expect(upstream.calls).toBe(0);
  });

  it("uses the documented defaults when optional vars are absent", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: undefined, UPSTREAM_TIMEOUT_MS: undefined });
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: { Origin: "https://anyone.example" } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(upstream.calls).toBe(1);
  });

  it("keeps a base path in KEYAPI_BASE_URL", async () => {
    const upstream = fakeKeyApi(() => Response.json({ code: 0, data: { sound: { title: "x" } } }));
    await testWorker({ KEYAPI_BASE_URL: "https://keyapi.test/proxy/" }).fetch(`${SOUND_PATH}?clip_id=1`);
    expect(upstream.requests[0]?.url).toBe(
      "https://keyapi.test/proxy/v1/tiktok/trending/music/detail?clip_id=1&period=7&region=US",
    );
  });
});
