import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { expect, it } from "vitest";
import { OPENAPI_FILE, serialize } from "../../scripts/openapi.ts";
import { chartQueryParams } from "../../src/domain/chart";
import { type ProblemKind, problemKinds, problemType } from "../../src/domain/problems";
import { soundQueryParams } from "../../src/domain/sound";
import { CORS_EXPOSED_HEADERS } from "../../src/http/cors";
import { PROBLEM_CONTENT_TYPE } from "../../src/http/problem";
import { buildOpenApiDocument } from "../../src/openapi";

type Json = Record<string, unknown>;
const generated = buildOpenApiDocument();
const committed = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as Json;

/** Every `[path, value]` in a JSON tree. */
function* walk(node: unknown, path = "#"): Generator<[string, unknown]> {
  yield [path, node];
  if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${path}/${key}`);
  }
}

function resolve(document: Json, pointer: string): unknown {
  return pointer
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (node, key) => (node as Json | undefined)?.[key.replaceAll("~1", "/").replaceAll("~0", "~")],
      document,
    );
}

const operations = (document: Json) =>
  Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => key !== "parameters")
      .map(([method, operation]) => ({ path, method, operation })),
  );

it("public/openapi.json is what the schemas generate (run `npm run openapi` after changing them)", () => {
  expect(readFileSync(OPENAPI_FILE, "utf8")).toBe(serialize(generated));
});

it("is a valid OpenAPI 3.1 document", async () => {
  const result = await new Validator().validate(committed);
  expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(committed.openapi).toMatch(/^3\.1\.\d+$/);
});

it("has only references that resolve, and unique operation ids", () => {
  for (const [path, node] of walk(committed)) {
    if (path.endsWith("/$ref")) expect(resolve(committed, node as string), `${path} → ${node}`).toBeDefined();
  }
  const ids = operations(committed).map(({ operation }) => operation.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { path, method, operation } of operations(committed)) {
    expect(Object.keys(operation.responses as Json).length, `${method} ${path}`).toBeGreaterThan(0);
  }
});

it("documents every problem response with the status and types from problemKinds", () => {
  const documented = new Set<string>();
  for (const { operation } of operations(committed)) {
    for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
      const media = (response.content as Json | undefined)?.[PROBLEM_CONTENT_TYPE] as Json | undefined;
      if (!media) continue;
      const variant = ((media.schema as Json).allOf as Json[])[1] as { properties: Record<string, Json> };
      // `default` holds problems of several statuses (those found before the method is looked at).
      const statuses = (variant.properties.status?.enum as number[] | undefined) ?? [variant.properties.status?.const];
      if (status !== "default") expect(statuses).toEqual([Number(status)]);
      for (const type of (variant.properties.type?.enum ?? []) as string[]) {
        const kind = type.replace(/^.*:/, "") as ProblemKind;
        expect(problemType(kind)).toBe(type);
        expect(statuses, type).toContain(problemKinds[kind].status);
        documented.add(kind);
      }
    }
  }
  // An unknown path has no operation to sit on (a wrong method has: its 405).
  const perOperation = Object.keys(problemKinds).filter((kind) => kind !== "not-found");
  expect([...documented].sort()).toEqual(perOperation.sort());
});

it("documents the query the code validates and the headers browsers may read", () => {
  const sound = operations(committed).find(({ path }) => path === "/v1/tiktok/trending/music/detail");
  const parameters = (sound?.operation.parameters ?? []) as Json[];
  const query = parameters.filter((parameter) => parameter.in === "query");
  expect(query.map((parameter) => parameter.name)).toEqual(Object.keys(soundQueryParams));

  const chart = operations(committed).find(({ path }) => path === "/v1/tiktok/trending/music");
  const chartQuery = ((chart?.operation.parameters ?? []) as Json[]).filter((parameter) => parameter.in === "query");
  expect(chartQuery.map((parameter) => parameter.name)).toEqual(Object.keys(chartQueryParams));

  const headers = Object.keys((committed.components as Json).headers as Json);
  expect(headers).toEqual(expect.arrayContaining([...CORS_EXPOSED_HEADERS, "Cache-Control"]));
  const responses = sound?.operation.responses as Record<string, { headers?: Json }>;
  expect(Object.keys(responses["200"]?.headers ?? {})).toEqual(expect.arrayContaining(["ETag", "X-Cache"]));
  expect(Object.keys(responses["503"]?.headers ?? {})).toContain("Retry-After");
});

/** The paths the worker answers (static files are tagged so: Workers static assets serve them). */
const workerPaths = () =>
  Object.entries(committed.paths as Record<string, Record<string, Json>>).filter(
    ([, item]) => (item.get?.tags as string[] | undefined)?.[0] !== "widget and docs",
  );

it("documents HEAD, OPTIONS and a 405 with Allow for every other method, on every path the worker answers", () => {
  expect(workerPaths().map(([path]) => path)).toHaveLength(14);
  for (const [path, item] of workerPaths()) {
    // The route's own methods: those that never answer 405.
    const routed = Object.entries(item)
      .filter(([method, op]) => method !== "parameters" && method !== "options" && !(op.responses as Json)["405"])
      .map(([method]) => method.toUpperCase());
    expect(routed, path).toEqual(path === "/v1/webhooks/refresh" ? ["POST"] : ["GET", "HEAD"]);
    const allow = [...routed, "OPTIONS"].join(", ");
    expect(
      Object.keys(item).filter((key) => key !== "parameters"),
      path,
    ).toEqual(["get", "head", "options", "put", "post", "delete", "patch"]);
    for (const [method, operation] of Object.entries(item)) {
      if (method === "parameters" || routed.includes(method.toUpperCase()) || method === "options") continue;
      const notAllowed = (operation.responses as Record<string, { headers: Record<string, Json> }>)["405"];
      expect(notAllowed?.headers.Allow, `${method} ${path}`).toEqual({
        description: expect.any(String),
        required: true,
        schema: { type: "string", enum: [allow] },
      });
    }
    const options = item.options?.responses as Record<string, { headers: Record<string, Json> }>;
    expect(Object.keys(options["204"]?.headers ?? {}), path).toEqual(
      expect.arrayContaining(["Allow", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"]),
    );
    // HEAD: GET's statuses and headers, no bodies.
    if (routed.includes("GET")) {
      const get = item.get?.responses as Record<string, Json>;
      const head = item.head?.responses as Record<string, Json>;
      expect(Object.keys(head), path).toEqual(Object.keys(get));
      for (const response of Object.values(head)) expect(response.content).toBeUndefined();
    }
  }
});

it("declares period as one integer enum everywhere: query, payload, webhook body and results", () => {
  const schemas = (committed.components as Json).schemas as Json;
  expect(schemas.Period).toMatchObject({ type: "integer", enum: [7, 30, 120] });
  const places: string[] = [];
  for (const [path, node] of walk(committed)) {
    if (!node || typeof node !== "object") continue;
    const record = node as Json;
    const schema = path.endsWith("/properties/period")
      ? record
      : record.name === "period" && record.in === "query"
        ? (record.schema as Json)
        : undefined;
    if (!schema) continue;
    places.push(path);
    expect(schema.$ref, path).toBe("#/components/schemas/Period");
  }
  expect(places.some((path) => path.includes("SoundPayload"))).toBe(true);
  expect(places.some((path) => path.includes("WebhookRequest"))).toBe(true);
  expect(places.some((path) => path.includes("WebhookResults"))).toBe(true);
  expect(places.filter((path) => path.startsWith("#/paths")).length).toBeGreaterThanOrEqual(3);
});

it("documents the admin 401's WWW-Authenticate and a cached sound-not-found's caching headers", () => {
  const paths = committed.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  const unauthorized = paths["/v1/admin/usage"]?.get?.responses["401"]?.headers as Json;
  expect(unauthorized["WWW-Authenticate"]).toMatchObject({ required: true });
  for (const path of ["/v1/tiktok/trending/music/detail", "/oembed", "/embed/sound/{clip_id}"]) {
    const notFound = paths[path]?.get?.responses["404"]?.headers as Json;
    expect(Object.keys(notFound), path).toEqual(
      expect.arrayContaining(["Cache-Control", "Age", "X-Cache", "Server-Timing"]),
    );
  }
});

it("declares /openapi.json a JSON object with the fields a client reads", () => {
  const paths = committed.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  const content = paths["/openapi.json"]?.get?.responses["200"]?.content as Record<string, { schema: Json }>;
  expect(content["application/json"]?.schema).toMatchObject({
    type: "object",
    required: ["openapi", "info", "paths"],
    properties: { info: { type: "object", required: ["title", "version"] } },
  });
});

it("declares servers, a licence, and on every operation its security and a 4xx response", () => {
  expect(committed.servers).toEqual([{ url: "/", description: expect.any(String) }]);
  expect((committed.info as Json).license).toMatchObject({ name: expect.any(String), identifier: expect.any(String) });
  const schemes = ((committed.components as Json).securitySchemes ?? {}) as Json;
  for (const { path, method, operation } of operations(committed)) {
    expect(Array.isArray(operation.security), `${method} ${path}`).toBe(true);
    for (const requirement of operation.security as Json[]) {
      for (const name of Object.keys(requirement)) expect(schemes[name], `${method} ${path}: ${name}`).toBeDefined();
    }
    expect(
      Object.keys(operation.responses as Json).some((status) => /^4(\d\d|XX)$/.test(status)),
      `${method} ${path}`,
    ).toBe(true);
  }
  const webhook = operations(committed).find(
    ({ path, method }) => path === "/v1/webhooks/refresh" && method === "post",
  );
  expect(webhook?.operation.security).toEqual([{ standardWebhooks: [] }, { webhookSignature: [] }]);
  expect(operations(committed).find(({ path }) => path === "/health")?.operation.security).toEqual([]);
});

it("passes `redocly lint --extends=recommended` with no errors and no warnings", async () => {
  const cli = new URL("../../node_modules/@redocly/cli/bin/cli.js", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, "lint", OPENAPI_FILE.pathname, "--extends=recommended", "--format=json"],
    { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, timeout: 60_000 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(stdout) as { totals: Json; problems: { ruleId: string; message: string }[] };
  expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
});
