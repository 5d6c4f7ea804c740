// The console's figures and plots, drawn from the admin API's numbers by this code alone: inline SVG built
// with DOM calls (never markup from strings), each plot named by a <title> and described by a <desc> that
// carries its numbers. The arithmetic (spend rate, projection, scales) is plain functions, tested in Node.

const SVG = "http://www.w3.org/2000/svg";
const HOUR_MS = 3_600_000;

/** The outcomes as the ledger counts them, in the order they are stacked and listed. */
export const OUTCOMES = ["2xx", "4xx", "5xx", "none", "unknown"];
export const OUTCOME_NAMES = {
  "2xx": "2xx (answered)",
  "4xx": "4xx (refused)",
  "5xx": "5xx (KeyAPI failed)",
  none: "none (no answer)",
  unknown: "unknown (not reported yet)",
};

/** Hours of spend the rate is measured over (fewer just after midnight: it is today's rate). */
export const RATE_HOURS = 3;

/**
 * Today's spend rate in credits per hour, from the per-hour answer (oldest first, the current hour last):
 * the credits of the last `RATE_HOURS` hours of today, over the time since the first of them began.
 */
export function spendRate(hours, now) {
  const midnight = Math.floor(now / 86_400_000) * 86_400_000;
  const window = hours.slice(-RATE_HOURS).filter((hour) => Date.parse(hour.hour) >= midnight);
  if (window.length === 0) return { creditsPerHour: 0, overMs: 0 };
  const overMs = Math.max(60_000, now - Date.parse(window[0].hour));
  const credits = window.reduce((sum, hour) => sum + hour.credits_spent, 0);
  return { creditsPerHour: (credits * HOUR_MS) / overMs, overMs };
}

/** What today will have cost by the reset at this rate. The worker stops calling at the budget. */
export function projectedSpend(spent, creditsPerHour, now, resetsAt) {
  const hoursLeft = Math.max(0, Date.parse(resetsAt) - now) / HOUR_MS;
  return Math.round(spent + creditsPerHour * hoursLeft);
}

/** `5 h 12 min`, `12 min`, `less than a minute`. */
export function formatDuration(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

/** `25 Nov` from `2026-11-25`. */
export function shortDate(date) {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** `13:00` from `2026-11-25T13:00:00Z`. */
export function hourOf(hour) {
  return hour.slice(11, 16);
}

/** A round top for an axis that shows `max` (at least 2: a plot of zeros still has a scale). */
export function niceMax(max) {
  if (max <= 2) return 2;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * step >= max) return factor * step;
  return 10 * step;
}

/** `15 %`, rounded down, so 99.9 % never reads as 100 %. */
export function percent(part, whole) {
  return `${Math.floor((part / whole) * 100)} %`;
}

// ---- SVG ---------------------------------------------------------------------------------------------

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An SVG named by `title` and described by `desc` (what a screen reader says, and what tests read). */
function figure(id, width, height, title, desc) {
  const svg = el("svg", {
    id,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
    focusable: "false",
  });
  svg.append(el("title", { id: `${id}-title` }, title), el("desc", { id: `${id}-desc` }, desc));
  return svg;
}

/**
 * Today's credits against the budget: a track (the budget, or without one the larger of spent and
 * projected), the spent part filled, a tick at the projection.
 */
export function budgetBar({ spent, budget, projected }) {
  const width = 600;
  const scale = budget ?? Math.max(spent, projected, 1);
  const x = (credits) => Math.min(width, (credits / scale) * width);
  const desc =
    budget === null
      ? `${spent} credits spent today; no daily budget. Projected by the reset: ${projected}.`
      : `${spent} of ${budget} credits spent today (${percent(spent, budget)}), ${Math.max(0, budget - spent)} left. ` +
        `Projected by the reset: ${projected}${projected > budget ? `, more than the budget: calls stop at ${budget}` : ""}.`;
  const svg = figure("today-spend", width, 58, "Credits spent today", desc);
  const marker = x(projected);
  svg.append(
    el("rect", { class: "track", x: 0, y: 16, width, height: 22, rx: 4 }),
    el("rect", { class: spent >= scale ? "fill full" : "fill", x: 0, y: 16, width: x(spent), height: 22, rx: 4 }),
    el("line", { class: "marker", x1: marker, x2: marker, y1: 12, y2: 42 }),
    el(
      "text",
      { class: "tick", x: marker, y: 9, "text-anchor": marker > width / 2 ? "end" : "start" },
      `projected ${projected}`,
    ),
    el("text", { class: "tick", x: 0, y: 55 }, "0"),
    el(
      "text",
      { class: "tick", x: width, y: 55, "text-anchor": "end" },
      budget === null ? String(scale) : `budget ${budget}`,
    ),
  );
  return svg;
}

/**
 * Columns over time on a y scale from 0: each column `{ label, parts: [{ value, kind }] }`, oldest first, its
 * parts stacked in order (`kind` is the CSS class); the newest column and every `every`th before it labelled;
 * `line` (the budget) drawn across when given.
 */
function columns(id, title, desc, values, { every, line, lineLabel }) {
  const [width, height, top, bottom, left, right] = [600, 170, 12, 24, 34, 20];
  const plotHeight = height - top - bottom;
  const totals = values.map((column) => column.parts.reduce((sum, part) => sum + part.value, 0));
  const max = niceMax(Math.max(...totals, line ?? 0));
  const step = (width - left - right) / values.length;
  const y = (value) => top + plotHeight - (value / max) * plotHeight;
  const svg = figure(id, width, height, title, desc);
  svg.append(
    el("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }),
    el("text", { class: "tick", x: left - 6, y: y(max) + 4, "text-anchor": "end" }, String(max)),
    el("text", { class: "tick", x: left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"),
  );
  values.forEach((column, index) => {
    const x = left + index * step;
    let stacked = 0;
    for (const part of column.parts) {
      if (part.value === 0) continue;
      const from = y(stacked);
      stacked += part.value;
      svg.append(
        el("rect", {
          class: part.kind,
          x: x + step * 0.15,
          y: y(stacked),
          width: step * 0.7,
          height: from - y(stacked),
        }),
      );
    }
    if ((values.length - 1 - index) % every === 0) {
      svg.append(el("text", { class: "tick", x: x + step / 2, y: height - 6, "text-anchor": "middle" }, column.label));
    }
  });
  if (line !== undefined) {
    svg.append(
      el("line", { class: "budget", x1: left, x2: width - right, y1: y(line), y2: y(line) }),
      el("text", { class: "tick budget-label", x: width - right, y: y(line) - 4, "text-anchor": "end" }, lineLabel),
    );
  }
  return svg;
}

/** Credits per hour over the last hours (the per-hour answer). */
export function hourlyBars(hours) {
  const total = hours.reduce((sum, hour) => sum + hour.credits_spent, 0);
  const busiest = hours.reduce((best, hour) => (hour.credits_spent > best.credits_spent ? hour : best), hours[0]);
  const desc =
    `${hours.length} hours from ${hourOf(hours[0].hour)} to ${hourOf(hours.at(-1).hour)} UTC: ${total} credits in all` +
    (total > 0 ? `; most in one hour ${busiest.credits_spent}, at ${hourOf(busiest.hour)}.` : ".");
  return columns(
    "hours-spend",
    "Credits per hour",
    desc,
    hours.map((hour) => ({ label: hourOf(hour.hour), parts: [{ value: hour.credits_spent, kind: "bar" }] })),
    { every: 6 },
  );
}

/** Credits per day with the budget as a line (the history answer). */
export function dailyBars(history) {
  const { days, credit_budget: budget } = history;
  const total = days.reduce((sum, day) => sum + day.credits_spent, 0);
  const busiest = days.reduce((best, day) => (day.credits_spent > best.credits_spent ? day : best), days[0]);
  const desc =
    `${days.length} days from ${shortDate(days[0].date)} to ${shortDate(days.at(-1).date)}: ${total} credits in all` +
    (total > 0 ? `; most on ${shortDate(busiest.date)}, ${busiest.credits_spent}.` : ".") +
    (budget === null ? "" : ` Budget: ${budget} a day.`);
  return columns(
    "days-spend",
    "Credits per day",
    desc,
    days.map((day) => ({ label: shortDate(day.date), parts: [{ value: day.credits_spent, kind: "bar" }] })),
    { every: 7, line: budget ?? undefined, lineLabel: `budget ${budget}` },
  );
}

/** Calls per day stacked by outcome (the history answer). */
export function outcomeBars(history) {
  const { days } = history;
  const totals = OUTCOMES.map((outcome) => days.reduce((sum, day) => sum + day.outcomes[outcome], 0));
  const desc = `Calls over ${days.length} days by outcome: ${OUTCOMES.map((o, i) => `${o} ${totals[i]}`).join(", ")}.`;
  return columns(
    "days-outcomes",
    "Calls per day, by outcome",
    desc,
    days.map((day) => ({
      label: shortDate(day.date),
      parts: OUTCOMES.map((outcome) => ({ value: day.outcomes[outcome], kind: `outcome o-${outcome}` })),
    })),
    { every: 7 },
  );
}

/** The legend's swatches, one per outcome (the colours are not the only cue: the table has the numbers). */
export function outcomeSwatch(outcome) {
  const svg = el("svg", { viewBox: "0 0 12 12", width: 12, height: 12, "aria-hidden": "true", focusable: "false" });
  svg.append(el("rect", { class: `outcome o-${outcome}`, width: 12, height: 12, rx: 2 }));
  return svg;
}
