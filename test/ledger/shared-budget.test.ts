/**
 * One daily credit budget for every KeyAPI endpoint: sounds and chart pages
 * spend it alike (2 credits a call), and the operator's figures say which
 * endpoint spent what, and on which key.
 */
import { expect, it } from "vitest";
import { CHART_PATH } from "../support/charts";
import { expectOutcome, type KeyApiOutcome } from "../support/keyapi-outcomes";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const NOON = Date.UTC(2026, 10, 25, 12);
const ADMIN_TOKEN = "admin-token-0123456789";
const AUTH = { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } };
const EXHAUSTED: KeyApiOutcome = { name: "budget", status: 503, kind: "credit-budget-exhausted", retryAfter: "43200" };

function location(budget: string) {
  return testWorker(
    { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", CREDIT_BUDGET_PER_DAY: budget, ADMIN_TOKEN },
    { clock: () => NOON },
  );
}

async function admin(worker: ReturnType<typeof testWorker>, path: string): Promise<unknown> {
  const res = await worker.fetch(path, AUTH);
  expect(res.status, await describe(res)).toBe(200);
  return res.json();
}

it("6 credits: one sound and two chart pages spend them; the next cold chart or sound is refused, held ones served", async () => {
  const upstream = fakeKeyApi();
  const worker = location("6");
  expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).status).toBe(200);
  const chart = await worker.fetch(`${CHART_PATH}?page=3&limit=7`);
  expect(chart.status, await describe(chart)).toBe(200);
  expect(upstream.calls).toBe(3);

  await expectOutcome(await worker.fetch(`${CHART_PATH}?region=GB`), EXHAUSTED);
  await expectOutcome(await worker.fetch(`${SOUND_PATH}?clip_id=2`), EXHAUSTED);
  expect(upstream.calls).toBe(3);

  // What is held is still served: any window of the pages fetched, and the sound.
  for (const path of [`${CHART_PATH}?limit=5`, `${CHART_PATH}?page=2&limit=20`, `${SOUND_PATH}?clip_id=1`]) {
    const res = await worker.fetch(path);
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("HIT");
  }
  expect(upstream.calls).toBe(3);

  expect(await admin(worker, "/v1/admin/usage")).toEqual({
    date: "2026-11-25",
    credits_spent: 6,
    credit_budget: 6,
    credits_left: 0,
    upstream_calls: 3,
    resets_at: "2026-11-26T00:00:00Z",
  });
  // Outcomes arrive after the answers (reported without making anyone wait).
  await expect
    .poll(() => admin(worker, "/v1/admin/usage/history?days=1"))
    .toEqual({
      credit_budget: 6,
      days: [
        {
          date: "2026-11-25",
          credits_spent: 6,
          upstream_calls: 3,
          outcomes: { "2xx": 3, "4xx": 0, "5xx": 0, none: 0, unknown: 0 },
          by_endpoint: { detail: { calls: 1, credits: 2 }, list: { calls: 2, credits: 4 } },
        },
      ],
    });
  const keys = (await admin(worker, "/v1/admin/usage/keys")) as { endpoint: string; key: string }[];
  expect(keys.map(({ endpoint, key }) => `${endpoint} ${key}`).sort()).toEqual([
    "detail 1:7:US",
    "list US:7:1:20",
    "list US:7:2:20",
  ]);
  expect(keys).toContainEqual({ endpoint: "list", key: "US:7:1:20", calls: 1, credits: 2, last_outcome: "2xx" });
});

it("a window whose second page does not fit the budget is refused; its first page, paid for, is kept", async () => {
  const upstream = fakeKeyApi();
  const worker = location("4");
  expect((await worker.fetch(`${SOUND_PATH}?clip_id=1`)).status).toBe(200);
  await expectOutcome(await worker.fetch(`${CHART_PATH}?page=3&limit=7`), EXHAUSTED);
  expect(upstream.calls).toBe(2);
  const first = await worker.fetch(`${CHART_PATH}?limit=14`);
  expect(first.status, await describe(first)).toBe(200);
  expect(first.headers.get("X-Cache")).toBe("HIT");
  expect(upstream.calls).toBe(2);
});
