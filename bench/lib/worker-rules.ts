/**
 * The worker's own rules the bench computes its expectations from, so that a
 * scenario's target is what the worker promises, not a second copy of it.
 * Node cannot load src/ as it is (extensionless imports): load this module with
 * `workerRules()`, never with a static import.
 */
export { DEFAULT_LIST_PAGE_SIZE, MAX_CHART_DEPTH, MAX_CHART_LIMIT, upstreamPages } from "../../src/domain/chart";
export { PERIODS } from "../../src/domain/query";
export { REGION_CODES } from "../../src/domain/regions";
