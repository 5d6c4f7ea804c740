/**
 * The webhook's body: `{ "items": [ { "clip_id", "period"?, "region"? } ] }`,
 * 1–25 items, each with the endpoint's rules and defaults.
 */
import * as z from "zod/mini";
import { invalidInput, MAX_ECHOED_NAME, type ParamError, ProblemError } from "../domain/problems";
import { PERIOD_RULE } from "../domain/query";
import { type SoundQuery, soundQueryParams, withDefaults } from "../domain/sound";
import { boundedText } from "../domain/text";

export const MAX_WEBHOOK_ITEMS = 25;
export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;

/** `period` as a JSON number (7) or the query's string form ("7"). */
const period = z.pipe(
  z.union([z.pipe(z.number(), z.transform(String)), z.string()], PERIOD_RULE),
  soundQueryParams.period,
);

export const webhookItemSchema = z.strictObject({
  // A string: a JSON number cannot carry a 19-digit id exactly.
  clip_id: z.pipe(z.string("must be a string of 1 to 20 decimal digits"), soundQueryParams.clip_id),
  period: z.optional(period),
  region: z.optional(z.pipe(z.string("must be a two-letter ISO 3166-1 country code"), soundQueryParams.region)),
});

export const webhookBodySchema = z.strictObject({
  items: z
    .array(webhookItemSchema, "must be an array of items")
    .check(
      z.minLength(1, "must hold at least one item"),
      z.maxLength(MAX_WEBHOOK_ITEMS, `must hold at most ${MAX_WEBHOOK_ITEMS} items`),
    ),
});

/** Parses raw JSON text into queries, or throws `invalid-body` listing every problem. */
export function parseWebhookBody(rawBody: string): SoundQuery[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new ProblemError("invalid-body", "The body is not valid JSON.", {
      errors: [{ param: "body", message: "is not valid JSON" }],
    });
  }
  const result = webhookBodySchema.safeParse(json);
  if (!result.success) {
    const errors: ParamError[] = result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ param: pathName([...issue.path, key]), message: "is not a known field" }))
        : [{ param: pathName(issue.path), message: issue.message }],
    );
    throw invalidInput("invalid-body", "Invalid body", errors);
  }
  return result.data.items.map((item) =>
    withDefaults({ clipId: item.clip_id, period: item.period, region: item.region }),
  );
}

/** `["items", 0, "clip_id"]` → `items[0].clip_id`; the body itself is `body`. */
function pathName(path: PropertyKey[]): string {
  if (path.length === 0) return "body";
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${boundedText(String(part), MAX_ECHOED_NAME)}`,
    )
    .join("");
}
