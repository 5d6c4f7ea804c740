/**
 * What the analytics data point says about a request's place in the app: its
 * surface, the route that answered and the sound asked for. Called by the
 * response envelope only when the `ANALYTICS` binding is there.
 */
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env";
import { CHART_PAGE_PATH } from "../embed/chart-query";
import { EMBED_PATH_PREFIX, OEMBED_PATH } from "../embed/oembed";
import type { AnalyticsSurface, RequestDimensions } from "../http/analytics";
import { USAGE_PATH } from "./admin";
import { CARD_PATH } from "./card";
import { CHART_CARD_PATH } from "./chart-card";
import { WEBHOOK_PATH } from "./webhook";

const ADMIN_PREFIX = USAGE_PATH.slice(0, USAGE_PATH.indexOf("/", "/v1/".length) + 1);
const API_PREFIX = "/v1/tiktok/";

/**
 * The surface a request used. The JSON API asked by a script in a browser
 * (`Sec-Fetch-Mode: cors`, or an `Origin`: the `<tiktok-sound>` widget, or any
 * page's own code) is `widget`; asked by anything else (servers, curl), `json`.
 */
export function surfaceOf(path: string, headers: Headers): AnalyticsSurface {
  if (path === CARD_PATH || path === CHART_CARD_PATH) return "card";
  if (path.startsWith(API_PREFIX)) {
    return headers.get("Sec-Fetch-Mode") === "cors" || headers.has("Origin") ? "widget" : "json";
  }
  if (path.startsWith(EMBED_PATH_PREFIX) || path === CHART_PAGE_PATH) return "embed";
  if (path === OEMBED_PATH) return "oembed";
  if (path === WEBHOOK_PATH) return "webhook";
  if (path.startsWith(ADMIN_PREFIX)) return "admin";
  return "other";
}

export function requestDimensions(c: Context<AppEnv>): RequestDimensions {
  const asked = c.get("asked");
  // The last route with a method is the one that answered; middleware is registered for ALL.
  const route = matchedRoutes(c).findLast((each) => each.method !== "ALL");
  return {
    surface: surfaceOf(c.req.path, c.req.raw.headers),
    route: route?.path ?? "",
    key: asked?.key() ?? "",
    region: asked?.region ?? "",
  };
}
