/** Bench baseline "naive" (never shipped): the proxy of naive-app.ts as it is. */
import { createNaiveRoutes } from "./naive-app";

export default createNaiveRoutes() satisfies ExportedHandler<Env>;

// The Durable Objects the configuration requires (bindings in ../wrangler/*.toml).
export { CreditLedger } from "../../src/coordinator/credit-ledger";
export { SoundCoordinator } from "../../src/coordinator/sound-coordinator";
