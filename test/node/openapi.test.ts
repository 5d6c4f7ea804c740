import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { expect, it } from "vitest";
import { OPENAPI_FILE, serialize } from "../../scripts/openapi.ts";
import { type ProblemKind, problemKinds } from "../../src/domain/problems";
import { CORS_EXPOSED_HEADERS } from "../../src/http/cors";
import { PROBLEM_CONTENT_TYPE, problemType } from "../../src/http/problem";
import { ADMIN_ONLY, buildOpenApiDocument } from "../../src/openapi";
import { soundQueryParams } from "../../src/sound/query";

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
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
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
      expect(variant.properties.status?.const).toBe(Number(status));
      for (const type of (variant.properties.type?.enum ?? []) as string[]) {
        const kind = type.replace(/^.*:/, "") as ProblemKind;
        expect(problemType(kind)).toBe(type);
        expect(problemKinds[kind].status, type).toBe(Number(status));
        documented.add(kind);
      }
    }
  }
  // Path-level problems (unknown path, wrong method) have no operation to sit on; the admin
  // endpoint's problems sit on it once it exists.
  const hasAdmin = Object.keys(committed.paths as Json).some((path) => path.startsWith("/v1/admin/"));
  const perOperation = Object.keys(problemKinds).filter(
    (kind) =>
      kind !== "not-found" && kind !== "method-not-allowed" && (hasAdmin || !ADMIN_ONLY.includes(kind as ProblemKind)),
  );
  expect([...documented].sort()).toEqual(perOperation.sort());
});

it("documents the query the code validates and the headers browsers may read", () => {
  const sound = operations(committed).find(({ path }) => path === "/v1/tiktok/trending/music/detail");
  const parameters = (sound?.operation.parameters ?? []) as Json[];
  const query = parameters.filter((parameter) => parameter.in === "query");
  expect(query.map((parameter) => parameter.name)).toEqual(Object.keys(soundQueryParams));

  const headers = Object.keys((committed.components as Json).headers as Json);
  expect(headers).toEqual(expect.arrayContaining([...CORS_EXPOSED_HEADERS, "Cache-Control"]));
  const responses = sound?.operation.responses as Record<string, { headers?: Json }>;
  expect(Object.keys(responses["200"]?.headers ?? {})).toEqual(expect.arrayContaining(["ETag", "X-Cache"]));
  expect(Object.keys(responses["503"]?.headers ?? {})).toContain("Retry-After");
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
  const webhook = operations(committed).find(({ path }) => path === "/v1/webhooks/refresh");
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
