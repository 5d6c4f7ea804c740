/**
 * Our HTML pages, read strictly for tests: each is written to be well-formed
 * as XML too once its doctype is dropped and its void elements are closed, so
 * saxes (test/support/xml.ts) can parse it and refuse what XML refuses
 * (unescaped `<` or `&`, unbalanced tags, unquoted or repeated attributes).
 */
import { elements, parseXml, type XmlElement } from "./xml";

const VOID = /<(meta|link)\b([^<>]*)>/g;

/**
 * @example parseHtml(renderChartPage(chart, query, links)).name // → "html"
 */
export function parseHtml(html: string): XmlElement {
  const doctype = "<!doctype html>\n";
  if (!html.startsWith(doctype)) throw new Error("no <!doctype html> first");
  return parseXml(html.slice(doctype.length).replace(VOID, "<$1$2/>"));
}

/** The elements of a tree with this name, depth first. */
export const named = (root: XmlElement, name: string) => [...elements(root)].filter((element) => element.name === name);

/** All text under an element, in document order (as the DOM's `textContent`). */
export function textContent(element: XmlElement): string {
  return element.content.map((part) => (typeof part === "string" ? part : textContent(part))).join("");
}

/** `<meta property|name="key" content="…">`'s content, undefined when absent. */
export function metaContent(root: XmlElement, key: string): string | undefined {
  return named(root, "meta").find((meta) => meta.attributes.property === key || meta.attributes.name === key)
    ?.attributes.content;
}
