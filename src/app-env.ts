/** The types Hono carries through a request: bindings and per-request variables. */
import type { Config } from "./config";
import type { UpstreamTrace } from "./domain/upstream";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    /** Set when the request waited for a KeyAPI call, its own or someone else's. */
    upstream?: UpstreamTrace;
  };
};
