/**
 * What one KeyAPI answer may cost us: how much of it is read, and how much of
 * it is kept. KeyAPI is trusted with credits, not with sizes: the documented
 * answer is about 6 KB with a week of trend, and nothing we serve needs more
 * than these. The README's payload table states them (test/node/readme.test.ts).
 */
export const ANSWER_LIMITS = {
  /**
   * Bytes read from KeyAPI; a longer answer is refused unread (`upstream-error`). Room for a trend of
   * 300,000 points (about 10 MB), which is trimmed like any other.
   */
  bodyBytes: 16 * 1024 * 1024,
  /** `trend`: the newest points, by date. */
  trendPoints: 400,
  /** `countries`, `interests`, `ages`, `videos`: the first readable items. */
  listItems: 50,
  /** Text (titles, names, codes), in code points: longer text is cut. */
  textCodePoints: 1000,
  /** URLs, in characters: a longer one is dropped, since a cut URL is a wrong one. */
  urlLength: 2048,
  /** Ids, in characters: a longer one is dropped, like a URL. */
  idLength: 64,
} as const;
