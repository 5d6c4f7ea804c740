// Where the console links a key of the ledger's table: the surfaces that show what the key fetched. Keys are
// read with strict patterns and their parts written back through URLSearchParams, never pasted into a URL as
// they come; every query starts with `region` (README, "Links between our pages put region first"). Plain
// functions, tested in Node.

const LIST_PATH = "/v1/tiktok/trending/music";
/** A detail key: `clip_id:period:region`. */
const DETAIL_KEY = /^(\d{1,20}):(7|30|120):([A-Z]{2})$/;
/** A list key (src/endpoints/list.ts): `REGION:PERIOD:PAGE:PAGE_SIZE`, then `:new`, `:commercial`, `:q=<search>`. */
const LIST_KEY = /^([A-Z]{2}):(7|30|120):([1-9]\d{0,2}):([1-9]\d?)(:new)?(:commercial)?(?::q=(.+))?$/;
/** The list's deepest position (`page × limit`) and its default `limit` (src/domain/chart.ts). */
const MAX_CHART_DEPTH = 200;
const DEFAULT_CHART_LIMIT = 20;

/**
 * `[text, href]` for each place that shows a key's answer; none for a key that does not read as one of ours.
 *
 * @example keyLinks("list", "GB:30:1:20:new")
 *   // → [["card", "/v1/tiktok/trending/music/chart.svg?region=GB&period=30&new_to_top_100=true"],
 *   //    ["embed page", "/embed/chart?region=GB&period=30&new_to_top_100=true"],
 *   //    ["JSON", "/v1/tiktok/trending/music?region=GB&period=30&new_to_top_100=true"]]
 */
export function keyLinks(endpoint, key) {
  if (endpoint === "detail") return soundLinks(key);
  if (endpoint === "list") return chartLinks(key);
  return [];
}

function soundLinks(key) {
  const match = DETAIL_KEY.exec(key);
  if (!match) return [];
  const [, clip, period, region] = match;
  const query = new URLSearchParams({ region, period });
  return [
    ["card", `${LIST_PATH}/card.svg?${query}&clip_id=${clip}`],
    ["embed page", `/embed/sound/${clip}?${query}`],
  ];
}

/**
 * Page 1 of a chart without a search: its card and its embed page (both show the top of a chart, with its
 * filters). A search, or a later page, is not what they can show. Every list key: its JSON, the window that is
 * that upstream page (where that window would go past the list's depth, the default window holding its first sound).
 */
function chartLinks(key) {
  const match = LIST_KEY.exec(key);
  if (!match) return [];
  const [, region, period, pageText, sizeText, newToTop100, commercial, encodedSearch] = match;
  const search = encodedSearch === undefined ? null : decoded(encodedSearch);
  if (search === undefined) return [];
  const chart = new URLSearchParams({ region, period });
  if (newToTop100) chart.set("new_to_top_100", "true");
  if (commercial) chart.set("commercial_music", "true");
  const json = new URLSearchParams(chart);
  if (search !== null) json.set("search_keyword", search);
  const page = Number(pageText);
  const size = Number(sizeText);
  if (page * size > MAX_CHART_DEPTH) {
    json.set("page", String(Math.floor(((page - 1) * size) / DEFAULT_CHART_LIMIT) + 1));
  } else {
    if (page > 1) json.set("page", String(page));
    if (size !== DEFAULT_CHART_LIMIT) json.set("limit", String(size));
  }
  const embeds =
    page === 1 && search === null
      ? [
          ["card", `${LIST_PATH}/chart.svg?${chart}`],
          ["embed page", `/embed/chart?${chart}`],
        ]
      : [];
  return [...embeds, ["JSON", `${LIST_PATH}?${json}`]];
}

/** A search as the key carries it (percent-encoded), or undefined when it is not valid percent-encoding. */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
