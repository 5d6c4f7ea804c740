/**
 * Text cut by code point, never inside a surrogate pair, with lone surrogates
 * replaced by U+FFFD: JSON.stringify would write them as `\ud83d` escapes,
 * which strict decoders (I-JSON, RFC 7493) refuse.
 *
 * @example boundedText("ab😀c", 3) // → "ab😀"
 */
export function boundedText(text: string, maxCodePoints: number): string {
  // At most that many UTF-16 units is at most that many code points: the common case does no counting.
  let end = text.length;
  if (end > maxCodePoints) {
    end = 0;
    for (let count = 0; count < maxCodePoints && end < text.length; count++) {
      const unit = text.charCodeAt(end);
      const next = text.charCodeAt(end + 1);
      end += unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    }
  }
  const kept = end < text.length ? text.slice(0, end) : text;
  return kept.isWellFormed() ? kept : kept.toWellFormed();
}
