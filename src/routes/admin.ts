/**
 * `GET /v1/admin/usage`: today's KeyAPI credits from the global ledger, for the
 * operator. Bearer `ADMIN_TOKEN`, compared in constant time; a missing and a
 * wrong token get the same 401, so the answer says nothing about which it was.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS, ledgerOf } from "../coordinator/ledger-charge";
import { ProblemError } from "../domain/problems";
import { problemResponse } from "../http/problem";

export const USAGE_PATH = "/v1/admin/usage";

export function adminRoutes(clock: () => number) {
  return new Hono<AppEnv>().get(USAGE_PATH, async (c) => {
    const { config } = c.var;
    if (!config.adminToken)
      throw new ProblemError("admin-disabled", "The usage endpoint is not configured on this deployment.");
    if (!(await bearerMatches(c.req.header("Authorization"), config.adminToken))) {
      const error = new ProblemError("unauthorized", "Send the admin token as a Bearer token.");
      return problemResponse(error, c.var.requestId, { "WWW-Authenticate": 'Bearer realm="admin"' });
    }
    let usage: Awaited<ReturnType<ReturnType<typeof ledgerOf>["usage"]>>;
    try {
      usage = await ledgerOf(config.creditLedger).usage(clock(), config.creditBudgetPerDay);
    } catch {
      throw new ProblemError("usage-unavailable", "The credit ledger cannot be reached; try again shortly.", {
        retryAfter: LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS,
      });
    }
    return c.json(usage, 200, { "Cache-Control": "no-store" });
  });
}

/**
 * `Authorization: Bearer <token>` against the expected token in constant time:
 * both sides are hashed first, so neither their contents nor their lengths leak.
 */
export async function bearerMatches(authorization: string | undefined, expected: string): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const given = match?.[1] ?? "";
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b) && given.length > 0;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}
