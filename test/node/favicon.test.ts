import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { FAVICON_ICO, FAVICON_SVG, ICON_SIZE } from "../../scripts/favicon.ts";
import { MUSIC_NOTE, PALETTES } from "../../src/embed/card-svg.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

it("public/favicon.svg is the card's tile: its note in its accent colour", () => {
  const svg = readFileSync(FAVICON_SVG, "utf8");
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 52 52">/);
  expect(svg).toContain(`fill="${PALETTES.light.accent}"`);
  expect(svg).toContain(`d="${MUSIC_NOTE}"`);
  expect(svg).not.toMatch(/<script|href|url\(/i);
});

it("public/favicon.ico is an icon holding one 32×32 PNG (run `npm run favicon` after changing the SVG)", () => {
  const ico = readFileSync(FAVICON_ICO);
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
  expect([ico.readUInt8(6), ico.readUInt8(7)]).toEqual([ICON_SIZE, ICON_SIZE]);
  const [size, offset] = [ico.readUInt32LE(14), ico.readUInt32LE(18)];
  expect(offset + size).toBe(ico.length);
  const png = ico.subarray(offset);
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  // IHDR: width and height, then 8 bits per channel, RGBA (colour type 6).
  expect([png.readUInt32BE(16), png.readUInt32BE(20), png.readUInt8(24), png.readUInt8(25)]).toEqual([32, 32, 8, 6]);
});

it("is linked from the demo page, and cached for a day", () => {
  const demo = readFileSync(new URL("../../public/index.html", import.meta.url), "utf8");
  expect(demo).toContain('<link rel="icon" href="/favicon.ico" sizes="32x32">');
  expect(demo).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  const headers = readFileSync(new URL("../../public/_headers", import.meta.url), "utf8");
  for (const path of ["/favicon.ico", "/favicon.svg"]) {
    expect(headers).toContain(`${path}\n  Cache-Control: public, max-age=86400\n`);
  }
});
