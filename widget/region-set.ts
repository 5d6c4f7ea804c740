/**
 * The widget's copy of `REGION_CODES` (src/domain/regions.ts): `npm run widget`
 * ships the 249 codes as one bit per two-letter code, A–Z × A–Z (676 bits,
 * 0.6 KiB less gzipped than their text), built from that module at build time
 * (scripts/widget.ts). This reads the bits back.
 *
 * @example regionSet(bitmap).has("GB") // → true
 */
export function regionSet(bitmap: string): { has(code: string): boolean } {
  const bytes = atob(bitmap);
  return {
    has(code) {
      if (!/^[A-Z]{2}$/.test(code)) return false;
      const bit = (code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65;
      return ((bytes.charCodeAt(bit >> 3) >> (bit & 7)) & 1) === 1;
    },
  };
}
