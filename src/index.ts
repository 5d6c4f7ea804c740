/** Worker entry: one runtime per isolate, so tier 0, coalescing and the breaker live as long as the isolate. */
import { createApp, createRuntime } from "./app";
import { warmUp } from "./scheduled";

export { SoundCoordinator } from "./coordinator/sound-coordinator";
export { CreditLedger } from "./ledger/credit-ledger";

const runtime = createRuntime();
const app = createApp(runtime);

export default {
  fetch: app.fetch,
  scheduled: (_controller, env, ctx) => warmUp(runtime, env, ctx),
} satisfies ExportedHandler<Env>;

export { WebhookDeliveries } from "./webhook/deliveries";
