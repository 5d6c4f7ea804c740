/**
 * The multi-location scenario: the built worker as N locations in one
 * Miniflare sharing the coordinators (bench/lib/locations.ts), against the
 * bench's mock KeyAPI. Reports KeyAPI calls ÷ distinct keys for a Zipf mix
 * spread over the locations (target 1.00), and what a cold miss pays for the
 * hop to the key's coordinator.
 */
import { zipfRanks } from "./load.ts";
import { buildBundle, startLocations } from "./locations.ts";
import type { ScenarioContext } from "./scenarios.ts";

export type MultiLocationFigures = {
  locations: number;
  requests: number;
  distinctKeys: number;
  upstreamCalls: number;
  /** Median ms: a key no tier and no coordinator holds (KeyAPI at the mock's latency). */
  coldMissMs: number;
  /** Median ms: a key this location lacks but its coordinator holds (tiers 1–2 missed, one object round trip). */
  coordinatorMs: number;
  /** Median ms: a tier-0 hit in the same rig, the baseline for the two above. */
  memoryHitMs: number;
};

export async function multiLocation(context: ScenarioContext): Promise<MultiLocationFigures> {
  const { sizes } = context.options;
  const count = sizes.locations;
  context.progress(`multi-location: building the bundle, ${count} locations in one Miniflare`);
  const bundle = await buildBundle();
  const locations = await startLocations({ count, bundleDir: bundle.dir, keyapiBaseUrl: context.mock.url });
  try {
    context.mock.mock.reset();
    const ranks = zipfRanks(sizes.locationRequests, sizes.locationKeys, sizes.zipfExponent, 11);
    const paths = ranks.map((rank) => `/v1/tiktok/trending/music/detail?clip_id=9${String(rank).padStart(17, "0")}`);
    context.progress(
      `multi-location: ${paths.length} requests over ${sizes.locationKeys} keys across ${count} locations`,
    );
    for (let start = 0; start < paths.length; start += sizes.connections) {
      const wave = paths.slice(start, start + sizes.connections);
      const answers = await Promise.all(wave.map((path, i) => locations.fetch((start + i) % count, path)));
      for (const answer of answers) {
        if (answer.status !== 200) throw new Error(`location answered ${answer.status}`);
        // Drain what is left to read (under the bench, Miniflare has sometimes consumed it already).
        if (!answer.bodyUsed) await answer.arrayBuffer();
      }
    }
    const upstreamCalls = context.mock.mock.stats.calls;

    // The hop, key by key and one request at a time: cold miss in location 0, the
    // coordinator's copy in location 1, then a tier-0 hit in location 1.
    const cold: number[] = [];
    const viaCoordinator: number[] = [];
    const hit: number[] = [];
    const timed = async (index: number, path: string, into: number[]) => {
      const started = performance.now();
      const answer = await locations.fetch(index, path);
      if (!answer.bodyUsed) await answer.arrayBuffer();
      into.push(performance.now() - started);
    };
    for (let key = 0; key < sizes.hopKeys; key++) {
      const path = `/v1/tiktok/trending/music/detail?clip_id=8${String(key).padStart(17, "0")}`;
      await timed(0, path, cold);
      await timed(1, path, viaCoordinator);
      await timed(1, path, hit);
    }
    return {
      locations: count,
      requests: paths.length,
      distinctKeys: new Set(paths).size,
      upstreamCalls,
      coldMissMs: median(cold),
      coordinatorMs: median(viaCoordinator),
      memoryHitMs: median(hit),
    };
  } finally {
    await locations.close();
    bundle.remove();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}
