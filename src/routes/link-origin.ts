/**
 * The origin of the links the service writes about itself (embed page, oEmbed) into cacheable answers:
 * `PUBLIC_URL` when set. Otherwise the request's own origin, which comes from the Host header the client
 * sent, so those answers vary by Host and must say so to caches.
 */
import type { Config } from "../config";

/** `PUBLIC_URL`, or the origin of `requestUrl` (parsed only then: a hit with `PUBLIC_URL` builds no URL object). */
export function linkOrigin(config: Config, requestUrl: string): string {
  return config.publicUrl ?? new URL(requestUrl).origin;
}

/** Adds `Vary: Host` to a cacheable answer's headers when its links come from the request. */
export function varyByLinkOrigin(config: Config, headers: Record<string, string>): void {
  if (!config.publicUrl) headers.Vary = "Host";
}
