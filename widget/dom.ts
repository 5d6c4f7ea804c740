/**
 * Building the widget's DOM: elements from text nodes and attributes only,
 * never markup (these elements run on other people's sites, with text from
 * KeyAPI), and the trend line both elements draw.
 */

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...(children.filter(Boolean) as (Node | string)[]));
  return element;
}

export function svg(tag: string, attributes: Record<string, string>): SVGElement {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** Text for screen readers only. */
export const hidden = (text: string) => h("span", { class: "vh" }, text);

/** Only web links reach `href`/`src`, whatever the API says. */
export const webUrl = (value: string | null) => (value && /^https?:\/\//i.test(value) ? value : null);

/** At most `max` code points, with an ellipsis when cut: what a screen reader would otherwise read in full. */
export const capped = (text: string, max: number) => {
  const points = [...text];
  return points.length > max ? `${points.slice(0, max - 1).join("")}…` : text;
};

/**
 * Trend values relative to the period's peak (0–100). A loop, not
 * Math.max(...values): spreading a long list into a call overflows the stack.
 */
export function scaleToPeak(trend: readonly { value: number }[]): number[] {
  let peak = 0;
  for (const point of trend) if (point.value > peak) peak = point.value;
  return trend.map((point) => (peak > 0 ? Math.round((Math.max(point.value, 0) / peak) * 100) : 0));
}

/**
 * The points of a trend line `width` wide, 100 drawn at `top` and 0 at
 * `bottom`, 2 units in from each side.
 *
 * @example linePoints([0, 100], 200, 4, 44) // → ["2.0,44.0", "198.0,4.0"]
 */
export function linePoints(scaled: readonly number[], width: number, top: number, bottom: number): string[] {
  return scaled.map((value, i) => {
    const x = scaled.length > 1 ? (i / (scaled.length - 1)) * (width - 4) + 2 : width / 2;
    return `${x.toFixed(1)},${(bottom - (value * (bottom - top)) / 100).toFixed(1)}`;
  });
}

/** The trend line alone, hidden from assistive technology (the element says what it shows in words). */
export function trendSvg(scaled: readonly number[], width: number, height: number, top: number, bottom: number) {
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    "aria-hidden": "true",
    focusable: "false",
    part: "sparkline",
  });
  const points = linePoints(scaled, width, top, bottom);
  if (points.length > 0) chart.append(svg("polyline", { class: "line", points: points.join(" ") }));
  return { chart, points };
}
