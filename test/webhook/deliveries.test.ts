/**
 * The delivery record on its own: one object per webhook-id, claimed once,
 * completed with the first answer, waited for by concurrent copies, and gone
 * (storage and all) after its window.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DELIVERY_TTL_MS, type WebhookDeliveries } from "../../src/webhook/deliveries";
import { MAX_CLOCK_SKEW_SECONDS } from "../../src/webhook/signature";

const LEASE = { leaseMs: 30_000, waitMs: 0 };

function record() {
  const id = `msg_${crypto.randomUUID()}`;
  return { id, stub: env.WEBHOOK_DELIVERIES.getByName(id) };
}

/** Moves the row's end `ms` into the past, as if that much time had gone by. */
function backdate(stub: DurableObjectStub<WebhookDeliveries>, ms: number) {
  return runInDurableObject(stub, (_instance: WebhookDeliveries, state) => {
    state.storage.sql.exec("UPDATE delivery SET expires_at = ?", Date.now() - ms);
  });
}

/** The object's own tables (SQLite's and Cloudflare's internal ones left out) and its alarm. */
function storage(stub: DurableObjectStub<WebhookDeliveries>) {
  return runInDurableObject(stub, async (_instance: WebhookDeliveries, state) => ({
    tables: state.storage.sql
      .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray(),
    alarm: await state.storage.getAlarm(),
  }));
}

describe("claim and complete", () => {
  it("claims a new id once; a copy sees it in progress, then the stored answer", async () => {
    const { id, stub } = record();
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed" });
    const second = await stub.claim(id, "body-a", LEASE);
    expect(second).toMatchObject({ state: "in-progress" });
    expect(second.state === "in-progress" && second.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(second.state === "in-progress" && second.retryAfterSeconds).toBeLessThanOrEqual(30);

    await stub.complete(id, "body-a", '{"results":[]}', null);
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "done", response: '{"results":[]}' });
  });

  it("answers conflict for the same id with another body, in progress or done", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    expect(await stub.claim(id, "body-b", LEASE)).toEqual({ state: "conflict" });
    await stub.complete(id, "body-a", "{}", null);
    expect(await stub.claim(id, "body-b", LEASE)).toEqual({ state: "conflict" });
  });

  it("lets a concurrent copy wait for the first copy's answer", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    const waiting = stub.claim(id, "body-a", { leaseMs: 30_000, waitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await stub.complete(id, "body-a", '{"results":[1]}', null);
    expect(await waiting).toEqual({ state: "done", response: '{"results":[1]}' });
  });

  it("gives a released claim to the next copy", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    const waiting = stub.claim(id, "body-a", { leaseMs: 30_000, waitMs: 5_000 });
    await stub.release(id);
    expect(await waiting).toEqual({ state: "claimed" });
  });

  it("gives an abandoned claim (lease over, no complete) to the next copy", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await backdate(stub, 1);
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed" });
  });
});

describe("work left to resume", () => {
  it("a later copy claims what the first left unsettled; a copy that waited for it takes its answer as it is", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await stub.complete(id, "body-a", '{"results":[1]}', "left");
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed", resume: "left" });
    expect(await stub.lookup()).toMatchObject({ response: '{"results":[1]}', resume: "left", inProgress: true });

    const waiting = stub.claim(id, "body-a", { leaseMs: 30_000, waitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await stub.complete(id, "body-a", '{"results":[2]}', "still left");
    expect(await waiting).toEqual({ state: "done", response: '{"results":[2]}' });
    // A copy that did not wait resumes again.
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed", resume: "still left" });
    await stub.complete(id, "body-a", '{"results":[3]}', null);
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "done", response: '{"results":[3]}' });
  });

  it("a released resume keeps the earlier answer, and the next copy resumes", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await stub.complete(id, "body-a", "{}", "left");
    await stub.claim(id, "body-a", LEASE);
    await stub.release(id);
    expect(await stub.lookup()).toMatchObject({ response: "{}", resume: "left", inProgress: false });
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed", resume: "left" });
  });

  it("reads a row written before resume existed (a deploy within its window)", async () => {
    const { id, stub } = record();
    await runInDurableObject(stub, (_instance: WebhookDeliveries, state) => {
      state.storage.sql.exec(
        "CREATE TABLE delivery (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, response TEXT, expires_at INTEGER NOT NULL)",
      );
      state.storage.sql.exec(
        "INSERT INTO delivery VALUES (?, 'body-a', '{\"results\":[]}', ?)",
        id,
        Date.now() + 60_000,
      );
    });
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "done", response: '{"results":[]}' });
  });
});

describe("the 10-minute window", () => {
  it("keeps a completed delivery for exactly 10 minutes, with an alarm at its end", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    const before = Date.now();
    await stub.complete(id, "body-a", "{}", null);
    const stored = await stub.lookup();
    // Twice the ±300 s a timestamp is accepted: no copy of a recorded request passes the clock check after it.
    expect(DELIVERY_TTL_MS).toBe(2 * MAX_CLOCK_SKEW_SECONDS * 1000);
    expect(DELIVERY_TTL_MS).toBe(600_000);
    expect(stored?.expiresAt).toBeGreaterThanOrEqual(before + DELIVERY_TTL_MS);
    expect(stored?.expiresAt).toBeLessThanOrEqual(Date.now() + DELIVERY_TTL_MS);
    const alarm = await runInDurableObject(stub, (_instance: WebhookDeliveries, state) => state.storage.getAlarm());
    expect(alarm).toBe(stored?.expiresAt);
  });

  it("deletes the object's storage when the window is over, and the id can be used again", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await stub.complete(id, "body-a", "{}", null);
    expect(await storage(stub)).toEqual({ tables: [{ name: "delivery" }], alarm: expect.any(Number) });
    await backdate(stub, 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storage(stub)).toEqual({ tables: [], alarm: null });
    expect(await stub.lookup()).toBeNull();
    expect(await stub.claim(id, "body-b", LEASE)).toEqual({ state: "claimed" });
  });

  it("treats a row past its window as gone even before the alarm runs", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await stub.complete(id, "body-a", "{}", null);
    await backdate(stub, 1);
    expect(await stub.lookup()).toBeNull();
    expect(await stub.claim(id, "body-a", LEASE)).toEqual({ state: "claimed" });
  });

  it("an alarm that comes early (the window was extended) only reschedules", async () => {
    const { id, stub } = record();
    await stub.claim(id, "body-a", LEASE);
    await stub.complete(id, "body-a", "{}", null);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.lookup()).toMatchObject({ id, response: "{}" });
    const alarm = await runInDurableObject(stub, (_instance: WebhookDeliveries, state) => state.storage.getAlarm());
    expect(alarm).toBe((await stub.lookup())?.expiresAt);
  });
});
