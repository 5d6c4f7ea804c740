/**
 * KeyAPI trends and what every endpoint serves for them (one reader for both:
 * `trendByDate` in src/keyapi/fields.ts): out of order with unreadable points,
 * and longer than the cap.
 */
import { ANSWER_LIMITS } from "../../src/domain/limits";

const DAY = 86_400;
const utcDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** Out of order, with points that cannot be read; 23:59:59 UTC is still its own day, wherever the test runs. */
export const UNORDERED_TREND = {
  sent: [
    { time: 1769558400, value: 0.5 },
    { time: "soon", value: 1 },
    { time: 1769558399, value: 0.25 },
    { value: 3 },
    { time: 1769644800, value: null },
  ],
  served: [
    { date: "2026-01-27", value: 0.25 },
    { date: "2026-01-28", value: 0.5 },
  ],
};

const days = ANSWER_LIMITS.trendPoints + 100;

/** 100 days more than the cap, newest first: the newest `trendPoints` are served, oldest first. */
export const LONG_TREND = {
  sent: Array.from({ length: days }, (_, i) => ({ time: (days - 1 - i) * DAY, value: i })),
  length: ANSWER_LIMITS.trendPoints,
  first: { date: utcDate(100 * DAY), value: ANSWER_LIMITS.trendPoints - 1 },
  last: { date: utcDate((days - 1) * DAY), value: 0 },
};
