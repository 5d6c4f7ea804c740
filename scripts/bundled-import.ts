/**
 * Imports a module of the worker's source into Node. src/ uses extensionless
 * imports (for the bundler), which Node alone cannot load, so the module is
 * bundled with esbuild first and imported from memory.
 *
 * @example const { upstreamPages } = await importBundled<typeof import("../src/domain/chart")>(new URL("../src/domain/chart.ts", import.meta.url))
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export async function importBundled<Module>(entry: URL): Promise<Module> {
  const bundle = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "warning",
  });
  const source = bundle.outputFiles[0]?.text ?? "";
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`)) as Module;
}
