/**
 * One escape function per output context of the embeds (SVG card, embed page,
 * oEmbed HTML). Each is applied where a value enters markup, to every value
 * that is not a literal of ours, and each removes what that context cannot
 * carry at all, so its output is well-formed whatever the input was.
 */

/**
 * Code points XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF), plus DEL and the C1 controls, which it only discourages but
 * which HTML parsers reject and nothing here means to show. With the `u` flag a
 * surrogate pair is one code point, so only lone surrogates match D800–DFFF.
 */
const NOT_XML = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MARKUP = /[&<>"']/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const TEXT_MARKUP = /[&<>]/g;

/** Removes what no XML or HTML document may contain; the rest is kept as it is. */
export function stripForbidden(value: string): string {
  return value.replace(NOT_XML, "");
}

/**
 * Character data in XML (SVG): `&`, `<` and `>` (so `]]>` cannot end anything).
 *
 * @example `<text>${xmlText(title)}</text>`
 */
export function xmlText(value: string): string {
  return stripForbidden(value).replace(TEXT_MARKUP, (char) => ENTITY[char] as string);
}

/**
 * A double- or single-quoted XML attribute value.
 *
 * @example `<title id="${xmlAttr(id)}">`
 */
export function xmlAttr(value: string): string {
  return stripForbidden(value).replace(MARKUP, (char) => ENTITY[char] as string);
}

/**
 * HTML text and quoted attribute values (the embed page, the oEmbed `html`):
 * one function for both, escaping all five, so a value never changes meaning
 * when it moves between them.
 *
 * @example `<meta property="og:title" content="${htmlEscape(title)}">`
 */
export function htmlEscape(value: string): string {
  return stripForbidden(value).replace(MARKUP, (char) => ENTITY[char] as string);
}

/**
 * One query or path component of a URL we build. Lone surrogates (which
 * `encodeURIComponent` throws on) are made well-formed first.
 *
 * @example `/embed/sound/${urlComponent(clipId)}`
 */
export function urlComponent(value: string): string {
  return encodeURIComponent(value.toWellFormed());
}

/**
 * The value as a normalised `https:` URL, or null: the only kind of URL from
 * KeyAPI an embed may point at (cover images, links). The result still goes
 * through the attribute escape of its context.
 *
 * @example httpsUrl("javascript:alert(1)") // → null
 */
export function httpsUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  const url = URL.parse(value.trim());
  if (url?.protocol !== "https:" || url.username || url.password || !url.hostname) return null;
  return url.href;
}
