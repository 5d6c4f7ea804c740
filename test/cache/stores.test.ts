/**
 * KV's names for cache keys: the key itself while short, a hashed name that
 * always fits KV's 512-byte limit when not. That the tiers store and serve such
 * a key end to end: test/cache/tiered-cache.test.ts ("50 emoji").
 */
import { expect, describe as group, it } from "vitest";
import { KV_NAME_MAX_BYTES, kvName } from "../../src/cache/stores";
import { sha256Hex } from "../../src/util/sha256";

const bytes = (text: string) => new TextEncoder().encode(text).length;
const EMOJI_SEARCH = `list-v1:US:7:1:20:q=${"%F0%9F%8E%B5".repeat(50)}`;

group("kvName", () => {
  it("is the key itself, readable, while it fits", async () => {
    expect(await kvName("v1:6703723351497508865:7:US")).toBe("sound:v1:6703723351497508865:7:US");
    expect(await kvName("list-v1:US:7:1:20:new:q=love%20song")).toBe("sound:list-v1:US:7:1:20:new:q=love%20song");
    // Exactly at the bound, in bytes: 6 + 394.
    const longest = `x${"a".repeat(393)}`;
    expect(await kvName(longest)).toBe(`sound:${longest}`);
    // Bytes, not characters: 197 × "é" is 394 bytes, one more is over.
    expect(await kvName("é".repeat(197))).toBe(`sound:${"é".repeat(197)}`);
    expect(await kvName("é".repeat(198))).toMatch(/^sound-sha256:/);
  });

  it("past the bound, keeps the key's start and adds a SHA-256 of the whole key", async () => {
    const name = await kvName(EMOJI_SEARCH);
    expect(name).toBe(`sound-sha256:list-v1:US:7:1:20:q=${"%F0%9F%8E%B5".repeat(5)}:${await sha256Hex(EMOJI_SEARCH)}`);
    expect(await kvName(`x${"a".repeat(394)}`)).toMatch(/^sound-sha256:xa{79}:[0-9a-f]{64}$/);
  });

  it("always fits, and tells long keys with the same start apart", async () => {
    const keys = [EMOJI_SEARCH, `${EMOJI_SEARCH}:other`, "🎵".repeat(2000), "a".repeat(5000), "é".repeat(198)];
    const names = await Promise.all(keys.map(kvName));
    for (const name of names) expect(bytes(name), name).toBeLessThanOrEqual(KV_NAME_MAX_BYTES);
    expect(new Set(names).size).toBe(keys.length);
    expect(await kvName(EMOJI_SEARCH)).toBe(names[0]);
  });
});
