/**
 * What every embed says about a sound, in the widget's words
 * (widget/tiktok-sound.ts): the label, the facts line, the trend summary, the
 * top countries with their share and the top interests. Plain text, cleaned
 * (see text.ts) but neither shortened nor escaped: each renderer does that for
 * its own boxes and its own markup.
 */
import type { SoundPayload, SoundQuery } from "../domain/sound";
import { httpsUrl } from "./escape";
import { cleanText } from "./text";

export const SHOWN = 3;

export type SoundFacts = {
  title: string;
  author: string | null;
  /** "<title> — <author>", or the title alone. */
  label: string;
  /** "1:00 · US · last 7 days" */
  facts: string;
  /** "Over 7 days (Jan 27 – Feb 2) popularity rose from 6 to 100, peaking on Feb 2." */
  summary: string;
  /** Trend values relative to the period's peak (0–100), oldest first. */
  trend: number[];
  firstDay: string | null;
  lastDay: string | null;
  countries: { name: string; share: number; percent: string }[];
  interests: string[];
  /** The TikTok page of the sound (https only), else one built from the clip id. */
  link: string;
  /** The cover image, https only. */
  cover: string | null;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-02-02" → "Feb 2" (UTC, English, whatever the runtime's locale); null when it is not a date. */
export function shortDay(date: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const month = MONTHS[Number(match?.[2]) - 1];
  return match && month ? `${month} ${Number(match[3])}` : null;
}

export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The widget's sentence for a trend, from the same numbers. */
export function trendSummary(trend: SoundPayload["trend"], period: number): string {
  if (trend.length === 0) return `No trend data for the last ${period} days.`;
  const scaled = scaleToPeak(trend);
  const first = scaled[0] ?? 0;
  const last = scaled.at(-1) ?? 0;
  const peakAt = shortDay(trend[scaled.indexOf(100)]?.date ?? "");
  const move =
    last > first ? `rose from ${first} to ${last}` : last < first ? `fell from ${first} to ${last}` : `held at ${last}`;
  const from = shortDay(trend[0]?.date ?? "");
  const to = shortDay(trend.at(-1)?.date ?? "");
  const span = from && to ? ` (${from} – ${to})` : "";
  return `Over ${trend.length} days${span} popularity ${move}${peakAt ? `, peaking on ${peakAt}` : ""}.`;
}

function scaleToPeak(trend: SoundPayload["trend"]): number[] {
  // A loop, not Math.max(...values): spreading a long list into a call overflows the stack.
  let peak = 0;
  for (const point of trend) if (point.value > peak) peak = point.value;
  return trend.map((point) => (peak > 0 ? Math.round((Math.max(point.value, 0) / peak) * 100) : 0));
}

/**
 * KeyAPI's link when it is a page on `https://www.tiktok.com/` (default port): the embeds promise a link to
 * TikTok's own site and nowhere else, so other hosts (`m.`, `vm.`, a port) give way to one built from the clip id.
 */
export function tiktokLink(link: string | null): string | null {
  const url = httpsUrl(link);
  if (!url) return null;
  const { host } = new URL(url);
  return host === "www.tiktok.com" ? url : null;
}

/**
 * @example soundFacts(payload, { clipId: "6703723351497508865", period: 7, region: "US" }).label
 *   // → "New Sun — Chihei Hatakeyama"
 */
export function soundFacts(sound: SoundPayload, query: SoundQuery): SoundFacts {
  const title = cleanText(sound.title ?? "") || "Untitled sound";
  const author = cleanText(sound.author ?? "") || null;
  const region = cleanText(sound.region ?? "") || query.region;
  const facts = [
    sound.duration !== null && sound.duration > 0 ? duration(sound.duration) : null,
    region,
    `last ${sound.period} days`,
  ].filter((fact): fact is string => fact !== null);

  const total = sound.countries.reduce((sum, country) => sum + Math.max(country.score ?? 0, 0), 0);
  const countries =
    total > 0
      ? sound.countries.slice(0, SHOWN).map((country) => {
          const share = Math.max(country.score ?? 0, 0) / total;
          return { name: cleanText(country.name) || cleanText(country.code) || "?", share, percent: percent(share) };
        })
      : [];

  return {
    title,
    author,
    label: author ? `${title} — ${author}` : title,
    facts: facts.join(" · "),
    summary: trendSummary(sound.trend, sound.period),
    trend: scaleToPeak(sound.trend),
    firstDay: shortDay(sound.trend[0]?.date ?? ""),
    lastDay: shortDay(sound.trend.at(-1)?.date ?? ""),
    countries,
    interests: sound.interests
      .slice(0, SHOWN)
      .map((interest) => cleanText(interest.name))
      .filter(Boolean),
    link: tiktokLink(sound.link) ?? `https://www.tiktok.com/music/x-${query.clipId}`,
    cover: httpsUrl(sound.cover),
  };
}
