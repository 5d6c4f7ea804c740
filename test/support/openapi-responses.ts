/**
 * A response validator built from the published OpenAPI document (public/openapi.json), the way a validating
 * proxy (Prism) or a contract test reads it: every response the test suite's worker gives (test/support/worker.ts)
 * must be one the document declares for its path and method: the status (or its `4XX`/`default`), every
 * required header, each documented header's value, the media type and the body against its schema. HEAD answers
 * carry no body; neither do responses documented without content.
 *
 * Runs inside workerd, so the schema validator is @cfworker/json-schema (it interprets schemas; workerd
 * forbids the code generation Ajv relies on).
 */
import { type Schema, Validator } from "@cfworker/json-schema";
import published from "../../public/openapi.json";

type Json = { [key: string]: unknown };
type ResponseSpec = { headers?: Record<string, Json>; content?: Record<string, { schema?: Json }> };

const document = published as unknown as Json & { paths: Record<string, Record<string, Json>> };

/** The methods an OpenAPI path item can describe; a request with any other has no operation to check. */
const DOCUMENTABLE = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

function resolve(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  const target = ref
    .slice(2)
    .split("/")
    .reduce<unknown>((at, key) => (at as Json)[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  const { $ref: _ref, ...siblings } = node;
  return { ...resolve(target as Json), ...siblings };
}

/** The schema with every `$ref` replaced by what it points at (the document's schemas are not recursive). */
function inline(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(inline);
  if (!node || typeof node !== "object") return node;
  const resolved = resolve(node as Json);
  return Object.fromEntries(Object.entries(resolved).map(([key, value]) => [key, inline(value)]));
}

const validators = new WeakMap<Json, Validator>();
function problemsWith(schema: Json, value: unknown): string[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(inline(schema) as Schema, "2020-12", false);
    validators.set(schema, validator);
  }
  const result = validator.validate(value);
  return result.valid ? [] : result.errors.map((error) => `${error.instanceLocation}: ${error.error}`);
}

/** The paths the worker answers; static files (tagged so) are served by Workers static assets before it. */
const templates = Object.entries(document.paths)
  .filter(([, item]) => (item.get?.tags as string[] | undefined)?.[0] !== "widget and docs")
  .map(([template]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));

/** A header's value as its schema types it (`Age: 12` is the integer 12). */
function headerValue(value: string, schema: Json | undefined): unknown {
  const type = schema?.type;
  return type === "integer" || type === "number" ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
}

/**
 * What is wrong with `response` to `method` `url` by the document; empty when it is documented. Paths the
 * document does not have (unknown paths, answered 404) and methods OpenAPI cannot name are not checked.
 *
 * @example expect(await undocumented("GET", url, response)).toEqual([])
 */
export async function undocumented(method: string, url: string, response: Response): Promise<string[]> {
  const { pathname } = new URL(url);
  const path = templates.find(({ pattern }) => pattern.test(pathname))?.template;
  const verb = method.toLowerCase();
  if (!path || !DOCUMENTABLE.has(verb)) return [];
  const where = `${method} ${path} → ${response.status}`;
  const operation = document.paths[path]?.[verb] as Json | undefined;
  if (!operation) return [`${where}: the document has no ${method} operation on this path`];

  const responses = operation.responses as Record<string, Json>;
  const status = String(response.status);
  const declared = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (!declared) return [`${where}: status not documented (documented: ${Object.keys(responses).join(", ")})`];
  const spec = resolve(declared) as ResponseSpec;
  const problems: string[] = [];

  for (const [name, reference] of Object.entries(spec.headers ?? {})) {
    const header = resolve(reference);
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required === true) problems.push(`${where}: required header ${name} missing`);
      continue;
    }
    const schema = header.schema as Json | undefined;
    if (schema) {
      for (const problem of problemsWith(schema, headerValue(value, resolve(schema)))) {
        problems.push(`${where}: header ${name}: ${value}: ${problem}`);
      }
    }
  }

  const body = await response.clone().text();
  if (!spec.content || verb === "head") {
    if (body !== "") problems.push(`${where}: a body where the document declares none`);
    return problems;
  }
  const type = response.headers.get("Content-Type") ?? "";
  const media = spec.content[type] ?? spec.content[type.split(";")[0]?.trim() ?? ""];
  if (!media) {
    problems.push(`${where}: Content-Type ${type} not documented (${Object.keys(spec.content).join(", ")})`);
    return problems;
  }
  if (media.schema && /[/+]json$/.test(type.split(";")[0] ?? "")) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return [...problems, `${where}: the body is not JSON`];
    }
    for (const problem of problemsWith(media.schema, json)) problems.push(`${where}: body ${problem}`);
  }
  return problems;
}
