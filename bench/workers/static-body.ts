/**
 * The floors' answer: our trimmed payload for the documented example sound,
 * serialised once per isolate, so a floor pays for bytes on the wire exactly as
 * a cache hit does and for nothing else. The harness checks that its size still
 * matches what the production worker sends for the same sound.
 */
import payload from "../../test/fixtures/example-payload.json" with { type: "json" };

export const STATIC_BODY = JSON.stringify(payload);

export const JSON_HEADERS = { "Content-Type": "application/json" } as const;
