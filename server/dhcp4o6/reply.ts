import type { Binding } from "../alloc/allocator";
import type { Pool } from "../alloc/pool-spec";
import {
  DhcpMessageType,
  clientIdentifier,
  clientIdentifierOption,
  createBootReply,
  domainNameServersOption,
  leaseTimeOption,
  messageOption,
  messageTypeOption,
  parameterRequestList,
  parseIpv6,
  parseIpv6Prefix,
  portParamsOption,
  rebindingTimeOption,
  renewalTimeOption,
  requestsDhcpv6Option,
  routersOption,
  s46BindIpv6PrefixOption,
  s46BrOption,
  serverIdentifierOption,
  softwireSourceOption,
  subnetMaskOption,
  type Dhcp4o6Message,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type Dhcpv6Option,
} from "../wire";

const INFINITE = 0xffffffff;
/** RFC 7618 §4.4 design default for shared addresses: a /32, no router. */
const HOST_MASK = 0xffffffff;

/** Lease, T1 and T2 in seconds for a binding that runs until `expiresAt` (RFC 2131 §4.4.5). */
export function leaseTimers(pool: Pool, expiresAt: Date, now: number): { lease: number; renew: number; rebind: number } {
  if (pool.leaseTime >= INFINITE) return { lease: INFINITE, renew: INFINITE, rebind: INFINITE };
  const lease = Math.max(0, Math.round((expiresAt.getTime() - now) / 1000));
  // T1/T2 scaled to what is left, so a re-offered binding keeps T1 < T2 < lease.
  const scale = pool.leaseTime > 0 ? lease / pool.leaseTime : 0;
  return { lease, renew: Math.floor(pool.renewTime * scale), rebind: Math.floor(pool.rebindTime * scale) };
}

/**
 * The configuration options a pool gives, keyed by code. Subnet mask, routers and DNS servers
 * go out only when the client asked (option 55); shared pools default to a /32.
 */
function configurationOptions(pool: Pool): Map<number, Dhcpv4Option> {
  const out = new Map<number, Dhcpv4Option>();
  const mask = pool.subnetMask ?? (pool.kind === "SHARED" ? HOST_MASK : null);
  if (mask !== null) out.set(1, subnetMaskOption(mask));
  if (pool.routers.length > 0) out.set(3, routersOption(pool.routers));
  if (pool.dnsServers.length > 0) out.set(6, domainNameServersOption(pool.dnsServers));
  return out;
}

/**
 * Orders the reply's options: message type and server identifier first, then the lease
 * times, then what the client requested in the order of its option 55 (RFC 2132 §9.8), and
 * option 61 echoed when the client sent one (RFC 6842 §3).
 */
function assemble(request: Dhcpv4Message, head: Dhcpv4Option[], offered: Map<number, Dhcpv4Option>, always: Dhcpv4Option[] = []): Dhcpv4Option[] {
  const options = [...head];
  const prl = parameterRequestList(request);
  if (prl) {
    const place = (code: number) => {
      const option = offered.get(code);
      if (option) {
        options.push(option);
        offered.delete(code);
      }
    };
    for (const code of prl) {
      // RFC 2132 §3.3: with both in a reply, the subnet mask MUST come before the router option,
      // whatever the PRL's order (§9.8 only asks the server to "try" to follow it).
      if (code === 3 && offered.has(3) && prl.includes(1)) place(1);
      place(code);
    }
  }
  options.push(...always);
  const clientId = clientIdentifier(request);
  if (clientId && clientId.length >= 2) options.push(clientIdentifierOption(clientId));
  return options;
}

export interface LeaseReply {
  type: typeof DhcpMessageType.OFFER | typeof DhcpMessageType.ACK;
  binding: Binding;
  serverId: number;
  now: number;
  /** The softwire source to confirm in an ACK (RFC 8539 §8: every ACK carries 109). */
  softwireSource?: string | null;
}

/** DHCPOFFER or DHCPACK for a binding (RFC 2131 §4.3.1 Table 3). */
export function leaseReply(request: Dhcpv4Message, reply: LeaseReply): Dhcpv4Message {
  const { binding, serverId } = reply;
  const pool = binding.pool;
  const timers = leaseTimers(pool, binding.expiresAt, reply.now);
  const offered = configurationOptions(pool);
  // RFC 7618 §6 items 2 and 4: the port set goes with the address in every OFFER and ACK.
  if (binding.psid !== null) offered.set(159, portParamsOption({ offset: pool.psidOffset, psidLength: pool.psidLength, psid: binding.psid }));
  const always: Dhcpv4Option[] = [];
  if (reply.softwireSource) always.push(softwireSourceOption(parseIpv6(reply.softwireSource)!));
  const options = assemble(
    request,
    [
      messageTypeOption(reply.type),
      serverIdentifierOption(serverId),
      leaseTimeOption(timers.lease),
      renewalTimeOption(timers.renew),
      rebindingTimeOption(timers.rebind),
    ],
    offered,
    always,
  );
  // An ACK to a RENEWING/REBINDING client keeps its ciaddr (Table 3).
  return createBootReply(request, { yiaddr: binding.address, ciaddr: reply.type === DhcpMessageType.ACK ? request.ciaddr : 0, options });
}

/** DHCPNAK: no address, no lease time, no other parameters (RFC 2131 Table 3). */
export function nakReply(request: Dhcpv4Message, serverId: number, reason: string): Dhcpv4Message {
  const options = assemble(request, [messageTypeOption(DhcpMessageType.NAK), serverIdentifierOption(serverId), messageOption(reason)], new Map());
  return createBootReply(request, { options });
}

/**
 * DHCPACK to a DHCPINFORM: configuration only — no lease time, no yiaddr and, for a shared-address
 * client, no option 159 (protocol.md §4.4).
 */
export function informReply(request: Dhcpv4Message, serverId: number, pool: Pool | undefined): Dhcpv4Message {
  const offered = pool ? configurationOptions(pool) : new Map<number, Dhcpv4Option>();
  const options = assemble(request, [messageTypeOption(DhcpMessageType.ACK), serverIdentifierOption(serverId)], offered);
  return createBootReply(request, { ciaddr: request.ciaddr, options });
}

/**
 * DHCPv6-level options of the response: RFC 8539 §5 — the BR address (90) and the binding
 * prefix (137) when the query's ORO asked for them and the pool has them.
 */
export function softwireDhcpv6Options(query: Dhcp4o6Message, pool: Pool | undefined): Dhcpv6Option[] {
  if (!pool) return [];
  const options: Dhcpv6Option[] = [];
  const br = pool.brAddress ? parseIpv6(pool.brAddress) : undefined;
  if (br && requestsDhcpv6Option(query, 90)) options.push(s46BrOption(br));
  const prefix = pool.bindPrefix ? parseIpv6Prefix(pool.bindPrefix) : undefined;
  if (prefix && requestsDhcpv6Option(query, 137)) options.push(s46BindIpv6PrefixOption(prefix));
  return options;
}
