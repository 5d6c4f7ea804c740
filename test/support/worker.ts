/**
 * Runs requests through a fresh app (fresh in-isolate state) in the Workers
 * runtime, waiting for `ctx.waitUntil` work so cache writes are visible, and
 * checks every answer against the published OpenAPI document.
 */
import { createExecutionContext, reset, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";
import { createApp, createRuntime } from "../../src/app";
import type { TieredCacheOptions } from "../../src/cache/tiered-cache";
import { undocumented } from "./openapi-responses";

let workers = 0;

/**
 * A worker with fresh isolate state. Each one has its own host name, so its
 * Cache API entries (keyed on the host) are its own too, and its own client
 * client (`CF-Connecting-IP` in an IPv6 /64 of its own, unless a request sets one), so rate-limit
 * counters do not leak between tests; KV, the coordinators and the credit
 * ledger are emptied before every test (storage is only isolated per test file).
 */
export function testWorker(overrides: Record<string, unknown> = {}, options: TieredCacheOptions = {}) {
  const runtime = createRuntime(options);
  const app = createApp(runtime);
  const id = ++workers;
  const origin = `https://edge-${id}.example`;
  // A /64 of its own: the limits count IPv6 clients per /64 (src/http/client-key.ts).
  const clientIp = `2001:db8:${id.toString(16)}:${Date.now().toString(16).slice(-4)}::1`;
  const testEnv = (Object.keys(overrides).length > 0 ? { ...env, ...overrides } : env) as Env;
  return {
    app,
    runtime,
    origin,
    clientIp,
    env: testEnv,
    async fetch(path: string, init?: RequestInit): Promise<Response> {
      const ctx = createExecutionContext();
      const request = new Request(new URL(path, origin), init);
      if (!request.headers.has("CF-Connecting-IP")) request.headers.set("CF-Connecting-IP", clientIp);
      const response = await app.fetch(request, testEnv, ctx);
      await waitOnExecutionContext(ctx);
      // Every answer the suite sees must be one the published OpenAPI document declares.
      const problems = await undocumented(request.method, request.url, response);
      if (problems.length > 0) throw new Error(`not as public/openapi.json says:\n${problems.join("\n")}`);
      return response;
    },
  };
}

beforeEach(async () => {
  await reset();
});

export const SOUND_PATH = "/v1/tiktok/trending/music/detail";

/** The response as text, for assertion messages that explain a failure. */
export async function describe(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  return `${response.status}\n${headers}\n\n${await response.clone().text()}`;
}
