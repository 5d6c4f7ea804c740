/**
 * A fake KeyAPI for tests: the project's mock KeyAPI, answering the worker's
 * fetch() calls in-process. It records every request so tests can count upstream
 * calls and read the exact URL and headers that left the worker.
 */
import { afterEach, vi } from "vitest";
import { createMockKeyApi } from "../../mock/keyapi";
import { TEST_KEYAPI_BASE_URL, TEST_KEYAPI_KEY } from "./constants";

export type FakeKeyApi = ReturnType<typeof fakeKeyApi>;

/**
 * Replaces global fetch for the current test.
 *
 * @example const upstream = fakeKeyApi(); … expect(upstream.calls).toBe(1)
 * @param respond optional handler instead of the mock, for hand-made answers
 */
export function fakeKeyApi(respond?: (request: Request) => Response | Promise<Response>) {
  const mock = createMockKeyApi({ apiKey: TEST_KEYAPI_KEY });
  const requests: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${TEST_KEYAPI_BASE_URL}/`)) {
      throw new Error(`unexpected outbound fetch to ${request.url}`);
    }
    requests.push(request.clone());
    return respond ? respond(request) : mock.fetch(request);
  });
  return {
    mock,
    requests,
    get calls() {
      return requests.length;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});
