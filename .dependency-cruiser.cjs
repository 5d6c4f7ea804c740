/**
 * The layout's rules, checked by `npm run lint` (see "Project layout" in the README):
 * the request path runs down from the entry and the routes to `domain/`, the ground
 * floor, and no arrow runs back up.
 */
/** Everything below the routes and the HTTP layer: the request path's lower floors. */
const BELOW_ROUTES = "^src/(cache|coordinator|ledger|webhook|embed|endpoints|keyapi|domain|util)/|^src/config\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "An import cycle makes the order of module start-up matter and hides which layer owns what.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "domain-is-the-ground-floor",
      comment: "domain/ is pure: it imports only zod and itself.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { pathNot: ["^src/domain/", "(^|/)node_modules/zod/"] },
    },
    {
      name: "keyapi-speaks-only-keyapi",
      comment: "keyapi/ (KeyAPI's HTTP and envelope) stands on domain/ alone.",
      severity: "error",
      from: { path: "^src/keyapi/" },
      to: { pathNot: ["^src/(keyapi|domain)/", "(^|/)node_modules/zod/"] },
    },
    {
      name: "nothing-below-routes-looks-up",
      comment: "The caches, the Durable Objects, the endpoints and the renderers know nothing of routes or HTTP.",
      severity: "error",
      from: { path: BELOW_ROUTES },
      to: { path: ["^src/routes/", "^src/http/", "^src/app\\.ts$", "^src/index\\.ts$", "^src/app-env\\.ts$"] },
    },
    {
      name: "no-orphans",
      comment: "A module nothing imports is dead code (the entry, the OpenAPI builder and type declarations aside).",
      severity: "error",
      from: {
        orphan: true,
        pathNot: ["^src/index\\.ts$", "^src/openapi\\.ts$", "\\.d\\.ts$"],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
