/**
 * The trending charts against a client who chooses its inputs: the breaker every client shares, the window's
 * `fetched_at` and ETag after a refresh, the ledger's per-key rows for long searches.
 */
import { expect, describe as group, it } from "vitest";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const CHART = "/v1/tiktok/trending/music";
const ADMIN_TOKEN = "admin-token-0123456789";
const AUTH = { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } };

function listCalls(upstream: ReturnType<typeof fakeKeyApi>) {
  return upstream.requests.filter((request) => new URL(request.url).pathname === CHART);
}

group("fetched_at of a window after a refresh that changed nothing", () => {
  it("says when KeyAPI last answered, as Age does (README: fetched_at is when KeyAPI answered)", async () => {
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const worker = testWorker({ FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "600" }, { clock: () => clock.now });

    const first = await worker.fetch(`${CHART}?region=US&limit=5`);
    expect(first.status, await describe(first)).toBe(200);
    expect(((await first.json()) as { fetched_at: string }).fetched_at).toBe("2026-11-25T12:00:00.000Z");

    // Stale: served at once, and the background refresh fetches the page again (KeyAPI sends the same chart).
    clock.now += 120_000;
    const stale = await worker.fetch(`${CHART}?region=US&limit=5`);
    expect(stale.headers.get("X-Cache")).toBe("STALE");
    expect(listCalls(upstream)).toHaveLength(2);

    clock.now += 1_000;
    const after = await worker.fetch(`${CHART}?region=US&limit=5`);
    expect(after.headers.get("X-Cache")).toBe("HIT");
    expect(after.headers.get("Age")).toBe("1");
    const body = (await after.json()) as { fetched_at: string };
    // KeyAPI answered at 12:02:00; the body still says 12:00:00.
    expect(body.fetched_at).toBe("2026-11-25T12:02:00.000Z");
  });

  it("gives the same window the same ETag in every isolate that holds the same pages", async () => {
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const ttls = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "600" };
    const a = testWorker(ttls, { clock: () => clock.now });
    await a.fetch(`${CHART}?region=US&limit=5`);
    clock.now += 120_000;
    await a.fetch(`${CHART}?region=US&limit=5`); // stale; refresh
    clock.now += 1_000;
    const fromA = await a.fetch(`${CHART}?region=US&limit=5`);
    // A second location, cold, gets the same (refreshed) page from KV / the coordinator.
    const b = testWorker(ttls, { clock: () => clock.now });
    const fromB = await b.fetch(`${CHART}?region=US&limit=5`);
    expect(listCalls(upstream)).toHaveLength(2);
    expect(fromB.headers.get("Age")).toBe(fromA.headers.get("Age"));
    expect(fromB.headers.get("ETag")).toBe(fromA.headers.get("ETag"));
  });
});

group("the ledger's key table", () => {
  it("keeps two different searches apart (issue 18: per day and cache key)", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker({ ADMIN_TOKEN });
    // 50 CJK code points each; they differ only in the last one. Each encodes to 450 characters in the key.
    const base = "音".repeat(49);
    for (const last of ["乐", "楽"]) {
      const res = await worker.fetch(`${CHART}?region=US&search_keyword=${encodeURIComponent(base + last)}`);
      expect(res.status, await describe(res)).toBe(200);
    }
    expect(listCalls(upstream)).toHaveLength(2);
    // The ledger's reports run after the answers (the coordinator's waitUntil): asked until they are in.
    const listCallsPerKey = async () => {
      const keys = (await (await worker.fetch("/v1/admin/usage/keys?limit=100", AUTH)).json()) as {
        endpoint: string;
        calls: number;
      }[];
      return keys.filter((row) => row.endpoint === "list").map((row) => row.calls);
    };
    await expect.poll(listCallsPerKey).toEqual([1, 1]);
  });
});

group("the breaker, against one client's chart inputs", () => {
  it("is not opened for everyone by five searches KeyAPI answers with data: null (as its detail endpoint says 'nothing')", async () => {
    // KeyAPI's detail endpoint says "nothing there" with data.sound null; if its list says the same for a search
    // with no hits or a page past the end (data: null), the worker blames KeyAPI's health for the client's input.
    const upstream = fakeKeyApi((request, mock) => {
      const url = new URL(request.url);
      if (url.pathname === CHART && url.searchParams.get("search_keyword") !== "FALSE") {
        return Response.json({ code: 0, message: "success", data: null });
      }
      return mock.fetch(request);
    });
    const worker = testWorker();
    const attacker = { headers: { "CF-Connecting-IP": "203.0.113.66" } };
    const victim = { headers: { "CF-Connecting-IP": "198.51.100.7" } };
    for (let i = 1; i <= 5; i++) {
      const res = await worker.fetch(`${CHART}?search_keyword=nohit${i}`, attacker);
      expect(res.status).toBe(502);
    }
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, victim);
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.callsFor("1")).toBe(1);
  });
});

group("the breaker, against a search KeyAPI fails on", () => {
  it("is not opened for everyone by five searches that make KeyAPI answer 500", async () => {
    // search_keyword is free text sent to KeyAPI; a search backend that fails on some input ("(", "\\", "*")
    // answers 500. The breaker reads every 5xx as "KeyAPI is unwell" (src/keyapi/client.ts blameFor).
    const upstream = fakeKeyApi((request, mock) => {
      const url = new URL(request.url);
      if (url.pathname === CHART && (url.searchParams.get("search_keyword") ?? "").includes("(")) {
        return Response.json({ code: 500, message: "Internal server error", data: null }, { status: 500 });
      }
      return mock.fetch(request);
    });
    const worker = testWorker();
    const attacker = { headers: { "CF-Connecting-IP": "203.0.113.66" } };
    const victim = { headers: { "CF-Connecting-IP": "198.51.100.7" } };
    for (let i = 1; i <= 5; i++) {
      expect((await worker.fetch(`${CHART}?search_keyword=${encodeURIComponent(`(${i}`)}`, attacker)).status).toBe(502);
    }
    const chart = await worker.fetch(`${CHART}?region=GB`, victim);
    expect(chart.status, await describe(chart)).toBe(200);
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, victim);
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.callsFor("1")).toBe(1);
  });
});

group("the breaker, against chart pages KeyAPI has nothing for", () => {
  it("is not opened for everyone by five pages past a chart's end that KeyAPI answers with data: null", async () => {
    // Any client picks the region, the page and the filters; if KeyAPI says "nothing there" with data: null
    // (as its detail endpoint does for a sound), that is the input's doing, not KeyAPI being unwell.
    const upstream = fakeKeyApi((request, mock) => {
      const url = new URL(request.url);
      if (url.pathname === CHART && url.searchParams.get("page") !== "1") {
        return Response.json({ code: 0, message: "success", data: null });
      }
      return mock.fetch(request);
    });
    const worker = testWorker();
    const attacker = { headers: { "CF-Connecting-IP": "203.0.113.66" } };
    const victim = { headers: { "CF-Connecting-IP": "198.51.100.7" } };
    for (const region of ["AD", "BT", "CV", "DM", "ER"]) {
      const res = await worker.fetch(`${CHART}?region=${region}&page=10&limit=20`, attacker);
      expect(res.status, await describe(res)).toBe(502);
    }
    const res = await worker.fetch(`${SOUND_PATH}?clip_id=1`, victim);
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.callsFor("1")).toBe(1);
  });
});
