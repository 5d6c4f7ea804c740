import { describe, expect, it } from "vitest";
import { boundedText } from "../../src/domain/text";

describe("boundedText", () => {
  it.each([
    ["short text, unchanged", "New Sun", 10, "New Sun"],
    ["exactly the cap", "abc", 3, "abc"],
    ["cut by code point", "abcdef", 3, "abc"],
    ["an emoji counts once", "a😀b😀", 3, "a😀b"],
    ["never half an emoji", "ab😀", 3, "ab😀"],
    ["emoji only", "😀😀😀😀", 2, "😀😀"],
    ["a lone high surrogate is replaced", "a\ud83db", 10, "a\ufffdb"],
    ["a lone low surrogate is replaced", "\ude00a", 10, "\ufffda"],
    ["a lone surrogate counts as one", "\ud83d\ud83dxyz", 3, "\ufffd\ufffdx"],
    ["zero", "abc", 0, ""],
  ])("%s", (_name, text, max, expected) => {
    const result = boundedText(text, max);
    // Compared as escapes: a lone surrogate in a failure message breaks the reporter.
    expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
    expect(result.isWellFormed()).toBe(true);
  });
});
