/** Bench baseline "naive" (never shipped): the proxy of naive-app.ts as it is. */
import { createNaiveRoutes } from "./naive-app";

export default createNaiveRoutes() satisfies ExportedHandler<Env>;

export { SoundCoordinator } from "../../src/coordinator/sound-coordinator";
// The Durable Objects the configuration requires (bindings in ../wrangler/*.toml).
export { CreditLedger } from "../../src/ledger/credit-ledger";
