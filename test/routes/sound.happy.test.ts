import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createMockKeyApi, EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { version } from "../../package.json";
import worker from "../../src/index";
import expected from "../fixtures/example-payload.json";
import { TEST_KEYAPI_KEY } from "../support/constants";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

it("serves the documented example, trimmed", async () => {
  const upstream = fakeKeyApi();
  const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}`);

  expect(res.status, await describe(res)).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("application/json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ ...expected, fetched_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  expect(upstream.calls).toBe(1);
});

it("serves through the Worker's entry point too", async () => {
  const upstream = fakeKeyApi();
  // With its own execution context, so the cache writes it leaves to waitUntil end before the next test's reset()
  // empties storage under them (exports.default.fetch does not wait for them).
  const ctx = createExecutionContext();
  const request = new Request(`https://edge.example${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}`);
  const res = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status, await describe(res)).toBe(200);
  expect(((await res.json()) as { title: string }).title).toBe("New Sun");
  expect(upstream.calls).toBe(1);
});

it("sends KeyAPI exactly the validated values, the key and nothing of the caller's", async () => {
  const upstream = fakeKeyApi();
  const res = await testWorker().fetch(`${SOUND_PATH}?region=gb&period=30&clip_id=0042`, {
    headers: {
      Cookie: "session=abc",
      Authorization: "Bearer caller-token",
      "X-Forwarded-For": "203.0.113.9",
      "User-Agent": "curious/1.0",
      Origin: "https://widget.example",
    },
  });
  expect(res.status, await describe(res)).toBe(200);
  expect(upstream.calls).toBe(1);
  const [sent] = upstream.requests;
  expect(sent?.method).toBe("GET");
  expect(sent?.url).toBe("https://keyapi.test/v1/tiktok/trending/music/detail?clip_id=0042&period=30&region=GB");
  expect(Object.fromEntries(sent?.headers ?? [])).toEqual({
    accept: "application/json",
    authorization: `Bearer ${TEST_KEYAPI_KEY}`,
  });
});

it("passes 64-bit video ids through exactly as KeyAPI wrote them", async () => {
  const clipId = "7000000000000000001";
  const raw = await createMockKeyApi({ apiKey: "k" }).fetch(
    new Request(`https://keyapi.test${SOUND_PATH}?clip_id=${clipId}&period=7&region=US`, {
      headers: { Authorization: "Bearer k" },
    }),
  );
  const idsInRawText = [...(await raw.text()).matchAll(/"item_id":(\d+)/g)].map((match) => match[1]);
  expect(idsInRawText.length).toBeGreaterThan(0);
  expect(idsInRawText.some((id) => !Number.isSafeInteger(Number(id)))).toBe(true);

  fakeKeyApi();
  const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=${clipId}`);
  const body = (await res.json()) as { videos: { id: string }[] };
  expect(body.videos.map((video) => video.id)).toEqual(idsInRawText);
});

it("answers HEAD like GET, without a body", async () => {
  fakeKeyApi();
  const res = await testWorker().fetch(`${SOUND_PATH}?clip_id=1`, { method: "HEAD" });
  expect(res.status, await describe(res)).toBe(200);
  expect(await res.text()).toBe("");
});

it("reports health and version, and nothing about configuration", async () => {
  const upstream = fakeKeyApi();
  const res = await testWorker().fetch("/health");
  expect(res.status, await describe(res)).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", version });
  expect(upstream.calls).toBe(0);
});
