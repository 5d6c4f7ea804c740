import { expect, describe as group, it, vi } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { sign, verifySignature } from "../../src/webhook/signature";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const SECRET = "whsec_test_0123456789abcdef";
const PATH = "/v1/webhooks/refresh";
const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;

function setup(overrides: Record<string, unknown> = { WEBHOOK_SECRET: SECRET }) {
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const worker = testWorker(overrides, { clock: () => clock.now });
  const upstream = fakeKeyApi();
  const nowSeconds = () => String(Math.floor(clock.now / 1000));

  /** A correctly signed request unless `tamper` says otherwise. */
  async function post(
    body: string,
    tamper: { timestamp?: string; signature?: string; contentType?: string; headers?: Record<string, string> } = {},
  ) {
    const timestamp = tamper.timestamp ?? nowSeconds();
    const signature = tamper.signature ?? (await sign(SECRET, timestamp, body));
    return worker.fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": tamper.contentType ?? "application/json",
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": signature,
        ...tamper.headers,
      },
    });
  }
  return { clock, worker, upstream, post, nowSeconds };
}

const items = (...list: unknown[]) => JSON.stringify({ items: list });

group("signing", () => {
  it("matches an HMAC-SHA256 computed independently (openssl)", async () => {
    expect(await sign(SECRET, "1764072000", '{"items":[{"clip_id":"1"}]}')).toBe(
      "sha256=770e464359eeddd16e386e5b10e531b4927fa1a80831e492f79d6f9d4007983d",
    );
  });

  it("accepts upper-case hex and rejects a one-bit change", async () => {
    const body = '{"items":[{"clip_id":"1"}]}';
    const good = "sha256=770E464359EEDDD16E386E5B10E531B4927FA1A80831E492F79D6F9D4007983D";
    const headers = (signature: string) => ({ timestamp: "1764072000", signature });
    expect(await verifySignature(SECRET, headers(good), body, 1764072000)).toEqual({ valid: true });
    const flipped = `${good.slice(0, -1)}C`;
    expect((await verifySignature(SECRET, headers(flipped), body, 1764072000)).valid).toBe(false);
  });
});

group("a signed refresh", () => {
  it("fetches each item fresh, stores it in every tier and reports it", async () => {
    const { worker, upstream, post, clock } = setup();
    const warm = await worker.fetch(`${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}`);
    const before = ((await warm.json()) as { fetched_at: string }).fetched_at;
    // Older than the 5 s within which a webhook takes the copy another delivery just fetched.
    clock.now += 6000;

    const res = await post(items({ clip_id: EXAMPLE_CLIP_ID }, { clip_id: "5", period: 30, region: "gb" }));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    const body = (await res.json()) as { results: { clip_id: string; status: number; data: { title: string } }[] };
    expect(body.results.map(({ clip_id, status }) => ({ clip_id, status }))).toEqual([
      { clip_id: EXAMPLE_CLIP_ID, status: 200 },
      { clip_id: "5", status: 200 },
    ]);
    expect(body.results[0]).toMatchObject({ period: 7, region: "US", data: { title: "New Sun" } });
    expect(body.results[1]).toMatchObject({ period: 30, region: "GB" });
    expect(upstream.calls).toBe(3);

    // Even a fresh copy was replaced, and the next GET is a hit on the new one.
    const after = await worker.fetch(`${SOUND_PATH}?clip_id=${EXAMPLE_CLIP_ID}`);
    expect(after.headers.get("X-Cache")).toBe("HIT");
    expect(((await after.json()) as { fetched_at: string }).fetched_at).not.toBe(before);
    const refreshedKv = await worker.fetch(`${SOUND_PATH}?clip_id=5&period=30&region=GB`);
    expect(refreshedKv.headers.get("X-Cache")).toBe("HIT");
    expect(upstream.calls).toBe(3);
  });

  it("takes a copy fetched in the last 5 seconds instead of calling again", async () => {
    const { worker, upstream, post, clock } = setup();
    await worker.fetch(`${SOUND_PATH}?clip_id=9`);
    clock.now += 4000;
    const res = await post(items({ clip_id: "9" }));
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(1);
    clock.now += 1000;
    await post(items({ clip_id: "9" }));
    expect(upstream.calls).toBe(2);
  });

  it("reports each item's own outcome as a problem object", async () => {
    const { upstream, post } = setup();
    upstream.mock.behave({ mode: "status", status: 429, times: 1 });
    const res = await post(items({ clip_id: "1" }, { clip_id: "4040000000000000001" }));
    expect(res.status, await describe(res)).toBe(200);
    const { results } = (await res.json()) as { results: { status: number; error?: { type: string } }[] };
    expect(results.map((result) => [result.status, result.error?.type])).toEqual([
      [503, problem("upstream-rate-limited")],
      [404, problem("sound-not-found")],
    ]);
  });

  it("shares one KeyAPI call among duplicate items and concurrent requests", async () => {
    const { worker, upstream, post } = setup();
    upstream.mock.behave({ latencyMs: 50 });
    const [webhook, get] = await Promise.all([
      post(items({ clip_id: "8" }, { clip_id: "8", region: "us" })),
      worker.fetch(`${SOUND_PATH}?clip_id=8`),
    ]);
    expect(webhook.status, await describe(webhook)).toBe(200);
    expect(get.status).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("refreshes at most six items at once (the platform's outgoing connection limit)", async () => {
    const { upstream, post } = setup();
    let inFlight = 0;
    let most = 0;
    const spy = upstream.mock.fetch;
    upstream.mock.fetch = async (request: Request) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return spy(request);
    };
    const res = await post(items(...Array.from({ length: 25 }, (_, i) => ({ clip_id: String(i + 1) }))));
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(25);
    expect(most).toBe(6);
  });

  it("accepts a sender clock up to 300 s off either way", async () => {
    const { clock, post } = setup();
    for (const skew of [-300, 300]) {
      const res = await post(items({ clip_id: "1" }), { timestamp: String(Math.floor(clock.now / 1000) + skew) });
      expect(res.status, await describe(res)).toBe(200);
    }
  });
});

group("a captured request sent again", () => {
  it("is answered from the record, in any location, for as long as its timestamp is accepted", async () => {
    const { upstream, post, clock, nowSeconds } = setup();
    const body = items({ clip_id: "1" }, { clip_id: "2", region: "gb" });
    const timestamp = nowSeconds();
    const signature = await sign(SECRET, timestamp, body);
    const first = await post(body, { timestamp, signature });
    expect(first.status, await describe(first)).toBe(200);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstText = await first.text();
    expect(upstream.calls).toBe(2);

    // Past the 5 s in which a webhook takes a copy just fetched: only the record stops these.
    clock.now += 6_000;
    const again = await post(body, { timestamp, signature });
    expect(again.status, await describe(again)).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(firstText);

    // Another location (a fresh isolate), near the end of the timestamp's 300 s.
    clock.now += 290_000;
    const elsewhere = await testWorker({ WEBHOOK_SECRET: SECRET }, { clock: () => clock.now }).fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": signature.toUpperCase().replace("SHA256=", "sha256="),
      },
    });
    expect(elsewhere.status, await describe(elsewhere)).toBe(200);
    expect(elsewhere.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await elsewhere.text()).toBe(firstText);
    expect(upstream.calls).toBe(2);
  });

  it("is refused with 503 and calls nothing when the record cannot be reached", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const unreachable = {
      idFromName: (name: string) => name,
      get: () => ({ claim: () => Promise.reject(new Error("Durable Object unreachable")) }),
    };
    const { upstream, post } = setup({ WEBHOOK_SECRET: SECRET, WEBHOOK_DELIVERIES: unreachable });
    const res = await post(items({ clip_id: "1" }));
    expect(res.status, await describe(res)).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("30");
    expect(await res.json()).toMatchObject({ type: problem("webhook-deliveries-unavailable") });
    expect(upstream.calls).toBe(0);
  });

  it("a new request (a new timestamp) with the same body is processed", async () => {
    const { upstream, post, clock } = setup();
    const body = items({ clip_id: "1" });
    expect((await post(body)).status).toBe(200);
    clock.now += 6_000;
    const res = await post(body);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    expect(upstream.calls).toBe(2);
  });
});

group("refused before KeyAPI is asked", () => {
  const body = items({ clip_id: "1" });

  it.each([
    [
      "no signature",
      { headers: { "X-Webhook-Signature": "" } },
      "X-Webhook-Timestamp and X-Webhook-Signature are required.",
    ],
    ["no timestamp", { timestamp: "" }, "X-Webhook-Timestamp and X-Webhook-Signature are required."],
    [
      "a signature without sha256=",
      { signature: "0".repeat(64) },
      "X-Webhook-Signature must be sha256=<64 hex digits>.",
    ],
    ["a short signature", { signature: "sha256=abc" }, "X-Webhook-Signature must be sha256=<64 hex digits>."],
    ["a wrong signature", { signature: `sha256=${"0".repeat(64)}` }, "The signature does not match the body."],
    ["a timestamp in ms", { timestamp: "1764072000000" }, "X-Webhook-Timestamp must be Unix seconds."],
    ["a timestamp with junk", { timestamp: "+1764072000" }, "X-Webhook-Timestamp must be Unix seconds."],
  ])("401 for %s", async (_name, tamper, detail) => {
    const { upstream, post } = setup();
    const res = await post(body, tamper);
    expect(res.status, await describe(res)).toBe(401);
    expect(await res.json()).toMatchObject({ type: problem("invalid-signature"), status: 401, detail });
    expect(upstream.calls).toBe(0);
  });

  it("401 for a replay: a correctly signed request older than 300 s", async () => {
    const { clock, post, nowSeconds } = setup();
    const timestamp = nowSeconds();
    const signature = await sign(SECRET, timestamp, body);
    clock.now += 301_000;
    const res = await post(body, { timestamp, signature });
    expect(res.status, await describe(res)).toBe(401);
    expect(await res.json()).toMatchObject({ detail: "X-Webhook-Timestamp is more than 300 s from now." });
  });

  it("401 for a signature from another timestamp or another body", async () => {
    const { upstream, post, nowSeconds } = setup();
    const other = await sign(SECRET, String(Number(nowSeconds()) - 1), body);
    expect((await post(body, { signature: other })).status).toBe(401);
    const forBodyA = await sign(SECRET, nowSeconds(), body);
    expect((await post(items({ clip_id: "2" }), { signature: forBodyA })).status).toBe(401);
    expect(upstream.calls).toBe(0);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/jsonp", ""])(
    "415 for Content-Type %j",
    async (contentType) => {
      const { upstream, post } = setup();
      const res = await post(body, { contentType });
      expect(res.status, await describe(res)).toBe(415);
      expect(await res.json()).toMatchObject({ type: problem("unsupported-media-type") });
      expect(upstream.calls).toBe(0);
    },
  );

  it("accepts application/json with a charset", async () => {
    const { post } = setup();
    expect((await post(body, { contentType: "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("413 for a body over 16 KiB, by Content-Length or by streaming", async () => {
    const { worker, upstream, nowSeconds } = setup();
    const big = JSON.stringify({ items: [{ clip_id: "1" }], pad: "x".repeat(16 * 1024) });
    const timestamp = nowSeconds();
    const headers = {
      "Content-Type": "application/json",
      "X-Webhook-Timestamp": timestamp,
      "X-Webhook-Signature": await sign(SECRET, timestamp, big),
    };
    const sized = await worker.fetch(PATH, { method: "POST", body: big, headers });
    expect(sized.status, await describe(sized)).toBe(413);
    expect(await sized.json()).toMatchObject({ type: problem("payload-too-large") });

    const chunk = new TextEncoder().encode("x".repeat(4096));
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        if (sent > 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await worker.fetch(PATH, { method: "POST", body: endless, headers });
    expect(streamed.status, await describe(streamed)).toBe(413);
    expect(sent).toBeLessThan(64 * 1024);
    expect(upstream.calls).toBe(0);
  });

  it.each([
    ["malformed JSON", "{items:", [{ param: "body", message: "is not valid JSON" }]],
    ["no items", "{}", [{ param: "items", message: "must be an array of items" }]],
    ["zero items", items(), [{ param: "items", message: "must hold at least one item" }]],
    [
      "26 items",
      items(...Array.from({ length: 26 }, (_, i) => ({ clip_id: String(i + 1) }))),
      [{ param: "items", message: "must hold at most 25 items" }],
    ],
    [
      "every bad item at once",
      JSON.stringify({
        items: [
          // biome-ignore lint/correctness/noPrecisionLoss: a sender that sends the id as a JSON number
          { clip_id: 6703723351497508865 },
          { clip_id: "12a", period: 8, region: "XX" },
          { clip_id: "1", period: "07", region: "usa", extra: true },
          "1",
        ],
        debug: 1,
      }),
      [
        { param: "items[0].clip_id", message: "must be a string of 1 to 20 decimal digits" },
        { param: "items[1].clip_id", message: "must be 1 to 20 decimal digits (0-9)" },
        { param: "items[1].period", message: "must be one of 7, 30 or 120" },
        { param: "items[1].region", message: "is not an ISO 3166-1 country code" },
        { param: "items[2].extra", message: "is not a known field" },
        { param: "items[2].period", message: "must be one of 7, 30 or 120" },
        { param: "items[2].region", message: "must be a two-letter ISO 3166-1 country code" },
        { param: "items[3]", message: expect.any(String) },
        { param: "debug", message: "is not a known field" },
      ],
    ],
  ])("400 for %s, listing every problem", async (_name, raw, errors) => {
    const { upstream, post } = setup();
    const res = await post(raw);
    expect(res.status, await describe(res)).toBe(400);
    const body = (await res.json()) as { type: string; errors: unknown[] };
    expect(body.type).toBe(problem("invalid-body"));
    expect(body.errors).toEqual(expect.arrayContaining(errors));
    expect(body.errors).toHaveLength(errors.length);
    expect(upstream.calls).toBe(0);
  });

  it("400 listing at most 20 problems of a body full of unknown fields, the rest counted", async () => {
    const { upstream, post } = setup();
    const fields = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, 1]));
    const res = await post(JSON.stringify({ items: [{ clip_id: "1", ...fields }] }));
    expect(res.status, await describe(res)).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(2048);
    const body = JSON.parse(text) as { detail: string; errors: { param: string }[]; errors_omitted: number };
    expect(body.errors).toHaveLength(20);
    expect(body.errors[0]).toEqual({ param: "items[0].f0", message: "is not a known field" });
    expect(body.errors_omitted).toBe(480);
    expect(body.detail).toMatch(/^Invalid body: items\[0\]\.f0, .*, items\[0\]\.f19 and 480 more\.$/);
    expect(upstream.calls).toBe(0);
  });

  it("400 naming a long unknown field cut at 64 code points, its emoji whole", async () => {
    const { post } = setup();
    const name = `${"a".repeat(63)}😀`;
    const res = await post(JSON.stringify({ items: [{ clip_id: "1", [`${name}more`]: 1 }] }));
    expect(res.status, await describe(res)).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/\\u[dD][89a-fA-F]/);
    expect((JSON.parse(text) as { errors: { param: string }[] }).errors).toEqual([
      { param: `items[0].${name}`, message: "is not a known field" },
    ]);
  });

  it("503 when WEBHOOK_SECRET is not configured", async () => {
    const { upstream, post } = setup({});
    const res = await post(body);
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({ type: problem("webhook-disabled") });
    expect(upstream.calls).toBe(0);
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("405 for %s with Allow", async (method) => {
    const { worker, upstream } = setup();
    const res = await worker.fetch(PATH, { method });
    expect(res.status, await describe(res)).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(upstream.calls).toBe(0);
  });

  it("refuses a WEBHOOK_SECRET shorter than 16 characters as misconfiguration", async () => {
    const { upstream, post } = setup({ WEBHOOK_SECRET: "short" });
    expect((await post(body)).status).toBe(500);
    expect(upstream.calls).toBe(0);
  });
});
