/**
 * The HTML named character references that are recognised without a trailing semicolon ("legacy" references):
 * `&reg` in `?a=1&region=US` is read as `®ion=US` by any decoder that applies them outside attributes, or decodes
 * twice (unfurl.js does). Source: the HTML Living Standard, §13.5 "Named character references"
 * (https://html.spec.whatwg.org/multipage/named-characters.html, its entities.json: the names listed both with and
 * without `;`); the same 106 names as the `entities` package's maps/legacy.json. Case-sensitive in HTML.
 */
export const LEGACY_ENTITY_NAMES: readonly string[] = `
  AElig AMP Aacute Acirc Agrave Aring Atilde Auml COPY Ccedil ETH Eacute Ecirc Egrave Euml GT Iacute Icirc
  Igrave Iuml LT Ntilde Oacute Ocirc Ograve Oslash Otilde Ouml QUOT REG THORN Uacute Ucirc Ugrave Uuml Yacute
  aacute acirc acute aelig agrave amp aring atilde auml brvbar ccedil cedil cent copy curren deg divide
  eacute ecirc egrave eth euml frac12 frac14 frac34 gt iacute icirc iexcl igrave iquest iuml laquo lt macr
  micro middot nbsp not ntilde oacute ocirc ograve ordf ordm oslash otilde ouml para plusmn pound quot raquo
  reg sect shy sup1 sup2 sup3 szlig thorn times uacute ucirc ugrave uml uuml yacute yen yuml
`
  .trim()
  .split(/\s+/);

/**
 * Every `&<legacy name>` in `url` (a URL as its consumer reads it, entities already decoded once). Compared
 * without regard to case: some decoders are that lax, and a parameter name gains nothing from it.
 *
 * @example legacyEntitiesIn("https://x.example/p?period=7&region=US") // → ["&reg"]
 */
export function legacyEntitiesIn(url: string): string[] {
  const found: string[] = [];
  for (let at = url.indexOf("&"); at >= 0; at = url.indexOf("&", at + 1)) {
    const rest = url.slice(at + 1).toLowerCase();
    const name = LEGACY_ENTITY_NAMES.find((candidate) => rest.startsWith(candidate.toLowerCase()));
    if (name) found.push(url.slice(at, at + 1 + name.length));
  }
  return found;
}
