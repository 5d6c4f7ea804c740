import { expect, describe as group, it } from "vitest";
import { cacheKey } from "../../src/domain/endpoint";
import { ProblemError } from "../../src/domain/problems";
import { parseEmbedQuery, parseEmbedQueryString, parseSoundQuery, parseSoundQueryString } from "../../src/domain/sound";
import { detailEndpoint } from "../../src/endpoints/detail";

const parse = (query: string) => parseSoundQuery(new URLSearchParams(query));

function problemOf(query: string): ProblemError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be rejected`);
}
const errorsOf = (query: string) => problemOf(query).errors;

group("parseSoundQuery accepts", () => {
  it.each([
    ["clip_id=1", { clipId: "1", period: 7, region: "US" }],
    ["clip_id=6703723351497508865", { clipId: "6703723351497508865", period: 7, region: "US" }],
    ["clip_id=12345678901234567890", { clipId: "12345678901234567890", period: 7, region: "US" }],
    ["clip_id=0042&period=30&region=gb", { clipId: "0042", period: 30, region: "GB" }],
    ["region=De&period=120&clip_id=9", { clipId: "9", period: 120, region: "DE" }],
  ])("%s", (query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it("gives the same key whatever the parameter order and region case", () => {
    expect(cacheKey(detailEndpoint, parse("clip_id=5&period=30&region=fr"))).toBe(
      cacheKey(detailEndpoint, parse("region=FR&clip_id=5&period=30")),
    );
    expect(cacheKey(detailEndpoint, parse("clip_id=5"))).toBe(
      cacheKey(detailEndpoint, parse("clip_id=5&period=7&region=US")),
    );
  });
});

group("parseSoundQuery rejects, naming the parameter", () => {
  it.each([
    ["", "clip_id", "is required"],
    ["period=7", "clip_id", "is required"],
    ["clip_id=", "clip_id", "must not be empty"],
    ["clip_id=abc", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=123456789012345678901", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=+1", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=%2B1", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=-1", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=%201", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=1%00", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=1%0D%0AX-Injected:%201", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=%D9%A1%D9%A2%D9%A3", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=1.0", "clip_id", "must be 1 to 20 decimal digits (0-9)"],
    ["clip_id=1&period=0", "period", "must be one of 7, 30 or 120"],
    ["clip_id=1&period=8", "period", "must be one of 7, 30 or 120"],
    ["clip_id=1&period=7.0", "period", "must be one of 7, 30 or 120"],
    ["clip_id=1&period=07", "period", "must be one of 7, 30 or 120"],
    ["clip_id=1&period=-7", "period", "must be one of 7, 30 or 120"],
    ["clip_id=1&period=", "period", "must not be empty"],
    ["clip_id=1&region=XX", "region", "is not an ISO 3166-1 country code"],
    ["clip_id=1&region=UK", "region", "is not an ISO 3166-1 country code"],
    ["clip_id=1&region=USA", "region", "must be a two-letter ISO 3166-1 country code"],
    ["clip_id=1&region=u1", "region", "must be a two-letter ISO 3166-1 country code"],
    ["clip_id=1&region=us%20", "region", "must be a two-letter ISO 3166-1 country code"],
    ["clip_id=1&region=", "region", "must not be empty"],
    ["clip_id=1&clip_id=2", "clip_id", "must be given only once"],
    ["clip_id=1&period=7&period=7", "period", "must be given only once"],
    ["clip_id=1&clipid=2", "clipid", "is not a known parameter"],
    ["clip_id=1&Clip_ID=2", "Clip_ID", "is not a known parameter"],
    ["clip_id=1&=x", "", "is not a known parameter"],
  ])("%j", (query, param, message) => {
    expect(errorsOf(query)).toEqual([{ param, message }]);
  });

  it("reports every problem at once", () => {
    expect(errorsOf("clip_id=x&period=8&region=XX&debug=1")).toEqual([
      { param: "debug", message: "is not a known parameter" },
      { param: "clip_id", message: "must be 1 to 20 decimal digits (0-9)" },
      { param: "period", message: "must be one of 7, 30 or 120" },
      { param: "region", message: "is not an ISO 3166-1 country code" },
    ]);
  });

  it("reports a repeated parameter once however often it repeats", () => {
    expect(errorsOf("clip_id=1&clip_id=1&clip_id=1")).toEqual([
      { param: "clip_id", message: "must be given only once" },
    ]);
  });

  it("truncates an absurdly long unknown name", () => {
    const [error] = errorsOf(`clip_id=1&${"a".repeat(5000)}=1`) ?? [];
    expect(error?.param).toBe("a".repeat(64));
  });
});

group("parseSoundQuery keeps its problem small, whatever the query", () => {
  it("cuts a long name by code point, never inside an emoji", () => {
    const [error] = errorsOf(`clip_id=1&${"a".repeat(63)}😀tail=1`) ?? [];
    // Compared as JSON: a lone surrogate in a failure message breaks the reporter.
    expect(JSON.stringify(error?.param)).toBe(JSON.stringify(`${"a".repeat(63)}😀`));
  });

  it("lists a repeated unknown parameter once", () => {
    const problem = problemOf("clip_id=1&x=1&x=2&utm=1&x=3");
    expect(problem.errors).toEqual([
      { param: "x", message: "is not a known parameter" },
      { param: "utm", message: "is not a known parameter" },
    ]);
    expect(problem.detail).toBe("Invalid query parameters: x, utm.");
  });

  it("lists at most 20 problems, in errors and in detail, and counts the rest", () => {
    const names = Array.from({ length: 100 }, (_, i) => `u${i}`);
    const problem = problemOf(`clip_id=x&${names.map((name) => `${name}=1`).join("&")}`);
    expect(problem.errors).toHaveLength(20);
    expect(problem.errors?.[19]).toEqual({ param: "u19", message: "is not a known parameter" });
    expect(problem.errorsOmitted).toBe(81);
    expect(problem.detail).toBe(`Invalid query parameters: ${names.slice(0, 20).join(", ")} and 81 more.`);
  });
});

group("parseSoundQueryString", () => {
  it("gives the same answer as parseSoundQuery, and again from memory", () => {
    expect(parseSoundQueryString("clip_id=9&region=gb")).toEqual({ clipId: "9", period: 7, region: "GB" });
    expect(parseSoundQueryString("clip_id=9&region=gb")).toEqual({ clipId: "9", period: 7, region: "GB" });
  });

  it("rejects an invalid query every time (it is never remembered)", () => {
    expect(() => parseSoundQueryString("clip_id=x")).toThrow(ProblemError);
    expect(() => parseSoundQueryString("clip_id=x")).toThrow(ProblemError);
  });
});

group("parseEmbedQueryString", () => {
  const outcome = (read: () => unknown) => {
    try {
      return read();
    } catch (error) {
      if (error instanceof ProblemError) return { kind: error.kind, errors: error.errors };
      throw error;
    }
  };

  it.each([
    ["6703723351497508865", "region=gb&theme=dark"],
    ["6703723351497508865", ""],
    ["12", "period=30"],
    // Parts that would blur a key joined by a separator: each request keeps its own meaning.
    ["1", "2:period=7"],
    ["1:2", "period=7"],
    ["1#2", "period=7"],
    ["1", "period=7#x"],
    ["", "3:period=7"],
  ])("reads clip %j with query %j exactly as parseEmbedQuery does", (clipId, search) => {
    const expected = outcome(() => parseEmbedQuery(clipId, new URLSearchParams(search)));
    expect(outcome(() => parseEmbedQueryString(clipId, search))).toEqual(expected);
    // Asked again (remembered when valid): the same answer.
    expect(outcome(() => parseEmbedQueryString(clipId, search))).toEqual(expected);
  });

  it("remembers a valid query: a hot embed page is not parsed per hit", () => {
    const first = parseEmbedQueryString("6703723351497508865", "region=fr");
    expect(parseEmbedQueryString("6703723351497508865", "region=fr")).toBe(first);
  });
});
