/**
 * The widget script: `<tiktok-sound>`, a card for one TikTok trending sound,
 * and `<tiktok-sound-chart>` (./sound-chart.ts), a trending chart, both drawn
 * from this worker's API. Dependency-free; built to `public/` by `npm run widget`.
 *
 * @example
 *   <script type="module" src="https://sounds.example/widget.js"></script>
 *   <tiktok-sound clip-id="6703723351497508865" region="US" period="7"></tiktok-sound>
 *   <tiktok-sound-chart region="US" period="7" limit="10"></tiktok-sound-chart>
 *
 * Upstream text only ever reaches the page as `textContent` or an attribute
 * value, never as markup: these elements run on other people's sites.
 */
import type { SoundPayload } from "../src/domain/sound";
import { apiUrl } from "./api";
import { h, hidden, scaleToPeak, svg, trendSvg, webUrl } from "./dom";
import { ApiElement, block, type ElementState, notice } from "./element";

export { TikTokSoundChart } from "./sound-chart";

/** The states of a card (a sound is never `empty`). */
export type CardState = Exclude<ElementState, "empty">;

type Query = { clipId: string; period: string; region: string };

const API = apiUrl("/v1/tiktok/trending/music/detail");
const SHOWN = 3;

function isSound(value: unknown): value is SoundPayload {
  const sound = value as SoundPayload | null;
  return (
    typeof sound?.clip_id === "string" &&
    Array.isArray(sound.trend) &&
    Array.isArray(sound.countries) &&
    Array.isArray(sound.interests)
  );
}

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

const day = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });

const percent = (share: number) => `${Math.round(share * 100)}%`;

// ---- the parts of a card ---------------------------------------------------
// No headings and no landmarks inside a card: it sits on other people's pages,
// at a heading level it cannot know, and often several times on one page
// (headings out of order, landmarks with the same name). Lists are named by
// their visible label instead.

function sparkline(trend: SoundPayload["trend"], period: number): HTMLElement {
  const scaled = scaleToPeak(trend);
  const first = scaled[0] ?? 0;
  const last = scaled.at(-1) ?? 0;
  const peakAt = trend[scaled.indexOf(100)]?.date;
  const move =
    last > first ? `rose from ${first} to ${last}` : last < first ? `fell from ${first} to ${last}` : `held at ${last}`;
  const summary =
    trend.length === 0
      ? `No trend data for the last ${period} days.`
      : `Over ${trend.length} days (${day(trend[0]?.date ?? "")} – ${day(trend.at(-1)?.date ?? "")}) popularity ${move}` +
        `${peakAt ? `, peaking on ${day(peakAt)}` : ""}.`;

  const { chart, points } = trendSvg(scaled, 200, 48, 4, 44);
  if (points.length > 0) {
    chart.prepend(svg("polygon", { class: "area", points: `2,46 ${points.join(" ")} 198,46` }));
    const [x, y] = (points.at(-1) ?? "0,0").split(",");
    chart.append(svg("circle", { class: "dot", cx: x ?? "0", cy: y ?? "0", r: "3" }));
  }
  return h(
    "figure",
    { class: "trend" },
    chart,
    h("figcaption", {}, summary, hidden(" Values are relative to the period's peak (100).")),
  );
}

function countryList(countries: SoundPayload["countries"]): HTMLElement | null {
  const total = countries.reduce((sum, country) => sum + Math.max(country.score ?? 0, 0), 0);
  if (countries.length === 0 || total === 0) return null;
  const items = countries.slice(0, SHOWN).map((country) => {
    const share = Math.max(country.score ?? 0, 0) / total;
    const bar = h("span", { class: "bar", "aria-hidden": "true" });
    bar.style.setProperty("--share", percent(share));
    return h("li", {}, h("span", { class: "name" }, country.name), h("span", { class: "share" }, percent(share)), bar);
  });
  return h(
    "div",
    { class: "countries" },
    h("p", { class: "label", id: "countries-label" }, "Top countries", hidden(" by share of the audience")),
    h("ol", { "aria-labelledby": "countries-label" }, ...items),
  );
}

function interestList(interests: SoundPayload["interests"]): HTMLElement | null {
  if (interests.length === 0) return null;
  return h(
    "div",
    { class: "interests" },
    h("p", { class: "label", id: "interests-label" }, "Top interests", hidden(" of the audience")),
    h(
      "ul",
      { "aria-labelledby": "interests-label" },
      ...interests.slice(0, SHOWN).map((interest) => h("li", {}, interest.name)),
    ),
  );
}

function cover(sound: SoundPayload, title: string): HTMLElement {
  const placeholder = () => h("span", { class: "cover placeholder", part: "cover", "aria-hidden": "true" }, "♪");
  const src = webUrl(sound.cover);
  if (!src) return placeholder();
  const image = h("img", {
    class: "cover",
    part: "cover",
    src,
    alt: `Cover art of ${title}`,
    width: "88",
    height: "88",
    loading: "lazy",
    decoding: "async",
    referrerpolicy: "no-referrer",
  });
  image.addEventListener("error", () => image.replaceWith(placeholder()), { once: true });
  return image;
}

function soundCard(sound: SoundPayload, query: Query): HTMLElement[] {
  const title = sound.title || "Untitled sound";
  const byline = sound.author ? `${title} by ${sound.author}` : title;
  const link = webUrl(sound.link);
  const facts = [
    sound.duration !== null && sound.duration > 0 ? duration(sound.duration) : null,
    sound.region ?? query.region,
    `last ${sound.period} days`,
  ].filter((fact): fact is string => fact !== null);
  return [
    h(
      "header",
      {},
      cover(sound, byline),
      h(
        "div",
        { class: "heading" },
        h("p", { class: "title", id: "title", part: "title" }, title),
        sound.author ? h("p", { class: "author", part: "author" }, sound.author) : null,
        h("p", { class: "facts" }, hidden("Duration, region and period: "), facts.join(" · ")),
      ),
    ),
    sparkline(sound.trend, sound.period),
    h("div", { class: "lists" }, countryList(sound.countries), interestList(sound.interests)),
    link
      ? h(
          "a",
          { href: link, target: "_blank", rel: "noopener noreferrer", part: "link" },
          "Listen on TikTok",
          hidden(`: ${byline} (opens in a new tab)`),
        )
      : null,
  ].filter((part): part is HTMLElement => part !== null);
}

// ---- styles: the card's layout (the palette and states are shared: ./element.ts)

const STYLE = `
:host{max-width:380px}
header{display:flex;gap:12px;align-items:center}
.cover{width:88px;height:88px;border-radius:calc(var(--radius) - 4px);object-fit:cover;flex:none;background:var(--line)}
.placeholder{display:grid;place-items:center;font-size:32px;color:var(--muted)}
.heading{min-width:0}
.author,figcaption{color:var(--muted)}
figcaption,.label{font-size:.86em}
.label{font-weight:600;margin-bottom:4px}
.trend svg{width:100%;height:auto}
.area{fill:var(--accent);opacity:.12}.dot{fill:var(--accent)}
.lists{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}
ol,ul{list-style:none;padding:0;display:grid;gap:4px}
.countries li{display:grid;grid-template-columns:1fr auto;column-gap:8px}
.bar{grid-column:1/-1;height:4px;border-radius:2px;background:linear-gradient(90deg,var(--accent) var(--share),var(--line) 0)}
.interests ul{display:flex;flex-wrap:wrap;gap:6px}
.interests li{border:1px solid var(--line);border-radius:999px;padding:1px 10px}
.skeleton.cover{height:88px;width:88px}
`;

// ---- the element -----------------------------------------------------------

/**
 * Attributes (and the properties reflecting them): `clip-id` (`clipId`),
 * `region` (default `US`), `period` (`7`, `30` or `120`; default `7`).
 * Read-only: `state`, also reflected as the `state` attribute, and `sound`
 * (the API payload once ready). `refresh()` asks the API again. Every state
 * change dispatches a `tiktok-sound-state` event (`detail.state`).
 */
export class TikTokSound extends ApiElement<SoundPayload> {
  static observedAttributes = ["clip-id", "region", "period"];

  protected readonly noun = "sound";

  constructor() {
    super(STYLE);
  }

  get clipId(): string {
    return this.getAttribute("clip-id") ?? "";
  }
  set clipId(value: string) {
    this.setAttribute("clip-id", value);
  }
  get region(): string {
    return (this.getAttribute("region") || "US").toUpperCase();
  }
  set region(value: string) {
    this.setAttribute("region", value);
  }
  get period(): number {
    return Number(this.getAttribute("period") || 7);
  }
  set period(value: number | string) {
    this.setAttribute("period", String(value));
  }
  override get state(): CardState {
    return super.state as CardState;
  }
  get sound(): SoundPayload | null {
    return this.payload;
  }

  override connectedCallback() {
    // A property set before this script loaded sits on the instance and hides the accessor.
    const own = this as unknown as Record<string, unknown>;
    for (const name of ["clipId", "region", "period"]) {
      if (Object.hasOwn(this, name)) {
        const value = own[name];
        delete own[name];
        own[name] = value;
      }
    }
    super.connectedCallback();
  }

  #query(): Query {
    return { clipId: this.clipId.trim(), period: this.getAttribute("period")?.trim() || "7", region: this.region };
  }

  protected target(): string | { invalid: string } {
    const query = this.#query();
    if (!query.clipId) return { invalid: "This card has no clip-id attribute." };
    const url = new URL(API);
    url.search = new URLSearchParams({ clip_id: query.clipId, period: query.period, region: query.region }).toString();
    return url.href;
  }

  protected read(body: unknown): SoundPayload | null {
    return isSound(body) ? body : null;
  }

  protected loading(): HTMLElement[] {
    return [
      h("header", {}, block("cover", "88px"), h("div", { class: "heading lines" }, block("", "70%"), block("", "45%"))),
      block("", "100%"),
      h("p", { class: "facts", role: "status", id: "title" }, "Loading sound…"),
    ];
  }

  protected ready(sound: SoundPayload): [ElementState, HTMLElement[]] {
    return ["ready", soundCard(sound, this.#query())];
  }

  protected override notFound(): HTMLElement[] {
    const query = this.#query();
    return notice(
      "?",
      "Sound not found",
      `No trending sound with clip id ${query.clipId} in ${query.region} over the last ${query.period} days.`,
    );
  }
}

if (!customElements.get("tiktok-sound")) customElements.define("tiktok-sound", TikTokSound);

declare global {
  interface HTMLElementTagNameMap {
    "tiktok-sound": TikTokSound;
  }
}
