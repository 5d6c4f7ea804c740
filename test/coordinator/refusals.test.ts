/**
 * A refusal KeyAPI answered for one input is remembered by the key's
 * coordinator for NEGATIVE_TTL_SECONDS: asking again, from any location,
 * would buy the same refusal. A signed webhook still asks; a failure that may
 * pass (a 5xx, even on a search's free text) is not remembered.
 */
import { Webhook } from "standardwebhooks";
import { expect, describe as group, it } from "vitest";
import { fakeKeyApi, refusal } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD7WzX+hW6U0c=";
const CHART = "/v1/tiktok/trending/music";

/** A fake KeyAPI that refuses (or fails) while `state.failing` is set, and is the mock otherwise. */
function switchable(failure: () => Response, applies: (url: URL) => boolean) {
  const state = { failing: true };
  const upstream = fakeKeyApi((request, mock) =>
    state.failing && applies(new URL(request.url)) ? failure() : mock.fetch(request),
  );
  return { state, upstream };
}

function locations() {
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const config = { WEBHOOK_SECRET: SECRET, NEGATIVE_TTL_SECONDS: "300" };
  const at = () => testWorker(config, { clock: () => clock.now });
  return { clock, at };
}

group("a refusal KeyAPI answered for one input", () => {
  it("is handed to later askers in any location without a call, until the negative TTL has passed", async () => {
    const { upstream } = switchable(
      () => refusal(400),
      (url) => url.searchParams.get("clip_id") === "42",
    );
    const { clock, at } = locations();
    const path = `${SOUND_PATH}?clip_id=42`;
    for (const worker of [at(), at(), at()]) {
      const res = await worker.fetch(path);
      expect(res.status, await describe(res)).toBe(502);
    }
    expect(upstream.calls).toBe(1);

    clock.now += 301_000;
    expect((await at().fetch(path)).status).toBe(502);
    expect(upstream.calls).toBe(2);
  });

  it("does not stop a signed webhook, the one way to ask KeyAPI again on demand", async () => {
    const { state, upstream } = switchable(
      () => refusal(404),
      (url) => url.searchParams.get("clip_id") === "43",
    );
    const { clock, at } = locations();
    expect((await at().fetch(`${SOUND_PATH}?clip_id=43`)).status).toBe(502);
    // KeyAPI knows the clip now (a new clip indexed late); the CMS asks for it with a signed webhook.
    state.failing = false;
    const body = JSON.stringify({ items: [{ clip_id: "43" }] });
    const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    const sentAt = new Date(Math.floor(clock.now / 1000) * 1000);
    const res = await at().fetch("/v1/webhooks/refresh", {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(sentAt.getTime() / 1000),
        "webhook-signature": new Webhook(SECRET).sign(id, sentAt, body),
      },
    });
    expect(res.status, await describe(res)).toBe(200);
    expect(((await res.json()) as { results: { status: number }[] }).results[0]?.status).toBe(200);
    expect(upstream.calls).toBe(2);
    // And the copy it fetched is what everyone gets now.
    expect((await at().fetch(`${SOUND_PATH}?clip_id=43`)).status).toBe(200);
    expect(upstream.calls).toBe(2);
  });
});

group("a KeyAPI error page too large to read", () => {
  it("is KeyAPI's 5xx, judged by its status: not remembered as a refusal, so the next asker tries again", async () => {
    const upstream = fakeKeyApi(() => {
      const page = new TextEncoder().encode(" ".repeat(1024 * 1024));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(page);
        },
      });
      return new Response(body, { status: 500 });
    });
    const { at } = locations();
    for (const worker of [at(), at()]) {
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=44`);
      expect(res.status, await describe(res)).toBe(502);
    }
    expect(upstream.calls).toBe(2);
  }, 30_000);
});

group("a search's failures", () => {
  const unavailable = { code: 503, message: "Service unavailable", data: null };
  it.each([
    ["HTTP 503", () => Response.json(unavailable, { status: 503 })],
    ["a 503 code in an HTTP 200", () => Response.json(unavailable)],
    ["HTTP 408 from a gateway", () => new Response("Request Timeout", { status: 408 })],
  ])("is not remembered, even when a search's free text takes the blame: %s", async (_name, failure) => {
    const { state, upstream } = switchable(
      failure,
      (url) => url.pathname === CHART && url.searchParams.get("search_keyword") === "love",
    );
    const { at } = locations();
    const path = `${CHART}?search_keyword=love`;
    expect((await at().fetch(path)).status).toBe(502);
    const failed = upstream.calls;
    state.failing = false;
    const res = await at().fetch(path);
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(failed + 1);
  });

  it("a refusal of a search (HTTP 400) is remembered like any refusal", async () => {
    const { state, upstream } = switchable(
      () => refusal(400),
      (url) => url.pathname === CHART && url.searchParams.get("search_keyword") === "love",
    );
    const { at } = locations();
    const path = `${CHART}?search_keyword=love`;
    expect((await at().fetch(path)).status).toBe(502);
    state.failing = false;
    expect((await at().fetch(path)).status).toBe(502);
    expect(upstream.calls).toBe(1);
  });
});
