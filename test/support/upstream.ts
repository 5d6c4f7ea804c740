/**
 * A fake KeyAPI for tests: the project's mock KeyAPI, answering the worker's
 * fetch() calls in-process. It records every request so tests can count upstream
 * calls and read the exact URL and headers that left the worker.
 */
import { afterEach, vi } from "vitest";
import { createMockKeyApi, type MockKeyApi } from "../../mock/keyapi";
import { TEST_KEYAPI_BASE_URL, TEST_KEYAPI_KEY } from "./constants";

export type FakeKeyApi = ReturnType<typeof fakeKeyApi>;

type Handler = (request: Request) => Response | Promise<Response>;

/**
 * A request a receiver got, as plain data: it may have been sent from a Durable
 * Object, whose request bodies cannot be read from the test's context.
 */
export type Received = { method: string; url: string; headers: Record<string, string>; body: string };

/**
 * Replaces global fetch for the current test.
 *
 * @example const upstream = fakeKeyApi(); … expect(upstream.calls).toBe(1)
 * @param respond optional handler instead of the mock, for hand-made answers (it may hand a request on to `mock`)
 * @param receivers other hosts the worker may reach (a webhook receiver), by origin; what they get
 *   is in `received`, apart from KeyAPI's `requests`. Every other host is still refused.
 */
export function fakeKeyApi(
  respond?: (request: Request, mock: MockKeyApi) => Response | Promise<Response>,
  receivers: Record<string, Handler> = {},
) {
  const mock = createMockKeyApi({ apiKey: TEST_KEYAPI_KEY });
  const requests: Request[] = [];
  const received: Received[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const receiver = receivers[new URL(request.url).origin];
    if (receiver && new URL(request.url).origin !== TEST_KEYAPI_BASE_URL) {
      const { method, url } = request;
      received.push({ method, url, headers: Object.fromEntries(request.headers), body: await request.clone().text() });
      return receiver(request);
    }
    if (!request.url.startsWith(`${TEST_KEYAPI_BASE_URL}/`)) {
      throw new Error(`unexpected outbound fetch to ${request.url}`);
    }
    requests.push(request.clone());
    return respond ? respond(request, mock) : mock.fetch(request);
  });
  return {
    mock,
    requests,
    received,
    get calls() {
      return requests.length;
    },
    /** Calls made for one clip id. */
    callsFor(clipId: string) {
      return requests.filter((request) => clipIdOf(request) === clipId).length;
    },
  };
}

/** The `clip_id` a request to KeyAPI asks for. */
export function clipIdOf(request: Request): string {
  return new URL(request.url).searchParams.get("clip_id") ?? "";
}

/** KeyAPI's answer refusing an input: its envelope, with `code` the HTTP status or (HTTP 200) inside the envelope. */
export function refusal(status: number, options: { inEnvelope?: boolean } = {}): Response {
  const envelope = { code: status, message: "Invalid parameter", data: null };
  return Response.json(envelope, { status: options.inEnvelope ? 200 : status });
}

afterEach(() => {
  vi.restoreAllMocks();
});
