/**
 * Who counts as one client for the per-client limits: an IPv4 address, or an
 * IPv6 /64 (every IPv6 subscriber gets at least a /64, so keying on the full
 * address would hand each of them 2^64 budgets). The key comes from the parsed
 * address, so every spelling of one address (case, zero padding, `::`,
 * IPv4-mapped) is one client. A missing or unparsable `CF-Connecting-IP` is
 * one shared bucket, not a free pass.
 *
 * Runs on every rate-limited request, cache hits included: one pass over at
 * most 45 characters, no regular expression, one small array.
 */

/** The bucket of every request whose address is missing or cannot be read. */
export const UNKNOWN_CLIENT = "unknown";

/** The longest textual address: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_ADDRESS_LENGTH = 45;

const COLON = 58;
const DOT = 46;

/**
 * @example clientKey("2001:DB8::1") // → "2001:db8:0:0::/64"
 * @example clientKey("::ffff:203.0.113.7") // → "203.0.113.7"
 * @example clientKey("[2001:db8::1]:443") // → "unknown"
 */
export function clientKey(address: string | undefined): string {
  if (!address || address.length > MAX_ADDRESS_LENGTH) return UNKNOWN_CLIENT;
  if (!address.includes(":")) {
    // Accepted only in canonical form, so the text itself is the key.
    return ipv4(address, 0) === undefined ? UNKNOWN_CLIENT : address;
  }
  const groups = ipv6(address);
  if (!groups) return UNKNOWN_CLIENT;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = groups;
  // ::ffff:a.b.c.d is the IPv4 client a.b.c.d, however it is written.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) {
    return `${g >> 8}.${g & 0xff}.${h >> 8}.${h & 0xff}`;
  }
  return `${a.toString(16)}:${b.toString(16)}:${c.toString(16)}:${d.toString(16)}::/64`;
}

/** A dotted quad from `start` to the end of `text` (decimal, no leading zeros) as a 32-bit number. */
function ipv4(text: string, start: number): number | undefined {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    let part = 0;
    let digits = 0;
    while (i < text.length) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      // "07" would be octal to some parsers: not canonical, not accepted.
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + digit;
      if (part > 255) return undefined;
      digits++;
      i++;
    }
    if (digits === 0) return undefined;
    value = value * 256 + part;
    parts++;
    if (parts < 4) {
      if (text.charCodeAt(i) !== DOT) return undefined;
      i++;
    }
  }
  return i === text.length ? value : undefined;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms, no zone id), or undefined. */
function ipv6(text: string): number[] | undefined {
  const groups: number[] = [];
  /** Where `::` stands, as an index into `groups`. */
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < text.length) {
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < text.length && digits < 5; j++) {
      const digit = hexDigit(text.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
      digits++;
    }
    if (text.charCodeAt(j) === DOT) {
      // A dotted IPv4 tail stands for the last two groups.
      const tail = groups.length <= 6 ? ipv4(text, i) : undefined;
      if (tail === undefined) return undefined;
      groups.push(tail >>> 16, tail & 0xffff);
      break;
    }
    if (digits === 0 || digits > 4 || groups.length === 8) return undefined;
    groups.push(value);
    i = j;
    if (i === text.length) break;
    if (text.charCodeAt(i) !== COLON) return undefined;
    i++;
    if (text.charCodeAt(i) === COLON) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i++;
    } else if (i === text.length) {
      return undefined;
    }
  }
  if (gap < 0) return groups.length === 8 ? groups : undefined;
  // `::` stands for at least one group of zeros.
  if (groups.length > 7) return undefined;
  const full = groups.slice(0, gap);
  for (let zeros = 8 - groups.length; zeros > 0; zeros--) full.push(0);
  for (let k = gap; k < groups.length; k++) full.push(groups[k] as number);
  return full;
}
