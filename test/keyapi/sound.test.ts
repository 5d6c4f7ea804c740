import { expect, describe as group, it } from "vitest";
import example from "../../mock/example-response.json";
import { parseJsonKeepingBigIntegers } from "../../src/keyapi/json";
import { soundPayloadSchema, trimSound, upstreamSoundSchema } from "../../src/keyapi/sound";
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
