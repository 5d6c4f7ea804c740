/** `GET /health`: liveness for uptime checks. Says nothing about configuration. */
import { Hono } from "hono";
import { version } from "../../package.json";
import type { AppEnv } from "../app-env";
import { EVERY_ROUTE_PROBLEMS } from "../http/problem";

/** Health has no problems of its own: it is 500 only when the configuration is invalid (or a bug). */
export const HEALTH_PROBLEMS = EVERY_ROUTE_PROBLEMS;

export const health = new Hono<AppEnv>().get("/health", (c) =>
  c.json({ status: "ok", version }, 200, { "Cache-Control": "no-store" }),
);
