/**
 * The README says what the code does: its errors table lists exactly the
 * problem kinds (with their statuses), its Standard Webhooks example is a valid
 * signature, and no table row is broken.
 */
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { type ProblemKind, problemKinds } from "../../src/domain/problems";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** A table row's cells; `\|` inside a cell is a literal pipe (GitHub's rule). */
const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

/** Every Markdown table in `text`: header cells and body rows. */
function tables(text: string): { header: string[]; rows: string[][]; line: number }[] {
  const lines = text.split("\n");
  const found: { header: string[]; rows: string[][]; line: number }[] = [];
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("```")) inCode = !inCode;
    if (inCode || !line.startsWith("|") || !/^\|\s*:?-/.test(lines[i + 1] ?? "")) continue;
    const rows: string[][] = [];
    let j = i + 2;
    while ((lines[j] ?? "").startsWith("|")) rows.push(cells(lines[j++] as string));
    found.push({ header: cells(line), rows, line: i + 1 });
    i = j - 1;
  }
  return found;
}

function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  expect(start, `README has no "## ${heading}" section`).toBeGreaterThan(-1);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

describe("the errors table", () => {
  const table = tables(section("Errors")).find(({ header }) => header[0]?.startsWith("`type`"));
  const documented = new Map(
    (table?.rows ?? []).map(([type = "", status = "", meaning = ""]) => [
      type.replaceAll("`", ""),
      { status: Number(status), meaning },
    ]),
  );

  it("lists every problem kind, with its status and a meaning", () => {
    expect(table, "no errors table under ## Errors").toBeDefined();
    for (const [kind, { status }] of Object.entries(problemKinds)) {
      expect(documented.get(kind)?.status, `${kind} in the README's errors table`).toBe(status);
      expect(documented.get(kind)?.meaning, kind).not.toBe("");
    }
  });

  it("lists nothing that is not a problem kind", () => {
    const unknown = [...documented.keys()].filter((kind) => !(kind in problemKinds));
    expect(unknown).toEqual([]);
  });

  it("has one row per kind", () => {
    expect(table?.rows.length).toBe(Object.keys(problemKinds).length);
    expect(new Set(documented.keys()).size).toBe(table?.rows.length);
  });

  it("does not claim every error is no-store (a cached sound-not-found is not)", () => {
    expect(section("Errors")).not.toMatch(/Every error is[^.]*no-store/);
    expect(section("Errors")).toMatch(/`sound-not-found`[^|]*cached/);
    const notFound: ProblemKind = "sound-not-found";
    expect(documented.get(notFound)?.status).toBe(404);
  });
});

it("has no broken tables: every row has as many cells as its header", () => {
  const broken = tables(README).flatMap(({ header, rows, line }) =>
    rows.filter((row) => row.length !== header.length).map((row) => `table at line ${line}: ${row.join(" | ")}`),
  );
  expect(broken).toEqual([]);
});

it("shows a Standard Webhooks delivery whose signature is right for the secret it names", () => {
  const secret = /secret `(whsec_[A-Za-z0-9+/=]+)`/.exec(README)?.[1];
  const wire = /```http\n(POST \/v1\/webhooks\/refresh[\s\S]*?)\n```/.exec(README)?.[1];
  expect(secret).toBeDefined();
  expect(wire).toBeDefined();
  const [head = "", body = ""] = (wire as string).split("\n\n");
  const headers = Object.fromEntries(
    head
      .split("\n")
      .slice(1)
      .map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  const id = headers["webhook-id"] as string;
  const timestamp = new Date(Number(headers["webhook-timestamp"]) * 1000);
  expect(headers["webhook-signature"]).toBe(new Webhook(secret as string).sign(id, timestamp, body));
});

it("names every place an answer can come from in the Server-Timing row", async () => {
  const { TIERS } = await import("../../src/cache/tiered-cache");
  const row = tables(README)
    .flatMap((table) => table.rows)
    .find((cellsOfRow) => cellsOfRow[0] === "`Server-Timing`");
  expect(row?.[1]).toContain(`cache;desc="${TIERS.join("\\|")}"`);
});

it("documents every var and secret the configuration reads", async () => {
  const { envSchema } = await import("../../src/config");
  // Bindings are wired in wrangler.toml, not set by the operator.
  const bindings = [
    "SOUND_CACHE",
    "RATE_LIMITER",
    "MISS_LIMITER",
    "SOUND_COORDINATOR",
    "CREDIT_LEDGER",
    "WEBHOOK_DELIVERIES",
  ];
  const settings = Object.keys(envSchema.shape).filter((name) => !bindings.includes(name));
  const documented = tables(section("Configuration"))[0]?.rows.map((row) => row[0]?.replaceAll("`", ""));
  expect(new Set(documented)).toEqual(new Set(settings));
});

it("states the payload's size limits as the code has them", async () => {
  const { ANSWER_LIMITS } = await import("../../src/domain/limits");
  const { trendPoints, listItems, textCodePoints, urlLength, idLength, bodyBytes } = ANSWER_LIMITS;
  const table = tables(section("API")).find(({ header }) => header[0] === "field" && header[3] === "at most");
  expect(table, 'no payload table with an "at most" column under ## API').toBeDefined();
  const limit = new Map((table?.rows ?? []).map((row) => [row[0] ?? "", row[3] ?? ""]));
  const number = (value: number) => value.toLocaleString("en-US");
  expect(limit.get("`clip_id`, `song_id`")).toContain(`${idLength} characters`);
  expect(limit.get("`title`, `author`")).toContain(`${number(textCodePoints)} code points`);
  expect(limit.get("`region`")).toContain(`${number(textCodePoints)} code points`);
  expect(limit.get("`cover`, `link`, `music_url`")).toContain(`${number(urlLength)} characters`);
  expect(limit.get("`trend`")).toContain(`${trendPoints} points: the newest`);
  for (const list of ["`countries`", "`interests`", "`ages`", "`videos`"]) {
    expect(limit.get(list), list).toMatch(new RegExp(`^${listItems} items`));
  }
  expect(limit.get("`videos`")).toContain(`\`id\` ${idLength} characters`);
  expect(limit.get("`videos`")).toContain(`\`cover\` ${number(urlLength)}`);
  expect(section("API")).toContain(`read up to ${bodyBytes / 1024 / 1024} MiB`);
});

it("ships one credit budget: the code's default, wrangler.toml's var and the README agree", async () => {
  const { DEFAULT_CREDIT_BUDGET_PER_DAY } = await import("../../src/config");
  const wrangler = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  expect(/^CREDIT_BUDGET_PER_DAY = "(\d+)"$/m.exec(wrangler)?.[1]).toBe(String(DEFAULT_CREDIT_BUDGET_PER_DAY));
  const row = tables(section("Configuration"))[0]?.rows.find((cells) => cells[0] === "`CREDIT_BUDGET_PER_DAY`");
  expect(row?.[3]).toBe(`\`${DEFAULT_CREDIT_BUDGET_PER_DAY}\``);
});
