/** Bench baseline "naive" (never shipped): the proxy of naive-app.ts as it is. */
import { createNaiveRoutes } from "./naive-app";

export default createNaiveRoutes() satisfies ExportedHandler<Env>;
