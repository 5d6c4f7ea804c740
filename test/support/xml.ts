/**
 * A strict XML 1.0 parser for tests (saxes: well-formedness errors throw),
 * giving a small element tree to inspect.
 */
import { SaxesParser } from "saxes";

export type XmlElement = {
  name: string;
  /** Namespace URI of the element. */
  uri: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element. */
  text: string;
  /** Its text and child elements, in document order. */
  content: (XmlElement | string)[];
};

/**
 * Parses `source` as a complete XML document, throwing on any well-formedness error.
 *
 * @example parseXml("<svg xmlns='http://www.w3.org/2000/svg'/>").name // → "svg"
 */
export function parseXml(source: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const element: XmlElement = {
      name: tag.local,
      uri: tag.uri,
      attributes: Object.fromEntries(
        Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value]),
      ),
      children: [],
      text: "",
      content: [],
    };
    stack.at(-1)?.children.push(element);
    stack.at(-1)?.content.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on("text", (text) => {
    const current = stack.at(-1);
    if (current) {
      current.text += text;
      current.content.push(text);
    }
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(source).close();
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element of the tree, depth first. */
export function* elements(root: XmlElement): Generator<XmlElement> {
  yield root;
  for (const child of root.children) yield* elements(child);
}

/** All text in the tree, element by element. */
export function allText(root: XmlElement): string {
  return [...elements(root)].map((element) => element.text).join("");
}

/** The only elements a card may use: shapes, text, its title, description and style. */
const SVG_ELEMENTS = new Set([
  "svg",
  "title",
  "desc",
  "style",
  "rect",
  "circle",
  "path",
  "polygon",
  "polyline",
  "text",
]);
const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/**
 * What makes an SVG not inert or not self-contained: scripts, event
 * attributes, foreignObject or any element outside the card's set, links and
 * references (`href`, `src`, `url(…)`, `@import`), in elements, attributes and
 * the stylesheet. Empty when the document is fine.
 */
export function inertnessProblems(root: XmlElement): string[] {
  const problems: string[] = [];
  for (const element of elements(root)) {
    if (element.uri !== SVG_NAMESPACE) problems.push(`<${element.name}> outside the SVG namespace`);
    if (!SVG_ELEMENTS.has(element.name)) problems.push(`<${element.name}> is not a card element`);
    for (const [name, value] of Object.entries(element.attributes)) {
      if (/^on/i.test(name)) problems.push(`event attribute ${name}`);
      if (/(^|:)(href|src)$/i.test(name)) problems.push(`reference attribute ${name}`);
      if (/url\(|@import|javascript:|expression\(/i.test(value)) problems.push(`reference in ${name}="${value}"`);
    }
    if (element.name === "style" && /url\(|@import|expression\(|@font-face/i.test(element.text)) {
      problems.push(`reference in the stylesheet: ${element.text}`);
    }
  }
  return problems;
}
