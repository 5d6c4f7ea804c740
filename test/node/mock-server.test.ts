import { afterAll, beforeAll, expect, it } from "vitest";
import example from "../../mock/example-response.json" with { type: "json" };
import { EXAMPLE_CLIP_ID, MOCK_API_KEY } from "../../mock/keyapi.ts";
import { type RunningMock, startMockServer } from "../../mock/server.ts";

let running: RunningMock;
beforeAll(async () => {
  running = await startMockServer();
});
afterAll(() => running.close());

const detail = (query: string, key = MOCK_API_KEY) =>
  fetch(`${running.url}/v1/tiktok/trending/music/detail?${query}`, { headers: { Authorization: `Bearer ${key}` } });

it("serves the documented example over HTTP on loopback", async () => {
  const res = await detail(`clip_id=${EXAMPLE_CLIP_ID}&period=7&region=US`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { code: number; data: { sound: { title: string } } };
  expect(body.code).toBe(0);
  expect(body.data.sound.title).toBe("New Sun");
  expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

it("answers the documented 401 envelope for a wrong key", async () => {
  const res = await detail("clip_id=1", "wrong");
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ code: 401, data: null, message: "apiKey is invalid" });
});

it("can be told to misbehave, and counts calls per key", async () => {
  await fetch(`${running.url}/__mock/reset`, { method: "POST" });
  await fetch(`${running.url}/__mock/behaviour`, {
    method: "POST",
    body: JSON.stringify({ mode: "status", status: 402, times: 1 }),
  });
  expect((await detail("clip_id=5&period=30&region=GB")).status).toBe(402);
  expect((await detail("clip_id=5&period=30&region=GB")).status).toBe(200);
  const stats = await (await fetch(`${running.url}/__mock/stats`)).json();
  expect(stats).toEqual({ calls: 2, byKey: { "5:30:GB": 2 } });
});

const list = (query: string) =>
  fetch(`${running.url}/v1/tiktok/trending/music?${query}`, { headers: { Authorization: `Bearer ${MOCK_API_KEY}` } });

/** KeyAPI's own example request: all seven parameters. */
const SEVEN = {
  search_keyword: "FALSE",
  page: "1",
  limit: "20",
  period: "7",
  region: "US",
  new_to_top_100: "false",
  commercial_music: "false",
};

type ListBody = {
  code: number;
  data: {
    pagination: { page: number; size: number; total: number; has_more: boolean };
    sound_list: { rank: number; clip_id: string; title: string; author: string; song_id: string }[];
  };
};

it("answers the list with the documented example sound at rank 1 of US, 7 days, and a top 100", async () => {
  const res = await list(new URLSearchParams(SEVEN).toString());
  expect(res.status).toBe(200);
  const body = (await res.json()) as ListBody;
  expect(body.code).toBe(0);
  expect(body.data.pagination).toEqual({ page: 1, size: 20, total: 100, has_more: true });
  expect(body.data.sound_list.map((row) => row.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(body.data.sound_list[0]).toMatchObject({
    rank: 1,
    clip_id: EXAMPLE_CLIP_ID,
    title: example.data.sound.title,
    author: example.data.sound.author,
    song_id: example.data.sound.song_id,
  });
  const last = (await (await list(new URLSearchParams({ ...SEVEN, page: "5" }).toString())).json()) as ListBody;
  expect(last.data.pagination).toMatchObject({ page: 5, total: 100, has_more: false });
  expect(last.data.sound_list.at(-1)?.rank).toBe(100);
});

it.each(Object.keys(SEVEN))("refuses a list request without %s, as strict as KeyAPI's documentation", async (name) => {
  const params = new URLSearchParams(SEVEN);
  params.delete(name);
  const res = await list(params.toString());
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ code: 400, data: null, message: `Missing required parameter: ${name}` });
});

it("tells one story: a sound on a chart has the chart's title, author, cover and trend in its detail", async () => {
  const list = await fetch(
    `${running.url}/v1/tiktok/trending/music?search_keyword=FALSE&page=1&limit=20&period=30&region=GB&new_to_top_100=false&commercial_music=false`,
    { headers: { Authorization: `Bearer ${MOCK_API_KEY}` } },
  );
  type Row = { clip_id: string; title: string; author: string; cover: string; trend: unknown[]; rank: number };
  const rows = ((await list.json()) as { data: { sound_list: Row[] } }).data.sound_list;
  const row = rows.find((sound) => sound.clip_id !== EXAMPLE_CLIP_ID) as Row;
  const sound = async (region: string) =>
    ((await (await detail(`clip_id=${row.clip_id}&period=30&region=${region}`)).json()) as { data: { sound: Row } })
      .data.sound;
  const onChart = await sound("GB");
  expect({ ...onChart, trend: onChart.trend.length }).toMatchObject({
    title: row.title,
    author: row.author,
    cover: row.cover,
    rank: row.rank,
    trend: 30,
  });
  // Off that chart, it is the usual invented sound.
  expect((await sound("JP")).title).not.toBe(row.title);
});
