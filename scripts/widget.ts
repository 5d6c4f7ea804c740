/**
 * `npm run widget`: builds widget/tiktok-sound.ts into public/.
 *
 * - `public/widget/tiktok-sound.<hash>.js`: the code, named by its content, so
 *   it can be cached for a year (`immutable`, see public/_headers).
 * - `public/widget.js`: the stable address people embed, a one-line module that
 *   re-exports the current build and is cached for minutes only.
 *
 * The current build and the one the alias named before are kept, so a page
 * whose browser still has the old alias cached keeps working after a deploy.
 * test/node/widget.test.ts fails when the committed files are not this build.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build, type Plugin } from "esbuild";
import { REGION_CODES } from "../src/domain/regions.ts";

const root = new URL("../", import.meta.url);
export const WIDGET_SOURCE = new URL("widget/tiktok-sound.ts", root);
const REGION_SET = new URL("widget/region-set.ts", root);

/** One bit per two-letter code, A–Z × A–Z, set for the codes in `codes`; base64 (what widget/region-set.ts reads). */
export function regionBitmap(codes: Iterable<string>): string {
  const bits = new Uint8Array(Math.ceil((26 * 26) / 8));
  for (const code of codes) {
    const bit = (code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65;
    bits[bit >> 3] = (bits[bit >> 3] ?? 0) | (1 << (bit & 7));
  }
  return Buffer.from(bits).toString("base64");
}

/**
 * The widget checks regions by the API's own list (src/domain/regions.ts), but
 * ships it as a bitmap: the module is replaced, in the widget's bundle only, by
 * one that reads the same codes from their bits.
 */
const regionsAsBits: Plugin = {
  name: "regions-as-bits",
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]src[\\/]domain[\\/]regions\.ts$/ }, () => ({
      contents:
        `import { regionSet } from ${JSON.stringify(REGION_SET.pathname)};\n` +
        `export const REGION_CODES = regionSet(${JSON.stringify(regionBitmap(REGION_CODES))});\n`,
      loader: "ts",
    }));
  },
};
export const PUBLIC_DIR = new URL("public/", root);
export const ALIAS_FILE = new URL("widget.js", PUBLIC_DIR);
export const BUILD_DIR = new URL("widget/", PUBLIC_DIR);

export type WidgetBuild = { fileName: string; code: string; alias: string };

export async function buildWidget(): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [WIDGET_SOURCE.pathname],
    bundle: true,
    format: "esm",
    target: ["es2022", "chrome111", "firefox113", "safari16.4"],
    minify: true,
    charset: "utf8",
    legalComments: "none",
    write: false,
    logLevel: "silent",
    plugins: [regionsAsBits],
  });
  const code = result.outputFiles[0]?.text ?? "";
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 10);
  const fileName = `tiktok-sound.${hash}.js`;
  const alias =
    "// <tiktok-sound>: the stable address to embed (cached for minutes). It loads the build named\n" +
    '// after its content hash (cached for a year); see the README, "Embed the widget".\n' +
    `export * from "./widget/${fileName}";\n`;
  return { fileName, code, alias };
}

/** The build file the committed alias points to, if any. */
export function currentBuildName(): string | undefined {
  try {
    return /\.\/widget\/(tiktok-sound\.[0-9a-f]+\.js)/.exec(readFileSync(ALIAS_FILE, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const previous = currentBuildName();
  const widget = await buildWidget();
  writeFileSync(new URL(widget.fileName, BUILD_DIR), widget.code);
  writeFileSync(ALIAS_FILE, widget.alias);
  for (const name of readdirSync(BUILD_DIR)) {
    if (name !== widget.fileName && name !== previous) rmSync(new URL(name, BUILD_DIR));
  }
  console.log(`public/widget.js → public/widget/${widget.fileName} (${widget.code.length} bytes)`);
}
