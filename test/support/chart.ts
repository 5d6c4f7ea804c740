/**
 * The chart the embed tests draw: the list endpoint's payload for a US / 7-day
 * top 20 with the documented example sound ("New Sun") first, and the query of
 * a chart embed showing its top.
 */
import type { ChartPayload, ChartQuery, ChartSound } from "../../src/domain/chart";
import type { Theme } from "../../src/domain/query";
import type { ChartEmbedQuery } from "../../src/embed/chart-query";
import example from "../fixtures/example-chart.json";

export const EXAMPLE_CHART = example as ChartPayload;
/** Rank 1: "New Sun" by Chihei Hatakeyama. */
export const FIRST_SOUND = EXAMPLE_CHART.sounds[0] as ChartSound;
export const EXAMPLE_COVER =
  "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg";

/** The example chart with other sounds. */
export const withSounds = (sounds: ChartSound[]): ChartPayload => ({ ...EXAMPLE_CHART, sounds });

/**
 * A chart embed's query for the top `limit` of US / 7 days, unfiltered, unless `chart` says otherwise.
 *
 * @example embedQuery(5, "dark", { region: "GB" })
 */
export function embedQuery(limit: number, theme: Theme = "auto", chart: Partial<ChartQuery> = {}): ChartEmbedQuery {
  const defaults = {
    region: "US",
    period: 7,
    newToTop100: false,
    commercialMusic: false,
    searchKeyword: null,
  } as const;
  return { chart: { ...defaults, page: 1, limit, ...chart }, theme };
}

/**
 * KeyAPI's answer to a list request, as documented: `rows` as `sound_list` (KeyAPI's own field names), and
 * its pagination.
 *
 * @example fakeKeyApi(() => keyApiList([{ rank: 1, clip_id: "1", title: "<b>x</b>" }]))
 */
export function keyApiList(rows: Record<string, unknown>[] | null, total = rows?.length ?? 0): Response {
  const size = rows?.length ?? 0;
  return Response.json({
    code: 0,
    message: "success",
    data: { pagination: { page: 1, size, total, has_more: size < total }, sound_list: rows },
  });
}
