// The demo page's own behaviour. A newcomer needs no clip id: the chart under "Trending now" follows its pickers,
// the search box finds sounds in that chart (or takes a pasted TikTok music link), and "Use this sound" (like the
// "Try a clip" form) fills every sound snippet and live example. Snippets name this origin and are built from
// text, never markup: titles come from KeyAPI, so each is escaped for where it lands (HTML attribute, Markdown).
import { clipIdFromMusicUrl } from "/clip-id.js";

const ORIGIN = location.origin;
const LIST_PATH = "/v1/tiktok/trending/music";
const CARD_PATH = "/v1/tiktok/trending/music/card.svg";
const CHART_CARD_PATH = "/v1/tiktok/trending/music/chart.svg";
/** As many results as the list endpoint gives in one answer. */
const SEARCH_LIMIT = 20;
/** Names in alt text and titles: the embeds' cap. */
const MAX_NAME = 90;

const $ = (id) => document.getElementById(id);

/** The chart picked under "Trending now"; the search looks in it too. */
const chart = { region: "US", period: "7" };
/** The sound every sound snippet shows; `title` and `author` are null until known. */
const sound = {
  clipId: "6703723351497508865",
  region: "US",
  period: "7",
  title: "New Sun",
  author: "Chihei Hatakeyama",
};

// ---- text for each context ----------------------------------------------------

/** One line of KeyAPI text: no control or bidi-override characters, no runs of whitespace, at most `max` code points. */
function line(text, max = MAX_NAME) {
  const points = [
    ...String(text ?? "")
      .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, " ")
      .replace(/\s+/gu, " ")
      .trim(),
  ];
  return points.length > max ? `${points.slice(0, max - 1).join("")}…` : points.join("");
}

/** For an HTML attribute value or text. */
const html = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** For Markdown link text: every ASCII punctuation character may be escaped with a backslash (CommonMark). */
const markdown = (text) => text.replace(/[!-/:-@[-`{-~]/g, "\\$&");

const query = (params) => new URLSearchParams(params).toString();

// ---- the sound's snippets -------------------------------------------------------

/** "New Sun — Chihei Hatakeyama", or the clip id while the title is unknown. */
function soundName() {
  if (!sound.title) return `TikTok sound ${sound.clipId}`;
  return line(sound.author ? `${sound.title} — ${sound.author}` : sound.title);
}

function showSound() {
  // `region` first in our links: no `&` may precede an HTML entity name such as `reg`.
  const soundQuery = query({ region: sound.region, period: sound.period, clip_id: sound.clipId });
  const embedQuery = query({ region: sound.region, period: sound.period });
  const card = `${CARD_PATH}?${soundQuery}`;
  const embed = `/embed/sound/${sound.clipId}?${embedQuery}`;
  const tiktok = `https://www.tiktok.com/music/x-${sound.clipId}`;
  const name = soundName();
  const alt = `${name}, a trending TikTok sound`;

  $("snippet").textContent =
    `<script type="module" src="${ORIGIN}/widget.js"></script>\n` +
    `<tiktok-sound clip-id="${sound.clipId}" region="${html(sound.region)}" period="${html(sound.period)}">\n` +
    `  <a href="${tiktok}"><img\n` +
    `    src="${ORIGIN}${html(card)}"\n` +
    `    width="480" height="220" loading="lazy" alt="${html(alt)}"></a>\n` +
    "</tiktok-sound>";
  $("md-snippet").textContent = `[![${markdown(name)}](${ORIGIN}${card})](${tiktok})`;
  $("img-snippet").textContent =
    `<img src="${ORIGIN}${html(`${card}&theme=auto`)}"\n     width="480" height="220" alt="${html(alt)}">`;
  $("iframe-snippet").textContent =
    `<iframe src="${ORIGIN}${html(embed)}" width="480" height="252"\n` +
    `        title="${html(`TikTok sound: ${name}`)}" style="border:0" loading="lazy"></iframe>`;
  $("link-snippet").textContent = `${ORIGIN}${embed}`;

  for (const theme of ["light", "dark"]) {
    const image = $(`card-${theme}`);
    image.src = `${card}&theme=${theme}`;
    image.alt = `${alt} (${theme} card)`;
  }
  $("sound-frame").src = embed;
  $("sound-frame").title = `TikTok sound: ${name}`;
  $("sound-link").href = embed;
  $("sound-link").textContent = `${name}, on its embed page`;
}

/** Shows `next` in the "Try a clip" card and in every sound snippet and live example. */
function useSound(next) {
  Object.assign(sound, { title: null, author: null }, next);
  showSound();
  const card = $("tried");
  card.setAttribute("region", sound.region);
  card.setAttribute("period", sound.period);
  card.setAttribute("clip-id", sound.clipId);
  const form = $("try-form").elements;
  form["clip-id"].value = sound.clipId;
  form.region.value = sound.region;
  form.period.value = sound.period;
  $("use-status").textContent =
    `Now showing ${soundName()} (clip id ${sound.clipId}, ${sound.region}, last ${sound.period} days) ` +
    "in the card, the embed snippets and the examples below.";
}

// Once the card has the sound, the snippets can name it (a pasted link or a typed clip id does not).
$("tried").addEventListener("tiktok-sound-state", (event) => {
  const payload = event.target.sound;
  if (event.detail.state !== "ready" || sound.title || payload?.clip_id !== sound.clipId) return;
  sound.title = payload.title || "Untitled sound";
  sound.author = payload.author;
  showSound();
});

$("try-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const value = (name) => String(form.get(name)).trim();
  useSound({ clipId: value("clip-id"), region: value("region").toUpperCase() || "US", period: value("period") });
});

// ---- the chart ------------------------------------------------------------------

function showChart() {
  const element = $("chart");
  element.setAttribute("region", chart.region);
  element.setAttribute("period", chart.period);
  const name = `Trending TikTok sounds in ${chart.region}, last ${chart.period} days`;
  const card = (limit) => `${CHART_CARD_PATH}?${query({ region: chart.region, period: chart.period, limit })}`;
  const page = (limit) => `/embed/chart?${query({ region: chart.region, period: chart.period, limit })}`;

  $("chart-snippet").textContent =
    `<script type="module" src="${ORIGIN}/widget.js"></script>\n` +
    `<tiktok-sound-chart region="${html(chart.region)}" period="${html(chart.period)}" limit="10">\n` +
    `  <a href="${ORIGIN}${html(page(10))}"><img\n` +
    `    src="${ORIGIN}${html(card(10))}"\n` +
    `    width="480" height="480" loading="lazy" alt="${html(name)}"></a>\n` +
    "</tiktok-sound-chart>";
  $("chart-card-snippet").textContent =
    `<img src="${ORIGIN}${html(card(5))}"\n     width="480" height="280" alt="${html(name)}">`;
  $("chart-page-snippet").textContent =
    `<iframe src="${ORIGIN}${html(page(10))}" width="480" height="552"\n` +
    `        title="${html(name)}" style="border:0" loading="lazy"></iframe>`;
  $("chart-card").src = card(5);
  $("chart-card").alt = name;
  $("chart-frame").src = page(10);
  $("chart-frame").title = name;
}

function pickChart() {
  const form = $("chart-form").elements;
  // An invalid region is passed on as typed: the chart element shows what is wrong with it.
  chart.region = form.region.value.trim().toUpperCase() || "US";
  chart.period = form.period.value;
  showChart();
}

$("chart-form").addEventListener("submit", (event) => {
  event.preventDefault();
  pickChart();
});
$("chart-form").addEventListener("change", pickChart);

// ---- finding a sound ----------------------------------------------------------------

const findStatus = $("find-status");
const results = $("results");
/** Bumped by every search, so an older answer never replaces a newer one. */
let searches = 0;

function useFromLink(clipId) {
  results.replaceChildren();
  findStatus.textContent = `That link is clip ${clipId}: it is shown below.`;
  useSound({ clipId, region: chart.region, period: chart.period });
}

/** A search result: its title, author, rank and clip id, and "Use this sound" (for the chart it was found in). */
function resultItem(found, asked) {
  const title = line(found.title || "Untitled sound");
  const author = found.author ? line(found.author) : null;
  const name = author ? `${title} — ${author}` : title;
  const button = document.createElement("button");
  button.type = "button";
  const hidden = document.createElement("span");
  hidden.className = "vh";
  hidden.textContent = `: ${name}`;
  button.append("Use this sound", hidden);
  button.addEventListener("click", () =>
    useSound({ clipId: found.clip_id, region: asked.region, period: asked.period, title, author }),
  );

  const item = document.createElement("li");
  const heading = document.createElement("span");
  heading.className = "result-title";
  heading.textContent = title;
  const by = document.createElement("span");
  by.className = "result-author";
  by.textContent = author ?? "";
  const clip = document.createElement("code");
  clip.textContent = found.clip_id;
  const meta = document.createElement("span");
  meta.className = "result-meta";
  meta.append(`#${found.rank ?? "?"} in the chart · clip id `, clip);
  item.append(heading, by, meta, button);
  return item;
}

async function search(keyword) {
  const asked = { keyword, region: chart.region, period: chart.period };
  const where = `in ${asked.region}, last ${asked.period} days`;
  const ticket = ++searches;
  findStatus.textContent = "Searching…";
  results.setAttribute("aria-busy", "true");
  let message;
  let items = [];
  try {
    const params = { region: asked.region, period: asked.period, limit: SEARCH_LIMIT, search_keyword: keyword };
    const response = await fetch(`${LIST_PATH}?${query(params)}`);
    const body = await response.json();
    if (response.ok) {
      const total = body.total ?? body.sounds.length;
      // The API sends clip ids as digits; anything else could not be put in a URL path, so it is not offered.
      items = body.sounds
        .filter((found) => /^[0-9]{1,20}$/.test(found.clip_id))
        .map((found) => resultItem(found, asked));
      message =
        items.length === 0
          ? `No sounds match “${line(body.search_keyword ?? keyword)}” ${where}.`
          : `${total} sound${total === 1 ? " matches" : "s match"} “${line(body.search_keyword)}” ${where}.` +
            (body.has_more ? ` The first ${items.length} are below.` : "");
    } else {
      const errors = (body.errors ?? []).map((error) => `${error.param} ${error.message}`).join("; ");
      message = `The search failed: ${line(errors || body.detail || `HTTP ${response.status}`, 300)}.`;
    }
  } catch {
    message = "The search failed: the sound service could not be reached.";
  }
  if (ticket !== searches) return;
  results.removeAttribute("aria-busy");
  results.replaceChildren(...items);
  findStatus.textContent = message;
}

$("find-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("find-q").value.trim();
  const clipId = clipIdFromMusicUrl(text);
  if (clipId) useFromLink(clipId);
  else if (/^[a-z][a-z0-9+.-]*:\/\/|tiktok\.com\//i.test(text)) {
    findStatus.textContent = "That link is not a TikTok music page (https://www.tiktok.com/music/…).";
  } else if (text) void search(text);
  else findStatus.textContent = "Type a keyword, or paste a TikTok music link.";
});

// A pasted music link is used at once: no need to press Search.
$("find-q").addEventListener("paste", (event) => {
  const text = event.clipboardData?.getData("text") ?? "";
  const clipId = clipIdFromMusicUrl(text);
  if (!clipId) return;
  event.preventDefault();
  event.target.value = text.trim();
  useFromLink(clipId);
});

// ---- copying ----------------------------------------------------------------------

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const status = button.nextElementSibling;
    try {
      await navigator.clipboard.writeText($(button.dataset.copy).textContent);
      status.textContent = "Copied.";
    } catch {
      status.textContent = "Select the snippet and copy it by hand.";
    }
  });
}

showSound();
showChart();
