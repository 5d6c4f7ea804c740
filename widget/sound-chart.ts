/**
 * `<tiktok-sound-chart>`: the top of a trending chart (`GET
 * /v1/tiktok/trending/music`) as an ordered list, each row one link to the
 * sound on TikTok: rank, movement, cover, title, author and trend line.
 *
 * @example <tiktok-sound-chart region="US" period="7" limit="10"></tiktok-sound-chart>
 *
 * KeyAPI's text reaches the page as `textContent` only, isolated (`unicode-bidi`)
 * so a bidi override in a title cannot reorder the rest of its row.
 */
import type { ChartPayload, ChartSound } from "../src/domain/chart";
import { apiUrl } from "./api";
import { CHART_ATTRIBUTES, chartSearch, DEFAULT_CHART_LIMIT, movement, rankOf, tiktokLink } from "./chart-rules";
import { capped, h, hidden, scaleToPeak, trendSvg, webUrl } from "./dom";
import { ApiElement, block, type ElementState } from "./element";

const API = apiUrl("/v1/tiktok/trending/music");
/** A row shows one line of each; a screen reader is spared the rest of a 1,000-character title too. */
const MAX_TEXT = 150;
/** The API sends at most `limit` (20) sounds; a longer list is cut, not drawn. */
const MAX_ROWS = 20;

const STYLE = `
:host{max-width:440px}
.title .facts{display:block;font-weight:400;font-size:.75em}
ol{list-style:none;padding:0}
li{display:flex;align-items:center;gap:10px;min-height:48px}
li+li{border-top:1px solid var(--line)}
.row{flex:1;min-width:0;display:flex;align-items:center;gap:10px;align-self:stretch;padding:0 4px;color:inherit;font-weight:400;text-decoration:none}
a.row:hover .name{text-decoration:underline}
.rank{flex:none;min-width:2ch;text-align:right;font-weight:700;font-variant-numeric:tabular-nums}
.thumb{flex:none;width:36px;height:36px;border-radius:6px;object-fit:cover;background:var(--line)}
.failed{visibility:hidden}
.who{flex:1;min-width:0}
.name,.by{display:block;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;unicode-bidi:isolate}
.name{font-weight:600}
.by,.move{color:var(--muted);font-size:.86em}
.move{flex:none;width:4ch;text-align:center}
li svg{flex:none;width:64px;height:24px;margin-right:4px}
.ghost{height:41px}
`;

function isChart(value: unknown): value is ChartPayload {
  const chart = value as ChartPayload | null;
  return typeof chart?.region === "string" && typeof chart.period === "number" && Array.isArray(chart.sounds);
}

const isRow = (sound: ChartSound | null) => typeof sound?.clip_id === "string" && Array.isArray(sound.trend);

/** "Trending sounds", then the chart in the embeds' words: "US · last 7 days · new to top 100". */
function heading(chart: ChartPayload): HTMLElement {
  const facts = [chart.region, `last ${chart.period} days`];
  if (chart.new_to_top_100) facts.push("new to top 100");
  if (chart.commercial_music) facts.push("commercial");
  if (chart.search_keyword) facts.push(`“${chart.search_keyword}”`);
  return h(
    "p",
    { class: "title", id: "title", part: "title" },
    "Trending sounds",
    hidden(" · "),
    h("span", { class: "facts" }, facts.join(" · ")),
  );
}

/** The cover, hidden (its place kept, so rows stay aligned) when it fails to load. */
function thumb(cover: string | null): HTMLElement {
  const src = webUrl(cover);
  if (!src) return h("span", { class: "thumb", part: "cover" });
  const image = h("img", {
    class: "thumb",
    part: "cover",
    src,
    // The row's link names the sound; the cover adds nothing to hear.
    alt: "",
    width: "36",
    height: "36",
    loading: "lazy",
    decoding: "async",
    referrerpolicy: "no-referrer",
  });
  image.addEventListener("error", () => image.classList.add("failed"), { once: true });
  return image;
}

/**
 * One row: a link to the sound on TikTok (rank, cover, title, author), then its
 * movement and trend line. The link is named "1. New Sun, Chihei Hatakeyama
 * (opens in a new tab)": its visible words in order, as speech input needs
 * (WCAG 2.5.3), with the pauses a name built from boxes would lose.
 */
function row(sound: ChartSound, position: number): HTMLElement {
  const rank = rankOf(sound.rank, position);
  const title = capped(sound.title || "Untitled sound", MAX_TEXT);
  const author = sound.author ? capped(sound.author, MAX_TEXT) : null;
  const move = movement(sound.rank_diff);
  const href = tiktokLink(sound.link, sound.clip_id);
  // Spaces between the boxes (flex layout ignores them): the visible words stay words to whoever reads the text.
  const parts = [
    h("span", { class: "rank" }, String(rank)),
    " ",
    thumb(sound.cover),
    " ",
    h(
      "span",
      { class: "who" },
      h("span", { class: "name" }, title),
      author && " ",
      author && h("span", { class: "by" }, author),
    ),
  ];
  const label = `${rank}. ${title}${author ? `, ${author}` : ""} (opens in a new tab)`;
  return h(
    "li",
    { value: String(rank) },
    href
      ? h(
          "a",
          { class: "row", part: "row", href, target: "_blank", rel: "noopener noreferrer", "aria-label": label },
          ...parts,
        )
      : h("span", { class: "row", part: "row" }, ...parts),
    h("span", { class: "move" }, h("span", { "aria-hidden": "true" }, move.symbol), move.words && hidden(move.words)),
    trendSvg(scaleToPeak(sound.trend), 64, 24, 2, 22).chart,
  );
}

/**
 * Attributes: the list endpoint's parameters (`region`, `period`, `limit` 1–20
 * (default 10), `page`, `new-to-top-100`, `commercial-music`,
 * `search-keyword`), read by its rules (./chart-rules.ts); invalid ones are
 * shown as an error and never sent. Read-only: `state` (also the `state`
 * attribute: `loading`, `ready`, `empty`, `rate-limited`, `error`) and `chart`
 * (the API payload once ready or empty). `refresh()` asks the API again. Every
 * state change dispatches a `tiktok-sound-chart-state` event (`detail.state`).
 */
export class TikTokSoundChart extends ApiElement<ChartPayload> {
  static observedAttributes = CHART_ATTRIBUTES;

  protected readonly noun = "chart";

  constructor() {
    super(STYLE);
  }

  get chart(): ChartPayload | null {
    return this.payload;
  }

  protected target(): string | { invalid: string } {
    const query = chartSearch((name) => this.getAttribute(name));
    return "errors" in query ? { invalid: `${query.errors.join("; ")}.` } : `${API}?${query.search}`;
  }

  protected read(body: unknown): ChartPayload | null {
    return isChart(body) ? body : null;
  }

  protected loading(): HTMLElement[] {
    // As many placeholder rows as the chart will have, so the page does not jump when it arrives.
    const rows = Math.min(Number(this.getAttribute("limit")) || DEFAULT_CHART_LIMIT, MAX_ROWS);
    return [
      h("div", { class: "lines" }, block("", "45%"), block("", "30%")),
      h("div", { class: "lines" }, ...Array.from({ length: rows }, () => block("ghost"))),
      h("p", { class: "facts", role: "status", id: "title" }, "Loading chart…"),
    ];
  }

  protected ready(chart: ChartPayload): [ElementState, HTMLElement[]] {
    const sounds = chart.sounds.slice(0, MAX_ROWS).filter(isRow);
    if (sounds.length === 0) {
      const keyword = chart.search_keyword;
      const empty = keyword ? `No sounds in this chart match “${keyword}”.` : "No sounds in this chart right now.";
      return ["empty", [heading(chart), h("p", { class: "detail", role: "status" }, empty)]];
    }
    const offset = (chart.page - 1) * chart.limit;
    return [
      "ready",
      [
        heading(chart),
        // `role="list"`: WebKit drops the list semantics of a list drawn without markers.
        h(
          "ol",
          { role: "list", "aria-labelledby": "title" },
          ...sounds.map((sound, index) => row(sound, offset + index + 1)),
        ),
      ],
    ];
  }
}

if (!customElements.get("tiktok-sound-chart")) customElements.define("tiktok-sound-chart", TikTokSoundChart);

declare global {
  interface HTMLElementTagNameMap {
    "tiktok-sound-chart": TikTokSoundChart;
  }
}
