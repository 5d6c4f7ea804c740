/**
 * `npm run openapi`: writes public/openapi.json from src/openapi.ts (bundled
 * first: see importBundled). test/node/openapi.test.ts fails when the committed
 * file is out of date.
 */
import { writeFileSync } from "node:fs";
import { importBundled } from "./bundled-import.ts";

const root = new URL("../", import.meta.url);
export const OPENAPI_FILE = new URL("public/openapi.json", root);

/** The document as committed: two-space JSON and a final newline. */
export function serialize(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.main) {
  const { buildOpenApiDocument } = await importBundled<typeof import("../src/openapi")>(
    new URL("src/openapi.ts", root),
  );
  writeFileSync(OPENAPI_FILE, serialize(buildOpenApiDocument()));
  console.log("wrote public/openapi.json");
}
