// The clip id in a TikTok music URL, by oEmbed's rule (TIKTOK_MUSIC_PATH in src/embed/oembed.ts;
// test/node/clip-id.test.ts holds the two together). Plain JavaScript: the demo page loads it as is.

const TIKTOK_HOSTS = new Set(["www.tiktok.com", "tiktok.com", "m.tiktok.com"]);
/** `/music/<slug>-<clip_id>` or `/music/<clip_id>`, with an optional trailing slash. */
const TIKTOK_MUSIC_PATH = /^\/music\/(?:[^/]*-)?([0-9]{1,20})\/?$/;

/**
 * The clip id of a TikTok music page (`www.`, `m.` or bare host, with or without the slug, a trailing
 * slash, a query or a fragment; `https://` may be left out, as a paste from an address bar often does), or null.
 *
 * @example clipIdFromMusicUrl("https://www.tiktok.com/music/New-Sun-6703723351497508865") // → "6703723351497508865"
 * @param {string} text
 * @returns {string | null}
 */
export function clipIdFromMusicUrl(text) {
  const trimmed = text.trim();
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return null;
  }
  const web = url.protocol === "https:" || url.protocol === "http:";
  if (!web || !TIKTOK_HOSTS.has(url.hostname) || url.port || url.username || url.password) return null;
  return TIKTOK_MUSIC_PATH.exec(url.pathname)?.[1] ?? null;
}
