/**
 * The Rate Limiting binding counts in fixed windows aligned to the wall clock
 * (locally too), and that clock cannot be faked from a test. A burst that must
 * fit in one window therefore waits, when needed, for the next window to start.
 */
export async function withinOneRateWindow(periodSeconds = 60, neededSeconds = 15): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < neededSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
