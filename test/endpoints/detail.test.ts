import { expect, describe as group, it } from "vitest";
import example from "../../mock/example-response.json";
import { ANSWER_LIMITS } from "../../src/domain/limits";
import { soundPayloadSchema } from "../../src/domain/sound";
import { trimSound, upstreamSoundSchema } from "../../src/endpoints/detail";
import { parseJsonKeepingBigIntegers } from "../../src/keyapi/json";
import expected from "../fixtures/example-payload.json";

const request = { clipId: "6703723351497508865", period: 7 };
const fetchedAt = new Date("2026-11-25T10:00:00.000Z");
const trim = (sound: unknown, period = 7) =>
  trimSound(upstreamSoundSchema.parse(sound), { ...request, period }, fetchedAt);

group("trimSound", () => {
  it("turns the documented example into the documented payload", () => {
    expect(trim(example.data.sound)).toEqual({ ...expected, fetched_at: "2026-11-25T10:00:00.000Z" });
  });

  it("writes the fields in the documented order", () => {
    expect(Object.keys(trim(example.data.sound))).toEqual(Object.keys(expected));
  });

  it("never throws on an empty sound: nulls, empty lists, the requested clip id", () => {
    const payload = trim({}, 30);
    expect(payload).toEqual({
      clip_id: "6703723351497508865",
      song_id: null,
      title: null,
      author: null,
      duration: null,
      cover: null,
      link: null,
      music_url: null,
      region: null,
      period: 30,
      rank: null,
      rank_diff: null,
      promoted: null,
      popularity: null,
      trend: [],
      countries: [],
      interests: [],
      ages: [],
      videos: [],
      fetched_at: "2026-11-25T10:00:00.000Z",
    });
    expect(soundPayloadSchema.safeParse(payload).success).toBe(true);
  });

  it("turns fields of the wrong type into null or empty lists", () => {
    const payload = trim({
      clip_id: 42,
      song_id: { id: 1 },
      title: 5,
      duration: "60",
      promoted: "yes",
      cover: "javascript:alert(1)",
      link: "//evil.example/x",
      longevity: { popular_days: "3", current_popularity: 9 },
      trend: "up",
      audience_countries: { LV: 1 },
      audience_interests: null,
      audience_ages: "young",
      related_items: 7,
    });
    expect(payload).toMatchObject({
      clip_id: "42",
      song_id: null,
      title: null,
      duration: null,
      promoted: null,
      cover: null,
      link: null,
      popularity: { popular_days: null, current: 9 },
      trend: [],
      countries: [],
      interests: [],
      ages: [],
      videos: [],
    });
  });

  it("sorts the trend by time and drops points it cannot read", () => {
    const payload = trim({
      trend: [
        { time: 1769558400, value: 0.5 },
        { time: "soon", value: 1 },
        { time: 1769472000, value: 0.25 },
        { value: 3 },
        { time: 1769644800, value: null },
      ],
    });
    expect(payload.trend).toEqual([
      { date: "2026-01-27", value: 0.25 },
      { date: "2026-01-28", value: 0.5 },
    ]);
  });

  it("reads age buckets from whichever *_info key they carry and drops the rest", () => {
    const payload = trim({
      audience_ages: [
        { age_info: { id: "1", label: "a", value: "18-24" }, score: 700 },
        { age_range_info: { value: "25-34" }, score: "many" },
        { score: 12 },
        { age_info: { label: "no value" }, score: 1 },
        "35-44",
      ],
    });
    expect(payload.ages).toEqual([
      { name: "18-24", score: 700 },
      { name: "25-34", score: null },
    ]);
  });

  it("drops countries and interests without their info object", () => {
    const payload = trim({
      audience_countries: [{ score: 3 }, { country_info: { label: "FR", value: "France" }, score: 2 }],
      audience_interests: [{ interest_info: { value: "Dance" } }, { interest_info: null, score: 1 }],
    });
    expect(payload.countries).toEqual([{ code: "FR", name: "France", score: 2 }]);
    expect(payload.interests).toEqual([{ name: "Dance", score: null }]);
  });

  it("keeps 64-bit ids exact, as decimal strings", () => {
    const text = `{"related_items":[{"item_id":7512619474084711723,"cover_uri":"https://c.example/1.jpg"},{"item_id":"7512619474084711724"},{"item_id":12}],"song_id":6703723270476138498}`;
    const payload = trim(parseJsonKeepingBigIntegers(text));
    expect(payload.videos).toEqual([
      { id: "7512619474084711723", cover: "https://c.example/1.jpg" },
      { id: "7512619474084711724", cover: null },
      { id: "12", cover: null },
    ]);
    expect(payload.song_id).toBe("6703723270476138498");
  });
});

group("trimSound bounds every list and string (ANSWER_LIMITS)", () => {
  const { trendPoints, listItems, textCodePoints, urlLength, idLength } = ANSWER_LIMITS;
  const DAY = 86_400;

  it("keeps the newest trend points by date, oldest first, whatever order KeyAPI sends", () => {
    const days = trendPoints + 100;
    const trend = Array.from({ length: days }, (_, i) => ({ time: (days - 1 - i) * DAY, value: i }));
    const payload = trim({ trend });
    expect(payload.trend).toHaveLength(trendPoints);
    expect(payload.trend[0]).toEqual({ date: "1970-04-11", value: trendPoints - 1 });
    expect(payload.trend.at(-1)).toEqual({
      date: new Date((days - 1) * DAY * 1000).toISOString().slice(0, 10),
      value: 0,
    });
  });

  it("keeps the first readable items of countries, interests, ages and videos", () => {
    const many = <T>(make: (i: number) => T) => [null, ...Array.from({ length: listItems + 10 }, (_, i) => make(i))];
    const payload = trim({
      audience_countries: many((i) => ({ country_info: { label: "C", value: `c${i}` }, score: i })),
      audience_interests: many((i) => ({ interest_info: { value: `i${i}` }, score: i })),
      audience_ages: many((i) => ({ age_info: { value: `a${i}` }, score: i })),
      related_items: many((i) => ({ item_id: String(i), cover_uri: null })),
    });
    for (const list of [payload.countries, payload.interests, payload.ages, payload.videos]) {
      expect(list).toHaveLength(listItems);
    }
    expect(payload.countries.at(-1)?.name).toBe(`c${listItems - 1}`);
    expect(payload.videos[0]?.id).toBe("0");
  });

  it("cuts text at a code point, never inside an emoji, and replaces lone surrogates", () => {
    const payload = trim({
      title: `${"t".repeat(textCodePoints - 1)}😀😀`,
      author: "a\ud83db",
      audience_countries: [{ country_info: { label: "L".repeat(5000), value: "😀".repeat(5000) }, score: 1 }],
      audience_interests: [{ interest_info: { value: "n".repeat(5000) }, score: 1 }],
    });
    // First, so a failure prints escapes rather than the lone surrogate itself (which breaks the reporter).
    expect(JSON.stringify(payload).match(/\\ud[89a-f]../gi)).toBeNull();
    expect(payload.title).toBe(`${"t".repeat(textCodePoints - 1)}😀`);
    expect(payload.author).toBe("a\ufffdb");
    expect(payload.countries[0]).toEqual({
      code: "L".repeat(textCodePoints),
      name: "😀".repeat(textCodePoints),
      score: 1,
    });
    expect(payload.interests[0]?.name).toHaveLength(textCodePoints);
  });

  it("drops a URL or an id over its cap instead of cutting it", () => {
    const url = (length: number) => `https://c.example/${"u".repeat(length - "https://c.example/".length)}`;
    const payload = trim({
      clip_id: "1".repeat(idLength + 1),
      song_id: "2".repeat(idLength + 1),
      cover: url(urlLength),
      link: url(urlLength + 1),
      music_url: "https://c.example/\ud800",
      related_items: [
        { item_id: "3".repeat(idLength + 1), cover_uri: "x" },
        { item_id: "4".repeat(idLength), cover_uri: url(urlLength + 1) },
      ],
    });
    expect(payload.music_url === null, "a URL with a lone surrogate is dropped").toBe(true);
    expect(payload).toMatchObject({ clip_id: request.clipId, song_id: null, link: null, music_url: null });
    expect(payload.cover).toHaveLength(urlLength);
    expect(payload.videos).toEqual([{ id: "4".repeat(idLength), cover: null }]);
  });
});

it("keeps even the worst case (every list full, every string at its cap) under 2 MB, what a coordinator row holds", () => {
  const { trendPoints, listItems, textCodePoints, urlLength, idLength } = ANSWER_LIMITS;
  // Control characters: the longest JSON for their length (`\u0001`, six characters each); numbers likewise.
  const LONGEST_NUMBER = -2.2250738585072014e-308;
  const text = "\u0001".repeat(textCodePoints);
  const url = `https://${"\u0001".repeat(urlLength - 8)}`;
  const list = <T>(item: T) => Array.from({ length: listItems }, () => item);
  const payload = trim({
    clip_id: "9".repeat(idLength),
    song_id: "9".repeat(idLength),
    title: text,
    author: text,
    cover: url,
    link: url,
    music_url: url,
    country_code: text,
    trend: Array.from({ length: trendPoints }, (_, i) => ({
      time: 253_402_300_799 - i,
      value: LONGEST_NUMBER,
    })),
    audience_countries: list({ country_info: { label: text, value: text }, score: LONGEST_NUMBER }),
    audience_interests: list({ interest_info: { value: text }, score: LONGEST_NUMBER }),
    audience_ages: list({ age_info: { value: text }, score: LONGEST_NUMBER }),
    related_items: list({ item_id: "9".repeat(idLength), cover_uri: url }),
  });
  expect(payload.countries[0]?.name).toHaveLength(textCodePoints);
  expect(payload.videos[0]?.cover).toHaveLength(urlLength);
  expect(new TextEncoder().encode(JSON.stringify(payload)).byteLength).toBeLessThan(2_000_000);
});

group("parseJsonKeepingBigIntegers", () => {
  it("changes nothing but integers beyond 2^53", () => {
    expect(
      parseJsonKeepingBigIntegers('{"a":9007199254740993,"b":9007199254740991,"c":1.5,"d":1e300,"e":"7"}'),
    ).toEqual({
      a: "9007199254740993",
      b: 9007199254740991,
      c: 1.5,
      d: 1e300,
      e: "7",
    });
  });

  it("throws on text that is not JSON", () => {
    expect(() => parseJsonKeepingBigIntegers("<html>")).toThrow(SyntaxError);
  });
});
