/**
 * What `<tiktok-sound>` and `<tiktok-sound-chart>` share: a shadow root with
 * the shared stylesheet and the element's own; attribute changes in one task
 * make one look-up; an older answer never overwrites a newer one; and the states
 * every element of this script goes through, with the same words: loading,
 * ready, rate-limited (retrying by itself when the wait is short), error ("Try
 * again" when asking again can help). Each state is reflected in the `state`
 * attribute and announced with a `<tag>-state` event.
 */
import { forget, load, type Outcome } from "./api";
import { h } from "./dom";

export type ElementState = "loading" | "ready" | "empty" | "not-found" | "rate-limited" | "error";

/** Longer waits than this are not retried automatically; the element offers a button instead. */
const MAX_AUTO_RETRY_S = 120;

/** The palette, the frame, notices, placeholders and focus rings; each element adds its own layout. */
const SHARED_STYLE = `
:host{display:block;font:var(--tiktok-sound-font,14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
--bg:var(--tiktok-sound-background,#fff);--fg:var(--tiktok-sound-color,#16181d);--muted:var(--tiktok-sound-muted,#5a606b);
--accent:var(--tiktok-sound-accent,#e0294f);--link:var(--tiktok-sound-link,#a8123a);--line:var(--tiktok-sound-border,#dde0e5);
--radius:var(--tiktok-sound-radius,14px)}
@media (prefers-color-scheme:dark){:host{--bg:var(--tiktok-sound-background,#17191e);--fg:var(--tiktok-sound-color,#f1f2f4);
--muted:var(--tiktok-sound-muted,#a7adb8);--accent:var(--tiktok-sound-accent,#ff5c7a);--link:var(--tiktok-sound-link,#ff9db0);
--line:var(--tiktok-sound-border,#30343c)}}
:host([hidden]){display:none}
article{background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:var(--radius);padding:16px;display:grid;gap:12px}
p,ol,ul,figure{margin:0}
.title{font-weight:650;font-size:1.15em;overflow-wrap:anywhere}
.facts,.detail{color:var(--muted)}
.facts{font-size:.86em}
svg{display:block;overflow:visible}
.line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
a,button{color:var(--link);font:inherit;font-weight:600;justify-self:start}
a{text-underline-offset:3px}
button{background:none;border:1px solid currentColor;border-radius:999px;padding:4px 14px;cursor:pointer}
a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:4px}
.notice{display:flex;gap:12px;align-items:center}
.icon{font-size:24px;width:44px;height:44px;flex:none;display:grid;place-items:center;border-radius:50%;background:var(--line)}
.skeleton{height:14px;border-radius:7px;background:var(--line)}
.lines{flex:1;display:grid;gap:8px}
.shimmer{animation:pulse 1.4s ease-in-out infinite}
@keyframes pulse{50%{opacity:.45}}
@media (prefers-reduced-motion:reduce){.shimmer{animation:none}}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

/** Constructed sheets, parsed once for every element on the page, and not blocked by a host page's CSP. */
const sheets = new Map<string, CSSStyleSheet>();
function sheet(css: string): CSSStyleSheet {
  let parsed = sheets.get(css);
  if (!parsed) {
    parsed = new CSSStyleSheet();
    parsed.replaceSync(css);
    sheets.set(css, parsed);
  }
  return parsed;
}

/**
 * A notice in place of the content: an icon, a title (which names the element
 * while it is shown) and a detail, announced as a status.
 */
export function notice(icon: string, title: string, detail: string, action?: HTMLElement): HTMLElement[] {
  const parts: HTMLElement[] = [
    h(
      "div",
      { class: "notice", role: "status" },
      h("span", { class: "icon", "aria-hidden": "true" }, icon),
      h("div", {}, h("p", { class: "title", id: "title", part: "title" }, title), h("p", { class: "detail" }, detail)),
    ),
  ];
  if (action) parts.push(action);
  return parts;
}

/** A grey placeholder block of the loading state. */
export function block(extra = "", width = "100%"): HTMLElement {
  const element = h("div", { class: `skeleton shimmer ${extra}`, "aria-hidden": "true" });
  element.style.width = width;
  return element;
}

export abstract class ApiElement<T> extends HTMLElement {
  #article: HTMLElement;
  #state: ElementState = "loading";
  #payload: T | null = null;
  /** Bumped on every change so an older answer never overwrites a newer one. */
  #generation = 0;
  #scheduled = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  /** "sound" or "chart": what "Couldn't load this …" names. */
  protected abstract readonly noun: string;
  /** The API URL the attributes ask for, or why they cannot ask (shown as an error; nothing is sent). */
  protected abstract target(): string | { invalid: string };
  /** The payload in an answer, or null when it is not one this element can show. */
  protected abstract read(body: unknown): T | null;
  protected abstract loading(): HTMLElement[];
  /** A payload drawn: `ready`, or `empty` when there is nothing in it to show. */
  protected abstract ready(payload: T): [ElementState, HTMLElement[]];

  constructor(style: string) {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [sheet(SHARED_STYLE), sheet(style)];
    this.#article = h("article", { part: "card", "aria-labelledby": "title" });
    root.append(this.#article);
  }

  get state(): ElementState {
    return this.#state;
  }

  /** The API payload once `ready` (or `empty`), else null. */
  protected get payload(): T | null {
    return this.#payload;
  }

  connectedCallback() {
    this.schedule();
  }

  disconnectedCallback() {
    clearTimeout(this.#retry);
    this.#generation++;
  }

  attributeChangedCallback(_name: string, before: string | null, after: string | null) {
    if (before !== after && this.isConnected) this.schedule();
  }

  /** Asks the API again instead of reusing this page's answer. */
  refresh() {
    const target = this.target();
    if (typeof target === "string") forget(target);
    this.schedule();
  }

  /** Several changes in one task lead to one look-up. */
  protected schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.isConnected) void this.#update();
    });
  }

  /** Shown when the API says there is no such thing; only a sound can be missing. */
  protected notFound(): HTMLElement[] {
    return notice("?", `No such ${this.noun}`, "");
  }

  async #update() {
    clearTimeout(this.#retry);
    const generation = ++this.#generation;
    const target = this.target();
    if (typeof target !== "string") {
      this.#show({ state: "error", detail: target.invalid, retry: false });
      return;
    }
    this.#payload = null;
    this.#set("loading", this.loading());
    const outcome = await load(target, (body) => this.read(body));
    if (generation === this.#generation) this.#show(outcome);
  }

  #set(state: ElementState, parts: HTMLElement[]) {
    this.#state = state;
    this.#article.setAttribute("aria-busy", String(state === "loading"));
    this.#article.className = state;
    this.#article.replaceChildren(...parts);
    this.setAttribute("state", state);
    this.dispatchEvent(
      new CustomEvent(`${this.localName}-state`, { detail: { state }, bubbles: true, composed: true }),
    );
  }

  #show(outcome: Outcome<T>) {
    const retryButton = () => {
      const button = h("button", { type: "button", part: "retry" }, "Try again");
      button.addEventListener("click", () => this.refresh());
      return button;
    };
    switch (outcome.state) {
      case "ready":
        this.#payload = outcome.payload;
        this.#set(...this.ready(outcome.payload));
        return;
      case "not-found":
        this.#set("not-found", this.notFound());
        return;
      case "rate-limited": {
        const wait = outcome.retryAfter;
        const automatic = wait !== null && wait <= MAX_AUTO_RETRY_S;
        if (automatic) this.#retry = setTimeout(() => this.schedule(), wait * 1000);
        this.#set(
          "rate-limited",
          notice(
            "⏳",
            "Too many requests right now",
            automatic
              ? `The ${this.noun} service is busy. Trying again in ${wait} s.`
              : `The ${this.noun} service is busy.`,
            automatic ? undefined : retryButton(),
          ),
        );
        return;
      }
      case "error":
        this.#set(
          "error",
          notice("!", `Couldn't load this ${this.noun}`, outcome.detail, outcome.retry ? retryButton() : undefined),
        );
        return;
    }
  }
}
