/** Reading the worker's JSON log lines from a console spy. */
import { type MockInstance, vi } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: a log line is whatever JSON the worker wrote.
export type LogLine = Record<string, any>;

/** Spies on `console.log` (silently) and hands back the lines with `event`, parsed, whenever asked. */
export function logged(event: string): () => LogLine[] {
  const spy: MockInstance<typeof console.log> = vi.spyOn(console, "log").mockImplementation(() => {});
  return () =>
    spy.mock.calls.flatMap(([line]) => {
      try {
        const parsed = JSON.parse(String(line)) as LogLine;
        return parsed.event === event ? [parsed] : [];
      } catch {
        return [];
      }
    });
}
