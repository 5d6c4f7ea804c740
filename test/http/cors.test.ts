import { expect, describe as group, it } from "vitest";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const LIST = { ALLOWED_ORIGINS: "https://a.example, http://localhost:3000" };
const EXPOSED = "ETag, X-Cache, Age, Retry-After, X-Request-Id";

group("ALLOWED_ORIGINS=*", () => {
  it("serves requests without Origin normally", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("allows any origin with *, exposes the widget's headers, never credentials", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`, { headers: { Origin: "https://anyone.example" } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Expose-Headers")).toBe(EXPOSED);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(res.headers.get("Vary")).toBeNull();
  });
});

group("ALLOWED_ORIGINS as a list", () => {
  it("echoes an allowed origin with Vary: Origin", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker(LIST).fetch(`${SOUND_PATH}?clip_id=1`, {
      headers: { Origin: "http://localhost:3000" },
    });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:3000");
    expect(res.headers.get("Vary")).toBe("Origin");
    expect(res.headers.get("Access-Control-Expose-Headers")).toBe(EXPOSED);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(upstream.calls).toBe(1);
  });

  it.each([
    "https://evil.example",
    "https://a.example.evil.example",
    "http://a.example",
    "https://A.EXAMPLE",
    "null",
    "https://a.example, https://evil.example",
  ])("refuses Origin %j with 403 and no upstream call", async (origin) => {
    const upstream = fakeKeyApi();
    const res = await testWorker(LIST).fetch(`${SOUND_PATH}?clip_id=1`, { headers: { Origin: origin } });
    expect(res.status, await describe(res)).toBe(403);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:origin-not-allowed", status: 403 });
    expect(upstream.calls).toBe(0);
  });

  it("still serves requests without Origin (servers, curl)", async () => {
    fakeKeyApi();
    const res = await testWorker(LIST).fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("allows the worker's own origin (the demo page)", async () => {
    fakeKeyApi();
    const worker = testWorker(LIST);
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, { headers: { Origin: worker.origin } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(worker.origin);
  });

  it.each([
    ["400", `${SOUND_PATH}?clip_id=x`, 400, undefined],
    ["404", "/nothing", 404, undefined],
    ["405", SOUND_PATH, 405, "DELETE"],
    ["502", `${SOUND_PATH}?clip_id=1`, 502, undefined],
  ])("puts CORS headers on %s answers too", async (_name, path, status, method) => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ mode: "status", status: 500 });
    const res = await testWorker(LIST).fetch(path, { method, headers: { Origin: "https://a.example" } });
    expect(res.status, await describe(res)).toBe(status);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(res.headers.get("Access-Control-Expose-Headers")).toBe(EXPOSED);
  });
});

group("preflight", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": "GET",
      "Access-Control-Request-Headers": "if-none-match",
    },
  });

  it("answers 204 with methods, headers and a day's max-age", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker(LIST).fetch(SOUND_PATH, preflight("https://a.example"));
    expect(res.status, await describe(res)).toBe(204);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      "access-control-allow-origin": "https://a.example",
      "access-control-allow-methods": "GET, OPTIONS",
      "access-control-allow-headers": "If-None-Match, Content-Type",
      "access-control-max-age": "86400",
      vary: "Origin",
    });
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(await res.text()).toBe("");
    expect(upstream.calls).toBe(0);
  });

  it("answers * for any origin when the list is *", async () => {
    const res = await testWorker().fetch(SOUND_PATH, preflight("https://anyone.example"));
    expect(res.status, await describe(res)).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("refuses a disallowed origin with 403", async () => {
    const res = await testWorker(LIST).fetch(SOUND_PATH, preflight("https://evil.example"));
    expect(res.status, await describe(res)).toBe(403);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
