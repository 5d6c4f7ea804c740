import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_KEYAPI_BASE_URL, TEST_KEYAPI_KEY } from "./test/support/constants.ts";

// wrangler checks `secrets.required` against the environment; the tests' key is fake.
process.env.KEYAPI_API_KEY = TEST_KEYAPI_KEY;

export default defineConfig({
  test: {
    // Request log lines only for failing tests.
    silent: "passed-only",
    // The usual console output, plus a JSON summary that .ci/run turns into one closing line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    projects: [
      {
        // The worker, inside workerd.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { KEYAPI_BASE_URL: TEST_KEYAPI_BASE_URL, KEYAPI_API_KEY: TEST_KEYAPI_KEY },
              // Safety net: tests stub fetch() with the mock KeyAPI; anything that still
              // leaves the worker is refused here, so no test can reach a real host.
              outboundService(request: Request) {
                console.error(`blocked outbound fetch in tests: ${request.method} ${request.url}`);
                return new Response("outbound fetch blocked in tests", { status: 599 });
              },
            },
          }),
        ],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/node/**"] },
      },
      {
        // From the outside, in Node: the running worker over HTTP (browser, bench smoke, mock server).
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
    ],
  },
});
