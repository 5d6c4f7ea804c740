/** The response validator every suite request goes through can fail: status, headers, media type and body. */
import { expect, it } from "vitest";
import example from "../fixtures/example-payload.json";
import { undocumented } from "./openapi-responses";

const DETAIL = "https://edge.example/v1/tiktok/trending/music/detail?clip_id=1";
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const problem = (kind: string, status: number, headers: Record<string, string> = {}) =>
  new Response(
    JSON.stringify({
      type: `urn:tiktok-sound-edge:problem:${kind}`,
      title: "Method not allowed",
      status,
      detail: "…",
      request_id: "r",
    }),
    { status, headers: { "Content-Type": "application/problem+json", ...headers } },
  );

it("accepts what the document declares", async () => {
  expect(await undocumented("GET", DETAIL, json(example, 200, { Age: "12", "X-Cache": "HIT" }))).toEqual([]);
  expect(
    await undocumented("PUT", DETAIL, problem("method-not-allowed", 405, { Allow: "GET, HEAD, OPTIONS" })),
  ).toEqual([]);
  expect(await undocumented("OPTIONS", DETAIL, new Response(null, { status: 204 }))).toEqual([]);
  // Paths the worker does not serve (static files, unknown paths) are not its to answer.
  expect(await undocumented("GET", "https://edge.example/nothing", new Response("x", { status: 404 }))).toEqual([]);
});

it.each([
  ["a body off its schema", "GET", json({ ...example, period: 8 })],
  ["a missing required field", "GET", json({ ...example, clip_id: undefined })],
  ["a header off its schema", "GET", json(example, 200, { Age: "soon" })],
  ["an undocumented media type", "GET", new Response("<p>", { headers: { "Content-Type": "text/html" } })],
  ["an undocumented status", "GET", json(example, 418)],
  ["a 405 without Allow", "PUT", problem("method-not-allowed", 405)],
  ["a 405 with the wrong Allow", "PUT", problem("method-not-allowed", 405, { Allow: "GET" })],
  ["a body on HEAD", "HEAD", json(example)],
  ["a method the path does not have", "TRACE", new Response(null, { status: 405 })],
])("refuses %s", async (_name, method, response) => {
  expect(await undocumented(method, DETAIL, response)).not.toEqual([]);
});
