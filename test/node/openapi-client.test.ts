/**
 * The OpenAPI document as generated clients read it: openapi-typescript turns public/openapi.json into types
 * and a small openapi-fetch client that calls every operation (test/node/fixtures/openapi-client/client.ts)
 * must type-check against them. The fixture is its own package (package.json there): openapi-typescript needs
 * TypeScript 5's compiler API, while the project's own tsc is TypeScript 7.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { OPENAPI_FILE } from "../../scripts/openapi.ts";

type Json = Record<string, unknown>;

const run = promisify(execFile);
const FIXTURE = new URL("fixtures/openapi-client/", import.meta.url);
const CLIENT = new URL("client.ts", FIXTURE).pathname;
const fromFixture = createRequire(new URL("package.json", FIXTURE));
const GENERATOR = join(fromFixture.resolve("openapi-typescript/package.json"), "..", "bin", "cli.js");
const TSC = new URL("../../node_modules/typescript/bin/tsc", import.meta.url).pathname;
const document = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Json };
};

const work = mkdtempSync(join(tmpdir(), "openapi-client-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Generates types from `spec` and type-checks the client against them; tsc's report, empty when clean. */
async function typeCheckClient(spec: typeof document, name: string): Promise<string> {
  const dir = mkdtempSync(join(work, `${name}-`));
  writeFileSync(join(dir, "openapi.json"), JSON.stringify(spec));
  await run(process.execPath, [GENERATOR, join(dir, "openapi.json"), "-o", join(dir, "api.d.ts")], {
    timeout: 60_000,
  });
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2022", "dom", "dom.iterable"],
        types: [],
        skipLibCheck: true,
        paths: { "generated-api": ["./api.d.ts"] },
      },
      files: [CLIENT],
    }),
  );
  const { stdout } = await run(process.execPath, [TSC, "-p", join(dir, "tsconfig.json"), "--pretty", "false"], {
    timeout: 60_000,
  }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout ?? ""}${error.stderr ?? ""}` }));
  return stdout.trim();
}

it("the client type-checks against the types generated from public/openapi.json", async () => {
  expect(await typeCheckClient(document, "published")).toBe("");
});

it("would not, were /openapi.json declared a string (the client reads .info.title)", async () => {
  const broken = structuredClone(document);
  const get = broken.paths["/openapi.json"]?.get as { responses: Record<string, { content: Json }> };
  get.responses["200"] = { ...get.responses["200"], content: { "application/json": { schema: { type: "string" } } } };
  expect(await typeCheckClient(broken, "string-document")).toMatch(/client\.ts\(\d+,\d+\): error TS2339: .*'info'/);
});

it("would not, were period a string enum in the query (the client sends the number 7)", async () => {
  const broken = structuredClone(document);
  broken.components.schemas.Period = { type: "string", enum: ["7", "30", "120"] };
  expect(await typeCheckClient(broken, "string-period")).toMatch(/client\.ts\(\d+,\d+\): error TS2322/);
});

it("calls every operation of the document, and nothing else", () => {
  const source = readFileSync(CLIENT, "utf8");
  const called = new Set(
    [...source.matchAll(/client\.(GET|HEAD|OPTIONS|PUT|POST|DELETE|PATCH)\("([^"]+)"/g)].map(
      ([, method, path]) => `${method} ${path}`,
    ),
  );
  const documented = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => key !== "parameters")
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect([...called].sort()).toEqual(documented.sort());
});
