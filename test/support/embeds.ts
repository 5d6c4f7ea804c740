/**
 * What the embed route tests check the same way on every surface: a drawn card (a sound's, a chart's), the
 * embed pages' headers, and the KeyAPI failures every embed draws.
 */
import { expect } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi";
import { describe } from "./worker";
import { inertnessProblems, parseXml, type XmlElement } from "./xml";

export const SVG = "image/svg+xml; charset=utf-8";
export const HTML = "text/html; charset=utf-8";
export const CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** A drawn card: 200, SVG, well-formed and inert; returns its parsed document. */
export async function drawn(res: Response): Promise<XmlElement> {
  expect(res.status, await describe(res)).toBe(200);
  expect(res.headers.get("Content-Type")).toBe(SVG);
  const root = parseXml(await res.clone().text());
  expect(inertnessProblems(root)).toEqual([]);
  return root;
}

/**
 * The embed pages' headers, on every response of theirs: framable by the allowed origins and saying so only
 * through CSP, their own favicon allowed, and framable by pages that require CORP (so they require it too).
 */
export function expectEmbedHeaders(res: Response, ancestors: string) {
  expect(res.headers.get("Content-Security-Policy")).toBe(
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
      `frame-ancestors ${ancestors}`,
  );
  expect(res.headers.get("X-Frame-Options")).toBeNull();
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
  expect(res.headers.get("Cross-Origin-Embedder-Policy")).toBe("require-corp");
}

/** KeyAPI failing, and the status (and `Retry-After`) the JSON endpoints, and so the embeds, answer with. */
export const UPSTREAM_FAILURES: {
  name: string;
  behaviour: MockBehaviour;
  status: string;
  retryAfter: string | null;
}[] = [
  { name: "KeyAPI 402", behaviour: { mode: "status", status: 402 }, status: "503", retryAfter: "600" },
  { name: "KeyAPI 429", behaviour: { mode: "status", status: 429, retryAfter: 7 }, status: "503", retryAfter: "7" },
  { name: "KeyAPI 401", behaviour: { mode: "status", status: 401 }, status: "502", retryAfter: null },
  { name: "KeyAPI 500", behaviour: { mode: "status", status: 500 }, status: "502", retryAfter: null },
  { name: "KeyAPI garbage", behaviour: { mode: "garbage" }, status: "502", retryAfter: null },
];
