/**
 * `npm run favicon`: public/favicon.ico from public/favicon.svg (the card's
 * music-note tile), for clients that ask only for /favicon.ico (unfurlers,
 * older browsers): Chromium draws the SVG at 32×32 and the PNG goes into an
 * ICO container as is (every browser since Windows Vista reads PNG icons).
 * test/node/favicon.test.ts checks both files.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const PUBLIC_DIR = new URL("../public/", import.meta.url);
export const FAVICON_SVG = new URL("favicon.svg", PUBLIC_DIR);
export const FAVICON_ICO = new URL("favicon.ico", PUBLIC_DIR);
export const ICON_SIZE = 32;

/** An ICO file holding one PNG image of `size`×`size` pixels. */
export function icoOf(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size % 256, 6); // width (0 means 256)
  header.writeUInt8(size % 256, 7); // height
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9); // reserved
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14); // image size
  header.writeUInt32LE(header.length, 18); // image offset
  return Buffer.concat([header, png]);
}

if (import.meta.main) {
  const svg = readFileSync(FAVICON_SVG, "utf8");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport: { width: ICON_SIZE, height: ICON_SIZE } });
  const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}</style><img src="${dataUrl}" width="${ICON_SIZE}" height="${ICON_SIZE}">`,
  );
  const png = await page.locator("img").screenshot({ omitBackground: true });
  await browser.close();
  writeFileSync(FAVICON_ICO, icoOf(png, ICON_SIZE));
  console.log(`public/favicon.ico: ${ICON_SIZE}×${ICON_SIZE}, ${png.length + 22} bytes`);
}
