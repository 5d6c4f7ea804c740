/**
 * `<tiktok-sound>`: a card for one TikTok trending sound, drawn from this
 * worker's API. Dependency-free; built to `public/` by `npm run widget`.
 *
 * @example
 *   <script type="module" src="https://sounds.example/widget.js"></script>
 *   <tiktok-sound clip-id="6703723351497508865" region="US" period="7"></tiktok-sound>
 *
 * Upstream text only ever reaches the page as `textContent` or an attribute
 * value, never as markup: these cards run on other people's sites.
 */
import type { ProblemDetails } from "../src/domain/problems";
import type { SoundPayload } from "../src/domain/sound";

export type CardState = "loading" | "ready" | "not-found" | "rate-limited" | "error";

type Query = { clipId: string; period: string; region: string };

type Outcome =
  | { state: "ready"; sound: SoundPayload }
  | { state: "not-found" }
  | { state: "rate-limited"; retryAfter: number | null }
  | { state: "error"; detail: string; retry: boolean };

// The API lives on the origin the script came from, whichever site embeds it.
const API = new URL("/v1/tiktok/trending/music/detail", import.meta.url);
/** How long a page reuses an answer before asking again (the HTTP cache may still answer). */
const KEEP_MS = 5 * 60_000;
/** Longer waits than this are not retried automatically; the card offers a button instead. */
const MAX_AUTO_RETRY_S = 120;
const SHOWN = 3;

// ---- requests, shared by every card on the page ----------------------------

/** One entry per (clip, period, region): in flight, or settled and still fresh. */
const answers = new Map<string, { outcome: Promise<Outcome>; until: number }>();

function keyOf(query: Query): string {
  return `${query.clipId}:${query.period}:${query.region}`;
}

function load(query: Query): Promise<Outcome> {
  const key = keyOf(query);
  const known = answers.get(key);
  if (known && known.until > Date.now()) return known.outcome;
  const entry = { outcome: request(query), until: Number.POSITIVE_INFINITY };
  answers.set(key, entry);
  // Failures are shared while in flight, then forgotten so the next look asks again.
  entry.outcome.then((outcome) => {
    entry.until = outcome.state === "ready" || outcome.state === "not-found" ? Date.now() + KEEP_MS : 0;
  });
  return entry.outcome;
}

async function request(query: Query): Promise<Outcome> {
  const url = new URL(API);
  url.search = new URLSearchParams({ clip_id: query.clipId, period: query.period, region: query.region }).toString();
  let response: Response;
  try {
    response = await fetch(url, { credentials: "omit" });
  } catch {
    // A CORS refusal looks exactly like a network failure from here.
    return {
      state: "error",
      detail: "The sound service could not be reached, or it does not accept requests from this site.",
      retry: true,
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    return isSound(body)
      ? { state: "ready", sound: body }
      : { state: "error", detail: "The sound service sent an answer this card cannot read.", retry: true };
  }
  const problem = (body ?? {}) as Partial<ProblemDetails>;
  const kind = String(problem.type ?? "").replace(/^.*:/, "");
  if (kind === "sound-not-found") return { state: "not-found" };
  if (response.status === 429 || response.status === 503) {
    const retryAfter = Number(response.headers.get("Retry-After"));
    return { state: "rate-limited", retryAfter: retryAfter > 0 ? retryAfter : null };
  }
  return {
    state: "error",
    detail: typeof problem.detail === "string" ? problem.detail : `The sound service answered ${response.status}.`,
    // Asking again only helps when the service, not the card's attributes, was the problem.
    retry: response.status >= 500,
  };
}

function isSound(value: unknown): value is SoundPayload {
  const sound = value as SoundPayload | null;
  return (
    typeof sound?.clip_id === "string" &&
    Array.isArray(sound.trend) &&
    Array.isArray(sound.countries) &&
    Array.isArray(sound.interests)
  );
}

// ---- DOM helpers: text nodes and attributes only ---------------------------

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...(children.filter(Boolean) as (Node | string)[]));
  return element;
}

function svg(tag: string, attributes: Record<string, string>): SVGElement {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

const hidden = (text: string) => h("span", { class: "vh" }, text);

/** Only web links reach `href`/`src`, whatever the API says. */
const webUrl = (value: string | null) => (value && /^https?:\/\//i.test(value) ? value : null);

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
  const peak = Math.max(...trend.map((point) => point.value), 0);
  const scaled = trend.map((point) => (peak > 0 ? Math.round((point.value / peak) * 100) : 0));
  const points = scaled.map((value, i) => {
    const x = trend.length > 1 ? (i / (trend.length - 1)) * 196 + 2 : 100;
    return `${x.toFixed(1)},${(44 - value * 0.4).toFixed(1)}`;
  });
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

  const chart = svg("svg", { viewBox: "0 0 200 48", "aria-hidden": "true", focusable: "false", part: "sparkline" });
  if (points.length > 0) {
    chart.append(
      svg("polygon", { class: "area", points: `2,46 ${points.join(" ")} 198,46` }),
      svg("polyline", { class: "line", points: points.join(" ") }),
    );
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

function notice(icon: string, title: string, detail: string, action?: HTMLElement): HTMLElement[] {
  return [
    h(
      "div",
      { class: "notice", role: "status" },
      h("span", { class: "icon", "aria-hidden": "true" }, icon),
      h("div", {}, h("p", { class: "title", id: "title", part: "title" }, title), h("p", { class: "detail" }, detail)),
    ),
    action ?? null,
  ].filter((part): part is HTMLElement => part !== null);
}

// ---- styles: one sheet shared by every card --------------------------------

const STYLE = `
:host{display:block;max-width:380px;font:var(--tiktok-sound-font,14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
--bg:var(--tiktok-sound-background,#fff);--fg:var(--tiktok-sound-color,#16181d);--muted:var(--tiktok-sound-muted,#5a606b);
--accent:var(--tiktok-sound-accent,#e0294f);--link:var(--tiktok-sound-link,#a8123a);--line:var(--tiktok-sound-border,#dde0e5);
--radius:var(--tiktok-sound-radius,14px)}
@media (prefers-color-scheme:dark){:host{--bg:var(--tiktok-sound-background,#17191e);--fg:var(--tiktok-sound-color,#f1f2f4);
--muted:var(--tiktok-sound-muted,#a7adb8);--accent:var(--tiktok-sound-accent,#ff5c7a);--link:var(--tiktok-sound-link,#ff9db0);
--line:var(--tiktok-sound-border,#30343c)}}
:host([hidden]){display:none}
article{background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:var(--radius);padding:16px;display:grid;gap:12px}
header{display:flex;gap:12px;align-items:center}
.cover{width:88px;height:88px;border-radius:calc(var(--radius) - 4px);object-fit:cover;flex:none;background:var(--line)}
.placeholder{display:grid;place-items:center;font-size:32px;color:var(--muted)}
p,ol,ul,figure{margin:0}
.heading{min-width:0}
.title{font-weight:650;font-size:1.15em;overflow-wrap:anywhere}
.author,.facts,.detail,figcaption{color:var(--muted)}
.facts,figcaption,.label{font-size:.86em}
.label{font-weight:600;margin-bottom:4px}
svg{display:block;width:100%;height:auto;overflow:visible}
.line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.area{fill:var(--accent);opacity:.12}.dot{fill:var(--accent)}
.lists{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}
ol,ul{list-style:none;padding:0;display:grid;gap:4px}
.countries li{display:grid;grid-template-columns:1fr auto;column-gap:8px}
.bar{grid-column:1/-1;height:4px;border-radius:2px;background:linear-gradient(90deg,var(--accent) var(--share),var(--line) 0)}
.interests ul{display:flex;flex-wrap:wrap;gap:6px}
.interests li{border:1px solid var(--line);border-radius:999px;padding:1px 10px}
a,button{color:var(--link);font:inherit;font-weight:600;justify-self:start}
a{text-underline-offset:3px}
button{background:none;border:1px solid currentColor;border-radius:999px;padding:4px 14px;cursor:pointer}
a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:4px}
.notice{display:flex;gap:12px;align-items:center}
.icon{font-size:24px;width:44px;height:44px;flex:none;display:grid;place-items:center;border-radius:50%;background:var(--line)}
.skeleton{height:14px;border-radius:7px;background:var(--line)}
.skeleton.cover{height:88px;width:88px}
.lines{flex:1;display:grid;gap:8px}
.shimmer{animation:pulse 1.4s ease-in-out infinite}
@keyframes pulse{50%{opacity:.45}}
@media (prefers-reduced-motion:reduce){.shimmer{animation:none}}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

let sheet: CSSStyleSheet | undefined;

// ---- the element -----------------------------------------------------------

/**
 * Attributes (and the properties reflecting them): `clip-id` (`clipId`),
 * `region` (default `US`), `period` (`7`, `30` or `120`; default `7`).
 * Read-only: `state`, also reflected as the `state` attribute, and `sound`
 * (the API payload once ready). `refresh()` asks the API again. Every state
 * change dispatches a `tiktok-sound-state` event (`detail.state`).
 */
export class TikTokSound extends HTMLElement {
  static observedAttributes = ["clip-id", "region", "period"];

  #root: ShadowRoot;
  #article: HTMLElement;
  #state: CardState = "loading";
  #sound: SoundPayload | null = null;
  /** Bumped on every change so an older answer never overwrites a newer one. */
  #generation = 0;
  #scheduled = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
    }
    // A constructed sheet: parsed once for all cards, and not blocked by a host page's CSP.
    this.#root.adoptedStyleSheets = [sheet];
    this.#article = h("article", { part: "card", "aria-labelledby": "title" });
    this.#root.append(this.#article);
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
  get state(): CardState {
    return this.#state;
  }
  get sound(): SoundPayload | null {
    return this.#sound;
  }

  connectedCallback() {
    // A property set before this script loaded sits on the instance and hides the accessor.
    const own = this as unknown as Record<string, unknown>;
    for (const name of ["clipId", "region", "period"]) {
      if (Object.hasOwn(this, name)) {
        const value = own[name];
        delete own[name];
        own[name] = value;
      }
    }
    this.#schedule();
  }

  disconnectedCallback() {
    clearTimeout(this.#retry);
    this.#generation++;
  }

  attributeChangedCallback(_name: string, before: string | null, after: string | null) {
    if (before !== after && this.isConnected) this.#schedule();
  }

  /** Asks the API again instead of reusing this page's answer. */
  refresh() {
    answers.delete(keyOf(this.#query()));
    this.#schedule();
  }

  #query(): Query {
    return { clipId: this.clipId.trim(), period: this.getAttribute("period")?.trim() || "7", region: this.region };
  }

  /** Several attribute changes in one task lead to one request. */
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.isConnected) void this.#update();
    });
  }

  async #update() {
    clearTimeout(this.#retry);
    const generation = ++this.#generation;
    const query = this.#query();
    if (!query.clipId) {
      this.#show({ state: "error", detail: "This card has no clip-id attribute.", retry: false }, query);
      return;
    }
    this.#showLoading();
    const outcome = await load(query);
    if (generation === this.#generation) this.#show(outcome, query);
  }

  #set(state: CardState, parts: HTMLElement[]) {
    this.#state = state;
    this.#article.setAttribute("aria-busy", String(state === "loading"));
    this.#article.className = state;
    this.#article.replaceChildren(...parts);
    this.setAttribute("state", state);
    this.dispatchEvent(new CustomEvent("tiktok-sound-state", { detail: { state }, bubbles: true, composed: true }));
  }

  #showLoading() {
    this.#sound = null;
    const block = (extra = "", width = "100%") => {
      const element = h("div", { class: `skeleton shimmer ${extra}`, "aria-hidden": "true" });
      element.style.width = width;
      return element;
    };
    this.#set("loading", [
      h("header", {}, block("cover", "88px"), h("div", { class: "heading lines" }, block("", "70%"), block("", "45%"))),
      block("", "100%"),
      h("p", { class: "facts", role: "status", id: "title" }, "Loading sound…"),
    ]);
  }

  #show(outcome: Outcome, query: Query) {
    const retryButton = () => {
      const button = h("button", { type: "button", part: "retry" }, "Try again");
      button.addEventListener("click", () => this.refresh());
      return button;
    };
    switch (outcome.state) {
      case "ready":
        this.#sound = outcome.sound;
        this.#set("ready", soundCard(outcome.sound, query));
        return;
      case "not-found":
        this.#set(
          "not-found",
          notice(
            "?",
            "Sound not found",
            `No trending sound with clip id ${query.clipId} in ${query.region} over the last ${query.period} days.`,
          ),
        );
        return;
      case "rate-limited": {
        const wait = outcome.retryAfter;
        const automatic = wait !== null && wait <= MAX_AUTO_RETRY_S;
        if (automatic) this.#retry = setTimeout(() => this.#schedule(), wait * 1000);
        this.#set(
          "rate-limited",
          notice(
            "⏳",
            "Too many requests right now",
            automatic ? `The sound service is busy. Trying again in ${wait} s.` : "The sound service is busy.",
            automatic ? undefined : retryButton(),
          ),
        );
        return;
      }
      case "error":
        this.#set(
          "error",
          notice("!", "Couldn't load this sound", outcome.detail, outcome.retry ? retryButton() : undefined),
        );
        return;
    }
  }
}

if (!customElements.get("tiktok-sound")) customElements.define("tiktok-sound", TikTokSound);

declare global {
  interface HTMLElementTagNameMap {
    "tiktok-sound": TikTokSound;
  }
}
