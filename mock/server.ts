/**
 * The mock KeyAPI as a Node HTTP server on 127.0.0.1, for `npm run dev` and
 * the benchmark. Run alone: `npm run mock` (MOCK_PORT, MOCK_LATENCY_MS).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMockKeyApi, type MockKeyApi } from "./keyapi.ts";

export type RunningMock = { url: string; mock: MockKeyApi; server: Server; close: () => Promise<void> };

export async function startMockServer(options: { port?: number; latencyMs?: number } = {}): Promise<RunningMock> {
  const mock = createMockKeyApi({ latencyMs: options.latencyMs });
  const server = createServer(async (req, res) => {
    const aborted = new AbortController();
    res.on("close", () => aborted.abort(new Error("client went away")));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, {
        method: req.method,
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
        ),
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        signal: aborted.signal,
      });
      const response = await mock.fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    mock,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.main) {
  const running = await startMockServer({
    port: Number(process.env.MOCK_PORT ?? 8788),
    latencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0),
  });
  console.log(`mock KeyAPI listening on ${running.url}`);
}
