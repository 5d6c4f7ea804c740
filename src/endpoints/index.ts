/**
 * Every KeyAPI endpoint behind this service, by name: how a key's coordinator,
 * which is asked with plain data across RPC, finds the declaration it works for.
 */
import type { Endpoint, EndpointName } from "../domain/endpoint";
import { detailEndpoint } from "./detail";
import { listEndpoint } from "./list";

export const ENDPOINTS = { detail: detailEndpoint, list: listEndpoint } as const satisfies Record<
  EndpointName,
  Endpoint<never>
>;

/** The declaration behind a name that came across RPC; its query is the asker's, validated there. */
export function endpointNamed(name: EndpointName): Endpoint<unknown> {
  return ENDPOINTS[name] as Endpoint<unknown>;
}
