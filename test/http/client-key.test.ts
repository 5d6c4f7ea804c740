import { describe, expect, it } from "vitest";
import { clientKey, UNKNOWN_CLIENT } from "../../src/http/client-key";

describe("clientKey: one key per IPv4 address, per IPv6 /64", () => {
  it.each([
    ["an IPv4 address", "203.0.113.7", "203.0.113.7"],
    ["the lowest and highest IPv4 addresses", "0.0.0.0", "0.0.0.0"],
    ["255s", "255.255.255.255", "255.255.255.255"],
    ["an IPv6 address", "2001:db8::1", "2001:db8:0:0::/64"],
    ["upper case", "2001:DB8::1", "2001:db8:0:0::/64"],
    ["zeros spelled out", "2001:db8:0:0::1", "2001:db8:0:0::/64"],
    ["every group spelled out", "2001:db8:0:0:0:0:0:1", "2001:db8:0:0::/64"],
    ["zero-padded groups", "2001:0db8:0000:0000::0001", "2001:db8:0:0::/64"],
    ["another interface of the same /64", "2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:0::/64"],
    ["a full address", "2001:db8:1234:5678:9abc:def0:1234:5678", "2001:db8:1234:5678::/64"],
    ["the gap in the middle of the prefix", "2001:db8::5678:1:2:3:4", "2001:db8:0:5678::/64"],
    ["the gap at the end", "2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["the gap standing for one group", "2001:db8:1:2:3:4:5::", "2001:db8:1:2::/64"],
    ["the unspecified address", "::", "0:0:0:0::/64"],
    ["loopback", "::1", "0:0:0:0::/64"],
    ["link-local", "fe80::1", "fe80:0:0:0::/64"],
    ["an embedded IPv4 tail that is not mapped", "64:ff9b::203.0.113.7", "64:ff9b:0:0::/64"],
    ["IPv4-mapped, dotted", "::ffff:203.0.113.7", "203.0.113.7"],
    ["IPv4-mapped, in hex", "::ffff:cb00:7107", "203.0.113.7"],
    ["IPv4-mapped, upper case, zeros spelled out", "0:0:0:0:0:FFFF:CB00:7107", "203.0.113.7"],
    ["IPv4-mapped, zero-padded", "0000::ffff:203.0.113.7", "203.0.113.7"],
  ])("%s: %s → %s", (_name, address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["garbage", "not an address"],
    ["a host name", "example.com"],
    ["IPv4 with a port", "203.0.113.7:443"],
    ["IPv4 with a leading zero (octal to some parsers)", "203.0.113.07"],
    ["an IPv4 octet over 255", "203.0.113.256"],
    ["three IPv4 octets", "203.0.113"],
    ["five IPv4 octets", "203.0.113.7.1"],
    ["an empty IPv4 octet", "203..113.7"],
    ["IPv4 with a trailing dot", "203.0.113.7."],
    ["IPv6 in brackets", "[2001:db8::1]"],
    ["IPv6 in brackets with a port", "[2001:db8::1]:443"],
    ["IPv6 with a zone id", "fe80::1%eth0"],
    ["two gaps", "2001::db8::1"],
    ["a triple colon", "2001:db8:::1"],
    ["a group of five digits", "2001:db8::00001"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["seven groups without a gap", "1:2:3:4:5:6:7"],
    ["a gap among eight groups", "1:2:3:4::5:6:7:8"],
    ["a leading single colon", ":1:2:3:4:5:6:7"],
    ["a trailing single colon", "1:2:3:4:5:6:7:"],
    ["a non-hex digit", "2001:db8::g"],
    ["an embedded IPv4 too early", "::203.0.113.7:1"],
    ["an embedded IPv4 after seven groups", "1:2:3:4:5:6:7:1.2.3.4"],
    ["a hex embedded IPv4", "::ffff:cb.0.71.7a"],
    ["a space", "2001:db8:: 1"],
    ["an address with trailing text", "203.0.113.7 evil"],
    ["a long header", `2001:db8::${"0".repeat(10_000)}1`],
    ["many colons", ":".repeat(10_000)],
    ["a long run of digits", "1".repeat(100_000)],
  ])("%s falls into the one shared bucket", (_name, address) => {
    expect(clientKey(address)).toBe(UNKNOWN_CLIENT);
  });

  it("keeps distinct clients apart", () => {
    const keys = ["203.0.113.7", "203.0.113.8", "2001:db8::1", "2001:db8:0:1::1", "2001:db9::1"].map(clientKey);
    expect(new Set(keys).size).toBe(5);
    // An IPv6 /64 never collides with an IPv4 address, nor with the shared bucket.
    expect(keys).not.toContain(UNKNOWN_CLIENT);
  });
});
