// Node-side code (scripts/openapi.ts, test/node/) imports src/ modules that name the
// Worker's `Env` in their types but never builds one. The real `Env` comes from
// worker-configuration.d.ts, whose runtime types clash with Node's and the DOM's;
// `tsc -p .` checks src/ against it.
interface Env {
  readonly [binding: string]: unknown;
}
