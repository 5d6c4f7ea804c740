/**
 * JSON.parse that keeps integers too large for a double exact, as decimal
 * strings. KeyAPI sends 64-bit ids (e.g. `related_items[].item_id`) as bare
 * numbers, which plain JSON.parse silently rounds: 7512619474084711723 would
 * become 7512619474084711000.
 */
type ReviverContext = { source?: string };

function keepExactIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source) {
    // Only integer literals: a fraction or exponent is a measurement, not an id.
    if (/^-?\d+$/.test(context.source)) return context.source;
  }
  return value;
}

/** Throws SyntaxError on text that is not JSON, like JSON.parse. */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return JSON.parse(text, keepExactIntegers);
}
