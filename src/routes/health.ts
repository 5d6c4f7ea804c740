/** `GET /health`: liveness for uptime checks. Says nothing about configuration. */
import { Hono } from "hono";
import { version } from "../../package.json";
import type { AppEnv } from "../app-env";

export const health = new Hono<AppEnv>().get("/health", (c) =>
  c.json({ status: "ok", version }, 200, { "Cache-Control": "no-store" }),
);
