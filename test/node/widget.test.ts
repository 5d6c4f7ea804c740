import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import {
  ALIAS_FILE,
  BUILD_DIR,
  buildWidget,
  currentBuildName,
  PUBLIC_DIR,
  regionBitmap,
  WIDGET_SOURCE,
} from "../../scripts/widget.ts";
import { REGION_CODES } from "../../src/domain/regions.ts";
import { regionSet } from "../../widget/region-set.ts";

const MAX_GZIP_BYTES = 8 * 1024;

it("public/ holds the current build of widget/ (run `npm run widget` after changing it)", async () => {
  const widget = await buildWidget();
  expect(readFileSync(ALIAS_FILE, "utf8")).toBe(widget.alias);
  expect(currentBuildName()).toBe(widget.fileName);
  const built = new URL(widget.fileName, BUILD_DIR);
  expect(existsSync(built), `${built.pathname} is missing`).toBe(true);
  expect(readFileSync(built, "utf8")).toBe(widget.code);
});

it("is at most 8 KiB gzipped", async () => {
  const { code, alias } = await buildWidget();
  const size = gzipSync(code, { level: 9 }).length + gzipSync(alias, { level: 9 }).length;
  expect(size, `widget.js + build: ${size} bytes gzipped`).toBeLessThanOrEqual(MAX_GZIP_BYTES);
});

it("ships the API's region list as bits, which read back as exactly that list", async () => {
  const shipped = regionSet(regionBitmap(REGION_CODES));
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      expect(shipped.has(code), code).toBe(REGION_CODES.has(code));
    }
  }
  for (const odd of ["", "us", "U", "USA", "A[", "@A", "ÜS", "1A"]) expect(shipped.has(odd), odd).toBe(false);
  // The build carries the bits, not the list.
  const { code } = await buildWidget();
  expect(code).toContain(regionBitmap(REGION_CODES));
  expect(code).not.toMatch(/AD AE AF/);
});

it("never turns text into markup", () => {
  const folder = new URL(".", WIDGET_SOURCE);
  const sources = readdirSync(folder).filter((name) => name.endsWith(".ts"));
  expect(sources).toContain("tiktok-sound.ts");
  for (const name of sources) {
    const source = readFileSync(new URL(name, folder), "utf8");
    for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment"]) {
      expect(source, `${name}: ${sink}`).not.toContain(sink);
    }
  }
});

it("is served cross-origin to any site, the build immutable and the alias short-lived", () => {
  const rules = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of readFileSync(new URL("_headers", PUBLIC_DIR), "utf8").split("\n")) {
    if (/^\//.test(line)) {
      current = [];
      rules.set(line.trim(), current);
    } else if (/^\s+\S/.test(line)) current.push(line.trim());
  }
  expect(rules.get("/widget.js")).toEqual(
    expect.arrayContaining([
      "Access-Control-Allow-Origin: *",
      expect.stringMatching(/^Cache-Control: public, max-age=300\b/),
    ]),
  );
  expect(rules.get("/widget/*")).toEqual(
    expect.arrayContaining(["Access-Control-Allow-Origin: *", "Cache-Control: public, max-age=31536000, immutable"]),
  );
});
