/** Worker entry: one app per isolate, so in-isolate state lives as long as the isolate. */
import { createApp } from "./app";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
