/**
 * One rule for methods on every route: the route's own method (GET, or POST for the webhook), HEAD like GET
 * without a body, OPTIONS answered 204 with `Allow` (a CORS preflight gets its CORS answer), anything else 405
 * with the same `Allow`. A path that does not exist is 404 whatever the method.
 */
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { CHART_PATH } from "../support/charts";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const READ = "GET, HEAD, OPTIONS";
const ROUTES = [
  { name: "the detail endpoint", path: `${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}`, allow: READ },
  { name: "the list endpoint", path: `${CHART_PATH}?region=US&limit=5`, allow: READ },
  { name: "the card", path: `/v1/tiktok/trending/music/card.svg?clip_id=${EXAMPLE_CLIP_ID}`, allow: READ },
  { name: "the embed page", path: `/embed/sound/${EXAMPLE_CLIP_ID}`, allow: READ },
  { name: "the chart card", path: "/v1/tiktok/trending/music/chart.svg?region=US", allow: READ },
  { name: "the chart page", path: "/embed/chart?region=US", allow: READ },
  {
    name: "oEmbed",
    path: `/oembed?url=${encodeURIComponent(`https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}`)}`,
    allow: READ,
  },
  { name: "the webhook", path: "/v1/webhooks/refresh", allow: "POST, OPTIONS" },
  { name: "the usage endpoint", path: "/v1/admin/usage", allow: READ },
  { name: "health", path: "/health", allow: READ },
];

group.each(ROUTES)("$name", ({ path, allow }) => {
  it("OPTIONS without a CORS preflight → 204 with Allow, no body, no KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(path, { method: "OPTIONS" });
    expect(res.status, await describe(res)).toBe(204);
    expect(res.headers.get("Allow")).toBe(allow);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    expect(await res.text()).toBe("");
    expect(upstream.calls).toBe(0);
  });

  it("OPTIONS from an allowed page that is not a preflight → the same 204, with CORS headers", async () => {
    fakeKeyApi();
    const res = await testWorker({ ALLOWED_ORIGINS: "https://a.example" }).fetch(path, {
      method: "OPTIONS",
      headers: { Origin: "https://a.example" },
    });
    expect(res.status, await describe(res)).toBe(204);
    expect(res.headers.get("Allow")).toBe(allow);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(res.headers.get("Access-Control-Allow-Methods")).toBeNull();
  });

  it("a CORS preflight → 204 with the CORS answer", async () => {
    const res = await testWorker().fetch(path, {
      method: "OPTIONS",
      headers: { Origin: "https://a.example", "Access-Control-Request-Method": "GET" },
    });
    expect(res.status, await describe(res)).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Methods")).toBe("GET, OPTIONS");
  });

  it.each(["PUT", "DELETE", "PATCH", "PROPFIND"])("%s → 405 with Allow and no KeyAPI call", async (method) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(path, { method });
    expect(res.status, await describe(res)).toBe(405);
    expect(res.headers.get("Allow")).toBe(allow);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:method-not-allowed", status: 405 });
    expect(upstream.calls).toBe(0);
  });
});

group.each(ROUTES.filter(({ allow }) => allow === READ))("HEAD on $name", ({ path }) => {
  it("answers like GET, without a body", async () => {
    fakeKeyApi();
    const worker = testWorker({ ADMIN_TOKEN: "admin-token-for-tests-0123" });
    const headers = { Authorization: "Bearer admin-token-for-tests-0123" };
    const get = await worker.fetch(path, { headers });
    const head = await worker.fetch(path, { method: "HEAD", headers });
    expect(head.status, await describe(head)).toBe(get.status);
    expect(head.headers.get("Content-Type")).toBe(get.headers.get("Content-Type"));
    expect(head.headers.get("Cache-Control")).toBe(get.headers.get("Cache-Control"));
    expect(await head.text()).toBe("");
  });
});

it("a path that does not exist is 404 for OPTIONS too", async () => {
  const res = await testWorker().fetch("/nothing", { method: "OPTIONS" });
  expect(res.status, await describe(res)).toBe(404);
  expect(res.headers.get("Allow")).toBeNull();
  expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:not-found" });
});
