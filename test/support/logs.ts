/** Reading the worker's JSON log lines from a console spy. */
import { type MockInstance, vi } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: a log line is whatever JSON the worker wrote.
export type LogLine = Record<string, any>;

/** Spies on `console.log` (silently) and hands back the JSON lines that `keep` accepts, parsed, whenever asked. */
export function loggedLines(keep: (line: LogLine) => boolean): () => LogLine[] {
  const spy: MockInstance<typeof console.log> = vi.spyOn(console, "log").mockImplementation(() => {});
  return () =>
    spy.mock.calls.flatMap(([line]) => {
      try {
        const parsed = JSON.parse(String(line)) as LogLine;
        return keep(parsed) ? [parsed] : [];
      } catch {
        return [];
      }
    });
}

/** The lines with `event` (`upstream_call`, …). */
export function logged(event: string): () => LogLine[] {
  return loggedLines((line) => line.event === event);
}

/** The request log lines: one per response (src/http/envelope.ts). */
export function requestsLogged(): () => LogLine[] {
  return loggedLines((line) => line.method !== undefined);
}
