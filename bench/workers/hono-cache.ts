/**
 * Bench baseline "hono-cache" (never shipped): the naive proxy wrapped in
 * Hono's own `hono/cache` middleware, configured the way the Hono docs show.
 * It stores 200s in the Cache API keyed on the URL; it does not coalesce
 * concurrent misses, revalidate in the background or serve stale on errors.
 */
import { Hono } from "hono";
import { cache } from "hono/cache";
import { DETAIL_PATH } from "../../src/endpoints/detail";
import { createNaiveRoutes, type NaiveEnv } from "./naive-app";

const app = new Hono<NaiveEnv>();
app.get(DETAIL_PATH, cache({ cacheName: "bench-hono-cache", cacheControl: "max-age=3600", wait: false }));
app.route("/", createNaiveRoutes());

export default app satisfies ExportedHandler<Env>;

export { SoundCoordinator } from "../../src/coordinator/sound-coordinator";
// The Durable Objects the configuration requires (bindings in ../wrangler/*.toml).
export { CreditLedger } from "../../src/ledger/credit-ledger";
