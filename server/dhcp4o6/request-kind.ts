import { requestedIpAddress, serverIdentifier, type Dhcpv4Message } from "../wire";

/** The client states a DHCPREQUEST can come from (RFC 2131 §4.3.2). */
export type RequestKind = "selecting" | "init-reboot" | "renewing" | "rebinding";

/**
 * Classifies a DHCPREQUEST by RFC 2131 §4.3.2 Table 4; in 4o6 the U flag tells RENEWING
 * (would have been unicast) from REBINDING (broadcast), RFC 7341 §8. Null: an invalid mix.
 */
export function classifyRequest(request: Dhcpv4Message, unicast: boolean): RequestKind | null {
  const serverId = serverIdentifier(request);
  const requested = requestedIpAddress(request);
  if (serverId !== undefined) return requested !== undefined && request.ciaddr === 0 ? "selecting" : null;
  if (requested !== undefined) return request.ciaddr === 0 ? "init-reboot" : null;
  if (request.ciaddr !== 0) return unicast ? "renewing" : "rebinding";
  return null;
}
