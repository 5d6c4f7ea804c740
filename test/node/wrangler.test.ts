/** wrangler.toml says what the code assumes. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { CRON_INTERVAL_SECONDS } from "../../src/domain/freshness";

const WRANGLER = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");

it("schedules the cron every CRON_INTERVAL_SECONDS, the interval its warm-up rule counts on", () => {
  const crons = /^crons\s*=\s*\[(.*)\]$/m.exec(WRANGLER)?.[1];
  expect(crons, "no crons in wrangler.toml").toBeDefined();
  const schedules = [...(crons ?? "").matchAll(/"([^"]*)"/g)].map((match) => match[1]);
  expect(schedules).toEqual([`*/${CRON_INTERVAL_SECONDS / 60} * * * *`]);
});
