/** The types Hono carries through a request: bindings and per-request variables. */
import type { Config } from "./config";
import type { UpstreamTrace } from "./domain/upstream";
import type { Surface } from "./http/envelope";
import type { SoundQuery } from "./sound/query";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    /** Set when the request waited for a KeyAPI call, its own or someone else's. */
    upstream?: UpstreamTrace;
    /** Set on the embed paths (card, embed page, oEmbed): their headers (and the first two's errors) differ from the API's. */
    surface?: Surface;
    /** The sound a request asked for, once its query is read (for the analytics data point). */
    query?: SoundQuery;
  };
};
