/**
 * Hostile inputs, one row each: the exact status, a problem+json body of the
 * expected kind, the CORS headers an allowed page would need to read it, and
 * not a single call to KeyAPI.
 */
import { expect, describe as group, it } from "vitest";
import { TEST_KEYAPI_KEY } from "../support/constants";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const ALLOWED = "https://a.example";
const WEBHOOK = "/v1/webhooks/refresh";

type Row = {
  name: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  kind: string;
  /** The offending parameters, for 400s. */
  params?: string[];
};

const q = (query: string) => `${SOUND_PATH}?${query}`;

const rows: Row[] = [
  { name: "no parameters", path: SOUND_PATH, status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "clip_id twice", path: q("clip_id=1&clip_id=2"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "empty clip_id", path: q("clip_id="), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "bare clip_id", path: q("clip_id"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "letters", path: q("clip_id=abc"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "hex", path: q("clip_id=0x1F"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "21 digits", path: q(`clip_id=${"9".repeat(21)}`), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "plus sign (space)", path: q("clip_id=+1"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "encoded plus", path: q("clip_id=%2B1"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "minus sign", path: q("clip_id=-1"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "leading space", path: q("clip_id=%201"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "trailing tab", path: q("clip_id=1%09"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  {
    name: "Arabic-Indic digits",
    path: q("clip_id=%D9%A1%D9%A2"),
    status: 400,
    kind: "invalid-query",
    params: ["clip_id"],
  },
  { name: "full-width digits", path: q("clip_id=%EF%BC%91"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "NUL byte", path: q("clip_id=1%00"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  {
    name: "CRLF header injection",
    path: q("clip_id=1%0D%0ASet-Cookie:%20a=b"),
    status: 400,
    kind: "invalid-query",
    params: ["clip_id"],
  },
  { name: "encoded &", path: q("clip_id=1%26region=GB"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "encoded #", path: q("clip_id=1%23x"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  { name: "encoded /", path: q("clip_id=1%2F..%2Fhealth"), status: 400, kind: "invalid-query", params: ["clip_id"] },
  {
    name: "traversal in a value",
    path: q("clip_id=../../etc/passwd"),
    status: 400,
    kind: "invalid-query",
    params: ["clip_id"],
  },
  {
    name: "array syntax",
    path: q("clip_id[]=1"),
    status: 400,
    kind: "invalid-query",
    params: ["clip_id[]", "clip_id"],
  },
  { name: "region XX", path: q("clip_id=1&region=XX"), status: 400, kind: "invalid-query", params: ["region"] },
  { name: "region USA", path: q("clip_id=1&region=USA"), status: 400, kind: "invalid-query", params: ["region"] },
  { name: "region u1", path: q("clip_id=1&region=u1"), status: 400, kind: "invalid-query", params: ["region"] },
  { name: "period 0", path: q("clip_id=1&period=0"), status: 400, kind: "invalid-query", params: ["period"] },
  { name: "period 8", path: q("clip_id=1&period=8"), status: 400, kind: "invalid-query", params: ["period"] },
  { name: "period 7.0", path: q("clip_id=1&period=7.0"), status: 400, kind: "invalid-query", params: ["period"] },
  { name: "period 07", path: q("clip_id=1&period=07"), status: 400, kind: "invalid-query", params: ["period"] },
  { name: "period -7", path: q("clip_id=1&period=-7"), status: 400, kind: "invalid-query", params: ["period"] },
  { name: "period 1e1", path: q("clip_id=1&period=3e1"), status: 400, kind: "invalid-query", params: ["period"] },
  {
    name: "unknown parameter",
    path: q("clip_id=1&callback=alert"),
    status: 400,
    kind: "invalid-query",
    params: ["callback"],
  },
  { name: "cache buster", path: q("clip_id=1&_=123"), status: 400, kind: "invalid-query", params: ["_"] },
  { name: "8 KB query string", path: q(`clip_id=1&pad=${"a".repeat(8192)}`), status: 414, kind: "uri-too-long" },
  { name: "8 KB path", path: `/${"a".repeat(8192)}`, status: 414, kind: "uri-too-long" },
  { name: "traversal in the path", path: `${SOUND_PATH}/..%2F..%2Fhealth`, status: 404, kind: "not-found" },
  { name: "encoded traversal", path: `${SOUND_PATH}/%2e%2e/%2e%2e?clip_id=1`, status: 404, kind: "not-found" },
  { name: "double slash", path: `//v1/tiktok/trending/music/detail?clip_id=1`, status: 404, kind: "not-found" },
  { name: "upper-case path", path: "/V1/TIKTOK/TRENDING/MUSIC/DETAIL?clip_id=1", status: 404, kind: "not-found" },
  { name: "POST to the endpoint", path: q("clip_id=1"), method: "POST", status: 405, kind: "method-not-allowed" },
  { name: "PROPFIND", path: q("clip_id=1"), method: "PROPFIND", status: 405, kind: "method-not-allowed" },
  { name: "PURGE", path: q("clip_id=1"), method: "PURGE", status: 405, kind: "method-not-allowed" },
  { name: "LOCK", path: q("clip_id=1"), method: "LOCK", status: 405, kind: "method-not-allowed" },
  {
    name: "a forged Origin suffix",
    path: q("clip_id=1"),
    headers: { Origin: "https://a.example.evil.example" },
    status: 403,
    kind: "origin-not-allowed",
  },
  {
    name: "a forged Origin with a port",
    path: q("clip_id=1"),
    headers: { Origin: "https://a.example:8443" },
    status: 403,
    kind: "origin-not-allowed",
  },
  { name: "Origin null", path: q("clip_id=1"), headers: { Origin: "null" }, status: 403, kind: "origin-not-allowed" },
  {
    name: "a forged preflight",
    path: SOUND_PATH,
    method: "OPTIONS",
    headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
    status: 403,
    kind: "origin-not-allowed",
  },
  {
    name: "an unsigned webhook",
    path: WEBHOOK,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: '{"items":[{"clip_id":"1"}]}',
    status: 401,
    kind: "invalid-signature",
  },
  {
    name: "a webhook signed with the KeyAPI key",
    path: WEBHOOK,
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Webhook-Timestamp": "0",
      "X-Webhook-Signature": `sha256=${"ab".repeat(32)}`,
    },
    body: '{"items":[{"clip_id":"1"}]}',
    status: 401,
    kind: "invalid-signature",
  },
  {
    name: "a webhook as a form",
    path: WEBHOOK,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "items=1",
    status: 415,
    kind: "unsupported-media-type",
  },
  { name: "GET on the webhook", path: WEBHOOK, status: 405, kind: "method-not-allowed" },
];

group("hostile inputs", () => {
  it.each(rows)("$name → $status $kind", async ({ path, method, headers, body, status, kind, params }) => {
    const upstream = fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: ALLOWED, WEBHOOK_SECRET: "whsec_adversarial_0123456789" });
    const res = await worker.fetch(path, { method, body, headers: { Origin: ALLOWED, ...headers } });
    const text = await describe(res);

    expect(res.status, text).toBe(status);
    expect(res.headers.get("Content-Type"), text).toBe("application/problem+json");
    const problem = (await res.json()) as {
      type: string;
      status: number;
      detail: string;
      errors?: { param: string }[];
    };
    expect(problem.type, text).toBe(`urn:tiktok-sound-edge:problem:${kind}`);
    expect(problem.status).toBe(status);
    if (params) expect(problem.errors?.map((error) => error.param)).toEqual(params);

    const origin = { Origin: ALLOWED, ...headers }.Origin;
    expect(res.headers.get("Access-Control-Allow-Origin"), text).toBe(origin === ALLOWED ? ALLOWED : null);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(text).not.toContain(TEST_KEYAPI_KEY);
    expect(text).not.toMatch(/\n\s+at |Error:/);
    expect(upstream.calls).toBe(0);
  });

  it("does not echo a hostile X-Request-Id", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(q("clip_id=x"), { headers: { "X-Request-Id": "<script>alert(1)</script>" } });
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).not.toContain("<script>");
  });

  it("only ever calls KEYAPI_BASE_URL's one path", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    for (const query of ["clip_id=1", "clip_id=2&period=120&region=jp", "clip_id=00000000000000000003"]) {
      await worker.fetch(q(query), { headers: { Host: "evil.example", "X-Forwarded-Host": "evil.example" } });
    }
    expect(upstream.requests.map((request) => new URL(request.url).origin + new URL(request.url).pathname)).toEqual(
      Array(3).fill("https://keyapi.test/v1/tiktok/trending/music/detail"),
    );
  });
});
