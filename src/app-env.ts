/** The types Hono carries through a request: bindings and per-request variables. */
import type { Config } from "./config";
import type { UpstreamTrace } from "./domain/upstream";
import type { NoticeSubject } from "./embed/notice";

/**
 * The embeds, whose headers differ from the API's. `card`: an SVG card, which
 * needs its inline `<style>` and nothing else. `embed`: an embed page, framed by
 * the sites `ALLOWED_ORIGINS` lets in. `oembed`: the API's, plus the
 * cross-origin rule of the embeds (src/http/envelope.ts).
 */
export type Surface = "card" | "embed" | "oembed";

/** An answer a request asked for: its cache key (worked out only when needed) and the region asked. */
export type Asked = { key(): string; region: string };

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    /** Set when the request waited for a KeyAPI call, its own or someone else's. */
    upstream?: UpstreamTrace;
    /** Set on the embed paths (cards, embed pages, oEmbed): their headers (and the first two's errors) differ from the API's. */
    surface?: Surface;
    /** What a card or embed page shows, for the words of its errors; a sound unless set. */
    subject?: NoticeSubject;
    /** What a request asked for, once its query is read (for the analytics data point). */
    asked?: Asked;
  };
};
