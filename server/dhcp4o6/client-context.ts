import type { ClientIdentity, PoolSelector } from "../alloc/allocator";
import { clientIdentifier, formatIpv6, interfaceId, softwireSource, type Dhcp4o6Request } from "../wire";

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/** Everything the allocator needs to know about the sender of a 4o6 query. */
export interface ClientContext {
  identity: ClientIdentity;
  selector: PoolSelector;
  /** Whether the client sent option 61 (RFC 7618 §6: required for a shared address). */
  hasClientId: boolean;
}

/**
 * The client's identity: option 61 when sent (RFC 4361 §6.3: servers MUST use it), else
 * htype + chaddr in option 61's own form, the fallback RFC 4361 §6.4 keeps for old clients.
 * Its IPv6 address: the RFC 8539 softwire source when sent, else the address the query came
 * from (the innermost relay's peer-address for relayed queries).
 */
export function clientContext(request: Dhcp4o6Request, datagramSource: string, relays = relayAddresses(request)): ClientContext {
  const v4 = request.dhcpv4;
  const option61 = clientIdentifier(v4);
  const chaddr = v4.chaddr.subarray(0, Math.min(v4.hlen, 16));
  const clientId = option61 ? hex(option61) : hex(Uint8Array.of(v4.htype, ...chaddr));
  const hwAddress = chaddr.length > 0 ? [...chaddr].map((b) => b.toString(16).padStart(2, "0")).join(":") : null;
  const softwire = softwireSource(v4);
  const innermost = request.relays[0];
  const clientAddress = relays[0]?.peerAddress ?? datagramSource;

  return {
    hasClientId: option61 !== undefined,
    identity: {
      clientId,
      hwAddress,
      ipv6Address: softwire && softwire.length === 16 ? formatIpv6(softwire) : clientAddress,
      softwireSource: softwire !== undefined && softwire.length === 16,
      relayInfo: relays.length > 0 ? JSON.stringify(relays) : null,
    },
    selector: {
      sourceAddress: datagramSource,
      linkAddress: innermostGlobalLinkAddress(request, relays),
      interfaceId: innermost && interfaceId(innermost) ? hex(interfaceId(innermost)!) : null,
    },
  };
}

/** One relay of the chain as the console shows it (and lease.relay_info stores it). */
export interface RelayAddresses {
  hopCount: number;
  linkAddress: string;
  peerAddress: string;
  interfaceId?: string;
}

/** The relay chain in text, innermost (next to the client) first; each address formatted once per query. */
export function relayAddresses(request: Dhcp4o6Request): RelayAddresses[] {
  return request.relays.map((r) => ({
    hopCount: r.hopCount,
    linkAddress: formatIpv6(r.linkAddress),
    peerAddress: formatIpv6(r.peerAddress),
    interfaceId: interfaceId(r) ? hex(interfaceId(r)!) : undefined,
  }));
}

/**
 * RFC 7341 §11: a relayed query's link-address identifies the client's link. Relays that relay
 * another relay set it to :: (RFC 8415 §19.1.2), and a link-local one says nothing global, so
 * the first usable one from the client outwards is taken.
 */
function innermostGlobalLinkAddress(request: Dhcp4o6Request, relays: readonly RelayAddresses[]): string | null {
  for (let i = 0; i < request.relays.length; i++) {
    const a = request.relays[i]!.linkAddress;
    const unspecified = a.every((b) => b === 0);
    const linkLocal = a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
    if (!unspecified && !linkLocal) return relays[i]!.linkAddress;
  }
  return null;
}
