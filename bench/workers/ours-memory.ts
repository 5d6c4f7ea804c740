/**
 * Bench only: the production worker (createApp, as in src/index.ts) plus
 * `GET /__bench/memory`, which reports tier 0's size after the Zipf run.
 * Tier 0 is bounded at 500 entries here (production: 1000) so that the Zipf
 * run's ~840 distinct keys push it to its bound: the row shows the bound holds,
 * and the upstream-call ratio shows evicted keys come back from tiers 1 and 2,
 * not from KeyAPI.
 */
import { createApp, createRuntime } from "../../src/app";
import { DEFAULT_MEMORY_LIMITS } from "../../src/cache/tiered-cache";
import { warmUp } from "../../src/scheduled";

const runtime = createRuntime({ memory: { ...DEFAULT_MEMORY_LIMITS, maxEntries: 500 } });
const app = createApp(runtime);

export default {
  fetch(request, env, ctx) {
    if (request.url.endsWith("/__bench/memory")) return Response.json(runtime.cache.memory.stats());
    return app.fetch(request, env, ctx);
  },
  scheduled: (_controller, env, ctx) => warmUp(runtime, env, ctx),
} satisfies ExportedHandler<Env>;

export { SoundCoordinator } from "../../src/coordinator/sound-coordinator";
// The Durable Objects the configuration requires (bindings in ../wrangler/*.toml).
export { CreditLedger } from "../../src/ledger/credit-ledger";
export { WebhookDeliveries } from "../../src/webhook/deliveries";
