/**
 * Budget alerts: the ledger queues one Standard Webhooks POST per threshold
 * per day and delivers it from its alarm, with backoff, across restarts, never
 * twice after a 2xx. The receiver is a fake fetch; signatures are checked with
 * the official `standardwebhooks` package.
 *
 * The ledger object reads ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET from its
 * own env: this file sets them there (each test file has its own runtime).
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, expect, describe as group, it, vi } from "vitest";
import { ALERT_RETRY_DELAYS_MS, crossedThresholds, nextAttemptAt } from "../../src/domain/budget-alerts";
import { LEDGER_NAME } from "../../src/ledger/client";
import type { CreditLedger } from "../../src/ledger/credit-ledger";
import { type LogLine, logged } from "../support/logs";
import { fakeKeyApi, type Received } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const RECEIVER = "https://alerts.example";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOON = Date.UTC(2026, 10, 25, 12);
const CALL = { endpoint: "detail", key: "1:7:US" } as const;
const settable = env as unknown as Record<string, string | undefined>;
const ledger = () => env.CREDIT_LEDGER.get(env.CREDIT_LEDGER.idFromName(LEDGER_NAME));

beforeAll(() => {
  settable.ALERT_WEBHOOK_URL = `${RECEIVER}/hooks/budget?team=ops`;
  settable.ALERT_WEBHOOK_SECRET = SECRET;
});
afterAll(() => {
  delete settable.ALERT_WEBHOOK_URL;
  delete settable.ALERT_WEBHOOK_SECRET;
});

let deliveryLines: () => LogLine[];
beforeEach(() => {
  deliveryLines = logged("alert_delivery");
});

/** A receiver that answers each delivery with the next status of `statuses` (the last one repeats). */
function receiver(...statuses: number[]) {
  let answered = 0;
  return fakeKeyApi(undefined, {
    [RECEIVER]: () => new Response(null, { status: statuses[Math.min(answered++, statuses.length - 1)] }),
  });
}

async function charge(times: number, budget: number, now = NOON) {
  for (let i = 0; i < times; i++) await ledger().charge(now, budget, CALL);
}

function payloads(requests: Received[]) {
  const webhook = new Webhook(SECRET);
  return requests.map(({ headers, body }) => ({
    id: headers["webhook-id"],
    body,
    // Throws unless the signature is right for the secret, the id and the timestamp.
    verified: webhook.verify(body, headers),
  }));
}

/** The queued alerts, as stored. */
function queue() {
  return runInDurableObject(ledger(), (_ledger: CreditLedger, state) =>
    state.storage.sql
      .exec<{ threshold: number; attempts: number; next_attempt_at: number | null; delivered_at: number | null }>(
        "SELECT threshold, attempts, next_attempt_at, delivered_at FROM budget_alert ORDER BY threshold",
      )
      .toArray(),
  );
}

/** As if the next attempt's time had come. */
function dueNow() {
  return runInDurableObject(ledger(), (_ledger: CreditLedger, state) => {
    state.storage.sql.exec("UPDATE budget_alert SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL", Date.now());
  });
}

group("which thresholds a charge crosses", () => {
  it.each([
    [0, 2, 20, []],
    [8, 10, 20, [0.5]],
    [14, 16, 20, [0.8]],
    [18, 20, 20, [1]],
    [10, 12, 20, []],
    // 7 credits allow 3 calls: the budget is as spent as it can be at 6.
    [2, 4, 7, [0.5]],
    [4, 6, 7, [0.8, 1]],
    // One call spends 2 of 3 credits: every threshold at once.
    [0, 2, 3, [0.5, 0.8, 1]],
    [0, 200, 0, []],
  ])("%i → %i credits of %i: %j", (before, after, budget, crossed) => {
    expect(crossedThresholds(before, after, budget)).toEqual(crossed);
  });

  it("retries after 5 s, 30 s, 2 min, 10 min, 1 h, then hourly, for 24 hours", () => {
    const queued = NOON;
    const waits = [];
    let now = queued;
    for (let failures = 1; ; failures++) {
      const next = nextAttemptAt(queued, failures, now);
      if (next === undefined) break;
      waits.push(next - now);
      now = next;
    }
    expect(waits.slice(0, 6)).toEqual([...ALERT_RETRY_DELAYS_MS, 3_600_000]);
    expect(now - queued).toBeLessThanOrEqual(24 * 3_600_000);
    expect(now + 3_600_000 - queued).toBeGreaterThan(24 * 3_600_000);
  });
});

group("delivery", () => {
  it("sends one signed POST per threshold per day, exactly once, with the documented body", async () => {
    const alerts = receiver(204);
    // 50 simultaneous charges against 20 credits: 10 allowed, 3 thresholds crossed, 3 alerts.
    await Promise.all(Array.from({ length: 50 }, () => ledger().charge(NOON, 20, CALL)));
    await expect.poll(() => alerts.received.length).toBe(3);
    const sent = payloads(alerts.received);
    expect(sent.map(({ verified }) => verified)).toEqual(
      [
        [0.5, 10],
        [0.8, 16],
        [1, 20],
      ].map(([threshold, spent]) => ({
        type: "credit_budget.threshold_reached",
        timestamp: "2026-11-25T12:00:00.000Z",
        data: {
          date: "2026-11-25",
          threshold,
          credits_spent: spent,
          credit_budget: 20,
          resets_at: "2026-11-26T00:00:00Z",
        },
      })),
    );
    for (const request of alerts.received) {
      expect(request.method).toBe("POST");
      expect(request.url).toBe(`${RECEIVER}/hooks/budget?team=ops`);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    }
    expect(new Set(sent.map(({ id }) => id)).size).toBe(3);
    expect(
      deliveryLines().map(({ threshold, attempt, status, result }) => [threshold, attempt, status, result]),
    ).toEqual([
      [0.5, 1, 204, "delivered"],
      [0.8, 1, 204, "delivered"],
      [1, 1, 204, "delivered"],
    ]);

    // The same day again (more charges, refused ones, the alarm run by hand): nothing more.
    await charge(5, 20);
    await runDurableObjectAlarm(ledger());
    expect(alerts.received).toHaveLength(3);
    // The next day starts over.
    await charge(5, 20, NOON + 86_400_000);
    await expect.poll(() => alerts.received.length).toBe(4);
    expect(payloads(alerts.received.slice(3))[0]?.verified).toMatchObject({
      data: { date: "2026-11-26", threshold: 0.5, credits_spent: 10 },
    });
  });

  it("retries a failed delivery with the same id and body, across a restart of the object, until a 2xx", async () => {
    const alerts = receiver(500, 503, 200);
    await charge(5, 20);
    await expect.poll(() => alerts.received.length).toBe(1);
    await expect.poll(async () => (await queue())[0]?.next_attempt_at).not.toBeNull();
    const [first] = await queue();
    expect(first).toMatchObject({ threshold: 0.5, attempts: 1, delivered_at: null });
    // The first retry waits 5 s, and the alarm is set for it.
    const alarm = await runInDurableObject(ledger(), (_ledger: CreditLedger, state) => state.storage.getAlarm());
    expect(alarm).toBe(first?.next_attempt_at);
    expect((first?.next_attempt_at ?? 0) - Date.now()).toBeGreaterThan(3_000);
    expect((first?.next_attempt_at ?? 0) - Date.now()).toBeLessThanOrEqual(5_000);

    // A crash or a deploy: the object starts again from its storage.
    await abortAllDurableObjects();
    await dueNow();
    expect(await runDurableObjectAlarm(ledger())).toBe(true);
    expect(alerts.received).toHaveLength(2);
    await abortAllDurableObjects();
    await dueNow();
    expect(await runDurableObjectAlarm(ledger())).toBe(true);
    expect(alerts.received).toHaveLength(3);

    const sent = payloads(alerts.received);
    expect(new Set(sent.map(({ id }) => id)).size).toBe(1);
    expect(new Set(sent.map(({ body }) => body)).size).toBe(1);
    expect(await queue()).toEqual([
      { threshold: 0.5, attempts: 3, next_attempt_at: null, delivered_at: expect.any(Number) },
    ]);
    expect(deliveryLines().map(({ attempt, status, result }) => [attempt, status, result])).toEqual([
      [1, 500, "retry"],
      [2, 503, "retry"],
      [3, 200, "delivered"],
    ]);
    // Delivered: no alarm left, and nothing is sent again.
    expect(await runDurableObjectAlarm(ledger())).toBe(false);
    await dueNow();
    expect(await runDurableObjectAlarm(ledger())).toBe(false);
    expect(alerts.received).toHaveLength(3);
  });

  it("treats a receiver that does not answer, or redirects, as a failure", async () => {
    let calls = 0;
    const alerts = fakeKeyApi(undefined, {
      [RECEIVER]: async () => {
        calls += 1;
        if (calls === 1) throw new TypeError("connection refused");
        return new Response(null, { status: 302, headers: { Location: "https://elsewhere.example/" } });
      },
    });
    await charge(5, 20);
    await expect.poll(() => deliveryLines().length).toBe(1);
    await dueNow();
    await runDurableObjectAlarm(ledger());
    expect(alerts.received).toHaveLength(2);
    expect(deliveryLines().map(({ status, result }) => [status, result])).toEqual([
      [null, "retry"],
      [302, "retry"],
    ]);
  });

  it("gives up 24 hours after the alert was queued", async () => {
    const alerts = receiver(500);
    await charge(5, 20);
    await expect.poll(() => deliveryLines().length).toBe(1);
    await runInDurableObject(ledger(), (_ledger: CreditLedger, state) => {
      state.storage.sql.exec(
        "UPDATE budget_alert SET queued_at = ?, next_attempt_at = ?",
        Date.now() - 86_400_000 + 1_000,
        0,
      );
    });
    await runDurableObjectAlarm(ledger());
    expect(alerts.received).toHaveLength(2);
    expect(deliveryLines().at(-1)).toMatchObject({ attempt: 2, status: 500, result: "gave-up", next_attempt_at: null });
    expect(await queue()).toMatchObject([{ next_attempt_at: null, delivered_at: null }]);
    expect(await runDurableObjectAlarm(ledger())).toBe(false);
  });

  it("drops what is queued when ALERT_WEBHOOK_URL is removed before delivery", async () => {
    const alerts = receiver(500);
    await charge(5, 20);
    await expect.poll(() => deliveryLines().length).toBe(1);
    delete settable.ALERT_WEBHOOK_URL;
    try {
      await dueNow();
      await runDurableObjectAlarm(ledger());
    } finally {
      settable.ALERT_WEBHOOK_URL = `${RECEIVER}/hooks/budget?team=ops`;
    }
    expect(alerts.received).toHaveLength(1);
    expect(deliveryLines().at(-1)).toMatchObject({ result: "dropped", next_attempt_at: null });
  });
});

group("nothing is sent", () => {
  it("without a budget", async () => {
    const alerts = receiver(204);
    await charge(30, 0);
    expect(await queue()).toEqual([]);
    expect(await runDurableObjectAlarm(ledger())).toBe(false);
    expect(alerts.received).toHaveLength(0);
  });

  it("without ALERT_WEBHOOK_URL", async () => {
    const alerts = receiver(204);
    delete settable.ALERT_WEBHOOK_URL;
    try {
      await charge(10, 20);
    } finally {
      settable.ALERT_WEBHOOK_URL = `${RECEIVER}/hooks/budget?team=ops`;
    }
    expect(await queue()).toEqual([]);
    expect(alerts.received).toHaveLength(0);
  });
});

group("as the worker meets it", () => {
  it("requests that spend the budget trigger the alerts; clients wait for none of it", async () => {
    const alerts = fakeKeyApi(undefined, {
      // A slow receiver holds no request up.
      [RECEIVER]: () => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response(null)), 500)),
    });
    const clock = { now: NOON };
    const worker = testWorker({ CREDIT_BUDGET_PER_DAY: "4", FRESH_TTL_SECONDS: "60" }, { clock: () => clock.now });
    for (const clip of ["1", "2"]) {
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`);
      expect(res.status, await describe(res)).toBe(200);
    }
    expect(alerts.calls).toBe(2);
    expect(deliveryLines()).toEqual([]);
    // 2 of 4 credits (50 %), then 4 (80 % and 100 %): three alerts, one after the other.
    await expect
      .poll(() => deliveryLines().map(({ threshold }) => threshold), { timeout: 5_000 })
      .toEqual([0.5, 0.8, 1]);
    const refused = await worker.fetch(`${SOUND_PATH}?clip_id=3`);
    expect(refused.status).toBe(503);
    expect(alerts.received).toHaveLength(3);
  });

  it("refuses an ALERT_WEBHOOK_SECRET that is not whsec_ + base64, and an ALERT_WEBHOOK_URL that is not http(s)", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const overrides of [{ ALERT_WEBHOOK_SECRET: "not base64!" }, { ALERT_WEBHOOK_URL: "ftp://alerts.example/" }]) {
      const res = await testWorker(overrides).fetch("/health");
      expect(res.status).toBe(500);
    }
    const problems = errors.mock.calls.map(([line]) => JSON.parse(String(line)).problems);
    expect(problems).toEqual([
      ["ALERT_WEBHOOK_SECRET: must be whsec_ + base64 of at least 16 bytes"],
      ["ALERT_WEBHOOK_URL: must be an http(s) URL"],
    ]);
  });
});
