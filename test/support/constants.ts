/** Shared by vitest.config.ts (Node) and the tests (workerd): the fake upstream's identity. */
export const TEST_KEYAPI_BASE_URL = "https://keyapi.test";
export const TEST_KEYAPI_KEY = "sk-test-3f9a1c7e5b2d4086";
