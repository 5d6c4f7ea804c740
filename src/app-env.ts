/** The types Hono carries through a request: bindings and per-request variables. */
import type { Config } from "./config";
import type { Surface } from "./http/envelope";
import type { UpstreamExchange } from "./keyapi/client";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    /** Set when the request called KeyAPI. */
    upstream?: UpstreamExchange;
    /** Set on the embed paths (card, embed page): their headers and errors differ from the API's. */
    surface?: Surface;
  };
};
