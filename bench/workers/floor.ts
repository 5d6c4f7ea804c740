/**
 * Bench baseline "floor" (never shipped): the static body and nothing else.
 * The fastest any worker can answer in this runtime on this machine.
 */
import { JSON_HEADERS, STATIC_BODY } from "./static-body";

export default {
  fetch() {
    return new Response(STATIC_BODY, { headers: JSON_HEADERS });
  },
} satisfies ExportedHandler;
