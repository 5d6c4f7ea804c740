/**
 * Runs requests through a fresh app (fresh in-isolate state) in the Workers
 * runtime, waiting for `ctx.waitUntil` work so cache writes are visible.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

export const ORIGIN = "https://edge.example";

export function testWorker(overrides: Partial<Record<keyof Env, unknown>> = {}) {
  const app = createApp();
  const testEnv = (Object.keys(overrides).length > 0 ? { ...env, ...overrides } : env) as Env;
  return {
    app,
    env: testEnv,
    async fetch(path: string, init?: RequestInit): Promise<Response> {
      const ctx = createExecutionContext();
      const response = await app.fetch(new Request(new URL(path, ORIGIN), init), testEnv, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    },
  };
}

export const SOUND_PATH = "/v1/tiktok/trending/music/detail";

/** The response as text, for assertion messages that explain a failure. */
export async function describe(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  return `${response.status}\n${headers}\n\n${await response.clone().text()}`;
}
