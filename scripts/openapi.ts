/**
 * `npm run openapi`: writes public/openapi.json from src/openapi.ts.
 *
 * src/ uses extensionless imports (for the bundler), which Node alone cannot
 * load, so the builder is bundled with esbuild first and imported from memory.
 * test/node/openapi.test.ts fails when the committed file is out of date.
 */
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("../", import.meta.url);
export const OPENAPI_FILE = new URL("public/openapi.json", root);

/** The document as committed: two-space JSON and a final newline. */
export function serialize(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.main) {
  const bundle = await build({
    entryPoints: [new URL("src/openapi.ts", root).pathname],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "warning",
  });
  const source = bundle.outputFiles[0]?.text ?? "";
  const { buildOpenApiDocument } = (await import(
    `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`
  )) as typeof import("../src/openapi");
  writeFileSync(OPENAPI_FILE, serialize(buildOpenApiDocument()));
  console.log("wrote public/openapi.json");
}
