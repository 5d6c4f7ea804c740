/**
 * Runs `task` over `items` with at most `limit` running at once, keeping order.
 * Workers allow six simultaneous outgoing connections per request; more just queue.
 *
 * @example await mapWithConcurrency(queries, 6, (query) => refresh(query))
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Outgoing connections a Worker may have open at once. */
export const UPSTREAM_CONCURRENCY = 6;
