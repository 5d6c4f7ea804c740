/**
 * Standard Webhooks deliveries end to end: what the `standardwebhooks` package
 * signs is accepted, every refusal happens before KeyAPI is asked, and a
 * redelivery, from any location, is answered from the record without a KeyAPI call.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { expect, describe as group, it, vi } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import type { WebhookDeliveries } from "../../src/webhook/deliveries";
import { sign } from "../../src/webhook/signature";
import { clipIdOf, fakeKeyApi, refusal } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD7WzX+hW6U0c=";
const PATH = "/v1/webhooks/refresh";
const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;
const items = (...list: unknown[]) => JSON.stringify({ items: list });
const newId = () => `msg_${crypto.randomUUID().replaceAll("-", "")}`;

type Tamper = { id?: string; timestamp?: string; signature?: string; headers?: Record<string, string> };

function setup(overrides: Record<string, unknown> = {}) {
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const options = { clock: () => clock.now };
  const config = { WEBHOOK_SECRET: SECRET, ...overrides };
  const worker = testWorker(config, options);
  const upstream = fakeKeyApi();
  const nowSeconds = () => String(Math.floor(clock.now / 1000));

  /** A delivery as a Standard Webhooks sender sends it, signed by the reference package. */
  function post(body: string, tamper: Tamper = {}, via = worker) {
    const id = tamper.id ?? newId();
    const timestamp = tamper.timestamp ?? nowSeconds();
    const signature = tamper.signature ?? new Webhook(SECRET).sign(id, new Date(Number(timestamp) * 1000), body);
    return via.fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
        ...tamper.headers,
      },
    });
  }
  /** Another location: fresh isolate state (memory tier, coalescing), the same Durable Object namespace. */
  const elsewhere = () => testWorker(config, options);
  return { clock, worker, upstream, post, nowSeconds, elsewhere };
}

/** Deliveries to a worker (and other locations) on `clock`, for tests that build their own fake KeyAPI. */
function deliveriesAt(clock: { now: number }) {
  const options = { clock: () => clock.now };
  const config = { WEBHOOK_SECRET: SECRET };
  const worker = testWorker(config, options);
  function post(body: string, tamper: { id: string }, via = worker) {
    const timestamp = String(Math.floor(clock.now / 1000));
    const signature = new Webhook(SECRET).sign(tamper.id, new Date(Number(timestamp) * 1000), body);
    return via.fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "webhook-id": tamper.id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
      },
    });
  }
  return { worker, post, elsewhere: () => testWorker(config, options) };
}

type Results = { results: { clip_id: string; status: number; data?: { title: string }; error?: { type: string } }[] };

group("a Standard Webhooks delivery", () => {
  it("is accepted when signed by the standardwebhooks package, and refreshes each item", async () => {
    const { upstream, post } = setup();
    const res = await post(items({ clip_id: EXAMPLE_CLIP_ID }, { clip_id: "5", period: 30, region: "gb" }));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    const body = (await res.json()) as Results;
    expect(body.results.map(({ clip_id, status }) => ({ clip_id, status }))).toEqual([
      { clip_id: EXAMPLE_CLIP_ID, status: 200 },
      { clip_id: "5", status: 200 },
    ]);
    expect(body.results[0]?.data?.title).toBe("New Sun");
    expect(upstream.calls).toBe(2);
  });

  it("passes with the signature header sent as two lines, the valid one first or second", async () => {
    const { upstream, worker, nowSeconds } = setup();
    const stale = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    for (const validFirst of [true, false]) {
      const id = newId();
      const body = items({ clip_id: validFirst ? "11" : "12" });
      const sentAt = new Date(Number(nowSeconds()) * 1000);
      const entries = [new Webhook(SECRET).sign(id, sentAt, body), stale.sign(id, sentAt, body)];
      const headers = new Headers({ "Content-Type": "application/json", "webhook-id": id });
      headers.set("webhook-timestamp", nowSeconds());
      for (const entry of validFirst ? entries : entries.reverse()) headers.append("webhook-signature", entry);
      const res = await worker.fetch(PATH, { method: "POST", body, headers });
      expect(res.status, await describe(res)).toBe(200);
    }
    expect(upstream.calls).toBe(2);
  });

  it("passes with several signatures when any one matches (key rotation)", async () => {
    const { upstream, post, nowSeconds } = setup();
    const id = newId();
    const body = items({ clip_id: "1" });
    const good = new Webhook(SECRET).sign(id, new Date(Number(nowSeconds()) * 1000), body);
    const oldKey = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(id, new Date(), body);
    const res = await post(body, { id, signature: `${oldKey} v1a,c2lnbmVk ${good}` });
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("is judged by its Standard Webhooks headers when the legacy ones are there too", async () => {
    const { upstream, post, nowSeconds } = setup();
    const body = items({ clip_id: "1" });
    const legacy = {
      "X-Webhook-Timestamp": nowSeconds(),
      "X-Webhook-Signature": await sign(SECRET, nowSeconds(), body),
    };
    const bad = await post(body, { signature: `v1,${btoa("x".repeat(32))}`, headers: legacy });
    expect(bad.status, await describe(bad)).toBe(401);
    expect(await bad.json()).toMatchObject({ detail: "No webhook-signature entry matches the body." });
    expect(upstream.calls).toBe(0);

    const garbage = { "X-Webhook-Timestamp": "junk", "X-Webhook-Signature": "junk" };
    const good = await post(body, { headers: garbage });
    expect(good.status, await describe(good)).toBe(200);
    expect(upstream.calls).toBe(1);
  });
});

group("refused with 401 before KeyAPI is asked", () => {
  const body = items({ clip_id: "1" });

  it.each([
    [
      "no webhook-id",
      { headers: { "webhook-id": "" } },
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    ],
    [
      "only webhook-id",
      { headers: { "webhook-timestamp": "", "webhook-signature": "" } },
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    ],
    ["a timestamp in ms", { timestamp: "1764072000000" }, "webhook-timestamp must be Unix seconds."],
    ["a timestamp with junk", { timestamp: "+1764072000" }, "webhook-timestamp must be Unix seconds."],
    [
      "a legacy-style signature",
      { signature: `sha256=${"0".repeat(64)}` },
      "webhook-signature must hold a v1,<base64 HMAC-SHA256> entry.",
    ],
    ["no valid signature", { signature: `v1,${btoa("x".repeat(32))}` }, "No webhook-signature entry matches the body."],
  ])("%s", async (_name, tamper: Tamper, detail) => {
    const { upstream, post } = setup();
    const res = await post(body, tamper);
    expect(res.status, await describe(res)).toBe(401);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: problem("invalid-signature"), status: 401, detail });
    expect(upstream.calls).toBe(0);
  });

  it("a stale timestamp: a correctly signed delivery more than 300 s old (or ahead)", async () => {
    const { upstream, post, clock } = setup();
    for (const skew of [-301, 301]) {
      const res = await post(body, { timestamp: String(Math.floor(clock.now / 1000) + skew) });
      expect(res.status, await describe(res)).toBe(401);
      expect(await res.json()).toMatchObject({ detail: "webhook-timestamp is more than 300 s from now." });
    }
    for (const [i, skew] of [-300, 300].entries()) {
      const res = await post(items({ clip_id: String(i + 1) }), {
        timestamp: String(Math.floor(clock.now / 1000) + skew),
      });
      expect(res.status, await describe(res)).toBe(200);
    }
    // Two deliveries (two ids, two clips): two refreshes.
    expect(upstream.calls).toBe(2);
  });

  it("a tampered body, another id or another timestamp than the one signed", async () => {
    const { upstream, post, nowSeconds } = setup();
    const id = newId();
    const signature = new Webhook(SECRET).sign(id, new Date(Number(nowSeconds()) * 1000), body);
    const earlier = String(Number(nowSeconds()) - 1);
    for (const [sent, tamper] of [
      [items({ clip_id: "2" }), { id, signature }],
      [body, { id: newId(), signature }],
      [body, { id, signature, timestamp: earlier }],
    ] as const) {
      const res = await post(sent, tamper);
      expect(res.status, await describe(res)).toBe(401);
    }
    expect(upstream.calls).toBe(0);
  });

  it("is not recorded: the same id, correctly signed, is processed afterwards", async () => {
    const { upstream, post } = setup();
    const id = newId();
    expect((await post(body, { id, signature: `v1,${btoa("x".repeat(32))}` })).status).toBe(401);
    expect((await post("{}", { id: newId() })).status).toBe(400);
    const res = await post(body, { id });
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(1);
  });
});

group("redelivery of the same webhook-id", () => {
  it("is answered with the first processing's stored body, from another location, with no KeyAPI call", async () => {
    const { upstream, post, elsewhere, clock } = setup();
    const id = newId();
    const body = items({ clip_id: "1" }, { clip_id: EXAMPLE_CLIP_ID }, { clip_id: "4040000000000000001" });
    const first = await post(body, { id });
    expect(first.status, await describe(first)).toBe(200);
    const firstText = await first.text();
    expect((JSON.parse(firstText) as Results).results.map((result) => result.status)).toEqual([200, 200, 404]);
    expect(upstream.calls).toBe(3);

    // Seconds later, a retry (the sender signs again with a new timestamp) reaches another location.
    clock.now += 30_000;
    const retry = await post(body, { id }, elsewhere());
    expect(retry.status, await describe(retry)).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.headers.get("Content-Type")).toBe("application/json");
    expect(await retry.text()).toBe(firstText);
    expect(upstream.calls).toBe(3);
  });

  it("processes again only the items that failed for a reason worth retrying, once KeyAPI recovers", async () => {
    let unwell = true;
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const upstream = fakeKeyApi((request, mock) =>
      unwell && clipIdOf(request) === "2"
        ? Response.json({ code: 500, message: "Internal server error", data: null }, { status: 500 })
        : clipIdOf(request).startsWith("4000")
          ? refusal(400)
          : mock.fetch(request),
    );
    const { post, elsewhere } = deliveriesAt(clock);
    const id = newId();
    const body = items(
      { clip_id: "1" },
      { clip_id: "2" },
      { clip_id: "4040000000000000001" },
      { clip_id: "4000000000000000001" },
    );
    const first = await post(body, { id });
    expect(first.status, await describe(first)).toBe(200);
    const firstResults = ((await first.json()) as Results).results;
    expect(firstResults.map((result) => [result.status, result.error?.type])).toEqual([
      [200, undefined],
      [502, problem("upstream-error")],
      [404, problem("sound-not-found")],
      [502, problem("upstream-error")],
    ]);
    expect(upstream.calls).toBe(4);

    // KeyAPI recovers; the sender redelivers (re-signed) to another location.
    unwell = false;
    clock.now += 30_000;
    const retry = await post(body, { id }, elsewhere());
    expect(retry.status, await describe(retry)).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    const retryText = await retry.text();
    const retryResults = (JSON.parse(retryText) as Results).results;
    expect(retryResults[1]).toMatchObject({ clip_id: "2", status: 200, data: { clip_id: "2" } });
    // The rest come from the record, exactly as first sent: the success, the not-found and KeyAPI's refusal.
    expect([retryResults[0], retryResults[2], retryResults[3]]).toEqual([
      firstResults[0],
      firstResults[2],
      firstResults[3],
    ]);
    expect(upstream.callsFor("2")).toBe(2);
    expect(upstream.calls).toBe(5);

    // Everything is settled now: the next copy is a replay that calls nothing.
    clock.now += 30_000;
    const replay = await post(body, { id }, elsewhere());
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.text()).toBe(retryText);
    expect(upstream.calls).toBe(5);
  });

  it("processes again an item refused while the breaker was open, once it has closed", async () => {
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const upstream = fakeKeyApi();
    const { worker, post } = deliveriesAt(clock);
    upstream.mock.behave({ mode: "status", status: 500 });
    for (let i = 1; i <= 5; i++) await worker.fetch(`/v1/tiktok/trending/music/detail?clip_id=${i}`);
    const calls = upstream.calls;
    upstream.mock.behave({});

    const id = newId();
    const body = items({ clip_id: "7" });
    const paused = await post(body, { id });
    const pausedResults = ((await paused.json()) as Results).results;
    expect(pausedResults.map((result) => [result.status, result.error?.type])).toEqual([
      [503, problem("upstream-unavailable")],
    ]);
    expect(upstream.calls).toBe(calls);

    clock.now += 31_000;
    const retry = await post(body, { id });
    expect(retry.status, await describe(retry)).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(((await retry.json()) as Results).results.map((result) => result.status)).toEqual([200]);
    expect(upstream.callsFor("7")).toBe(1);
  });

  it("two copies at once in two locations cost one KeyAPI call per item and get the same body", async () => {
    const { upstream, post, elsewhere } = setup();
    upstream.mock.behave({ latencyMs: 100 });
    const id = newId();
    const body = items({ clip_id: "11" }, { clip_id: "12" });
    const [a, b] = await Promise.all([post(body, { id }), post(body, { id }, elsewhere())]);
    expect(a.status, await describe(a)).toBe(200);
    expect(b.status, await describe(b)).toBe(200);
    expect(await a.text()).toBe(await b.text());
    expect(upstream.calls).toBe(2);
    expect([a.headers.get("Idempotent-Replayed"), b.headers.get("Idempotent-Replayed")].sort()).toEqual([null, "true"]);
  });

  it("409 webhook-id-reused for the same id with a different body, without calling KeyAPI", async () => {
    const { upstream, post } = setup();
    const id = newId();
    expect((await post(items({ clip_id: "1" }), { id })).status).toBe(200);
    const res = await post(items({ clip_id: "2" }), { id });
    expect(res.status, await describe(res)).toBe(409);
    expect(await res.json()).toMatchObject({ type: problem("webhook-id-reused"), status: 409 });
    expect(upstream.calls).toBe(1);
  });

  it("is processed again once the 10-minute window is over", async () => {
    const { upstream, post, clock } = setup();
    const id = newId();
    const body = items({ clip_id: "1" });
    expect((await post(body, { id })).status).toBe(200);
    expect((await post(body, { id })).headers.get("Idempotent-Replayed")).toBe("true");
    expect(upstream.calls).toBe(1);

    // Ten minutes pass for the record (its clock is the platform's): end its window and run its alarm.
    const stub = env.WEBHOOK_DELIVERIES.getByName(id);
    await runInDurableObject(stub, (_instance: WebhookDeliveries, state) => {
      state.storage.sql.exec("UPDATE delivery SET expires_at = ?", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    // Past the 5 s in which a webhook takes a copy another delivery just fetched (the coordinator's rule).
    clock.now += 6_000;
    const again = await post(body, { id });
    expect(again.status, await describe(again)).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();
    expect(upstream.calls).toBe(2);
  });
});

group("when the delivery record fails", () => {
  /** A namespace whose objects answer `claim` (and `complete`) with what the test says. */
  function fakeDeliveries(stub: { claim: () => Promise<unknown>; complete?: () => Promise<void> }) {
    return {
      idFromName: (name: string) => name,
      get: () => ({ complete: () => Promise.resolve(), release: () => Promise.resolve(), ...stub }),
    };
  }

  it("503 with Retry-After and no KeyAPI call when it cannot be reached", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { upstream, post } = setup({
      WEBHOOK_DELIVERIES: fakeDeliveries({ claim: () => Promise.reject(new Error("Durable Object unreachable")) }),
    });
    const res = await post(items({ clip_id: "1" }));
    expect(res.status, await describe(res)).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("30");
    expect(await res.json()).toMatchObject({ type: problem("webhook-deliveries-unavailable"), status: 503 });
    expect(upstream.calls).toBe(0);
    expect(warn.mock.calls.flat().join("\n")).toMatch(/webhook delivery record unavailable/);
  });

  it("200 with the results when the answer could not be stored (the credits are spent), and a warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { upstream, post } = setup({
      WEBHOOK_DELIVERIES: fakeDeliveries({
        claim: () => Promise.resolve({ state: "claimed" }),
        complete: () => Promise.reject(new Error("storage down")),
      }),
    });
    const res = await post(items({ clip_id: "1" }));
    expect(res.status, await describe(res)).toBe(200);
    expect(((await res.json()) as Results).results[0]?.status).toBe(200);
    expect(upstream.calls).toBe(1);
    expect(warn.mock.calls.flat().join("\n")).toMatch(/webhook delivery not recorded/);
  });

  it("409 with Retry-After when another copy is still being processed past the wait", async () => {
    const { upstream, post } = setup({
      WEBHOOK_DELIVERIES: fakeDeliveries({
        claim: () => Promise.resolve({ state: "in-progress", retryAfterSeconds: 12 }),
      }),
    });
    const res = await post(items({ clip_id: "1" }));
    expect(res.status, await describe(res)).toBe(409);
    expect(res.headers.get("Retry-After")).toBe("12");
    expect(await res.json()).toMatchObject({ type: problem("webhook-delivery-in-progress"), status: 409 });
    expect(upstream.calls).toBe(0);
  });
});

group("a WEBHOOK_SECRET that is not whsec_ and base64", () => {
  it("refuses Standard Webhooks deliveries with 503 webhook-disabled and still accepts the legacy scheme", async () => {
    const legacySecret = "a-legacy-passphrase-0123";
    const { worker, upstream, post, nowSeconds } = setup({ WEBHOOK_SECRET: legacySecret });
    const body = items({ clip_id: "1" });
    const res = await post(body);
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({ type: problem("webhook-disabled") });
    expect(upstream.calls).toBe(0);

    const legacy = await worker.fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": nowSeconds(),
        "X-Webhook-Signature": await sign(legacySecret, nowSeconds(), body),
      },
    });
    expect(legacy.status, await describe(legacy)).toBe(200);
  });
});

group("a deployment without the WEBHOOK_DELIVERIES binding", () => {
  it("refuses deliveries of both schemes with 503 webhook-disabled, and calls nothing", async () => {
    const { worker, upstream, post, nowSeconds } = setup({ WEBHOOK_DELIVERIES: undefined });
    const body = items({ clip_id: "1" });
    const res = await post(body);
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({
      type: problem("webhook-disabled"),
      detail: expect.stringContaining("WEBHOOK_DELIVERIES"),
    });
    expect(upstream.calls).toBe(0);

    const legacy = await worker.fetch(PATH, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": nowSeconds(),
        "X-Webhook-Signature": await sign(SECRET, nowSeconds(), body),
      },
    });
    expect(legacy.status, await describe(legacy)).toBe(503);
    expect(await legacy.json()).toMatchObject({
      type: problem("webhook-disabled"),
      detail: expect.stringContaining("WEBHOOK_DELIVERIES"),
    });
    expect(upstream.calls).toBe(0);
  });
});
