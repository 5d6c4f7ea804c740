/**
 * Where the credit ledger sends its budget alerts: `ALERT_WEBHOOK_URL` and
 * `ALERT_WEBHOOK_SECRET`, read by the worker's configuration (for the admin
 * config answer) and on their own by the ledger object, from its env.
 */
import * as z from "zod/mini";
import { decodeSigningSecret } from "../webhook/standard";

/** The receiver, and the Standard Webhooks key when `ALERT_WEBHOOK_SECRET` is set. */
export type AlertTarget = { url: string; key: Uint8Array<ArrayBuffer> | undefined };

const nonBlank = z.string().check(z.trim(), z.minLength(1, "must not be empty"));

/** Any http(s) URL, query included (automation platforms put their hook's id there). */
const webhookUrl = z.pipe(
  nonBlank,
  z.transform((value, ctx) => {
    const url = URL.parse(value);
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      ctx.issues.push({ code: "custom", message: "must be an http(s) URL", input: value });
      return z.NEVER;
    }
    return url.href;
  }),
);

/** A Standard Webhooks key, `whsec_` + base64, read as the reference libraries read it. */
const signingSecret = z.pipe(
  nonBlank,
  z.transform((value, ctx) => {
    const key = decodeSigningSecret(value);
    if (!key || key.length < 16) {
      ctx.issues.push({ code: "custom", message: "must be whsec_ + base64 of at least 16 bytes", input: value });
      return z.NEVER;
    }
    return key;
  }),
);

/** The budget alerts' settings: part of the worker's configuration, and read on their own by the ledger object. */
export const alertEnvSchema = z.object({
  ALERT_WEBHOOK_URL: z.optional(webhookUrl),
  ALERT_WEBHOOK_SECRET: z.optional(signingSecret),
});

/**
 * The budget alerts' receiver, from an env of its own (the ledger object's):
 * `undefined` without `ALERT_WEBHOOK_URL`, or when the settings are invalid (logged).
 */
export function alertTarget(env: object): AlertTarget | undefined {
  const result = alertEnvSchema.safeParse(env);
  if (!result.success) {
    // Names and rules only: the values may be secrets.
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    console.error(JSON.stringify({ level: "error", message: "invalid alert configuration", problems }));
    return undefined;
  }
  return alertTargetOf(result.data);
}

export function alertTargetOf(vars: z.output<typeof alertEnvSchema>): AlertTarget | undefined {
  const url = vars.ALERT_WEBHOOK_URL;
  return url === undefined ? undefined : { url, key: vars.ALERT_WEBHOOK_SECRET };
}
