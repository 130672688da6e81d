/**
 * A lease as the client holds it, made from a DHCPACK (RFC 2131 §4.4.1, §4.4.5; RFC 7618 §7;
 * RFC 8539 §7), and the times at which the client acts on it.
 */
import {
  decodeS46BindIpv6Prefix,
  decodeS46Br,
  domainNameServers,
  formatIpv6,
  getDhcpv6Option,
  leaseTime,
  portParams,
  rebindingTime,
  renewalTime,
  routers,
  serverIdentifier,
  softwireSource,
  subnetMask,
  type Dhcpv4Message,
  type Dhcpv6Option,
  type PortParams,
} from "../wire";
import type { Endpoint } from "./transport";

/** 0xffffffff seconds: an infinite lease [RFC 2131 §3.3]. */
export const INFINITE_SECONDS = 0xffffffff;

/** RFC 8539 softwire information of a lease. */
export interface SoftwireInfo {
  /** The IPv6 source the client sent in option 109. */
  sent: string;
  /** Option 109 of the ACK: the source the server bound (RFC 8539 §8: every ACK carries it). */
  returned?: string;
  /** OPTION_S46_BR (90) of the response. */
  br?: string;
  /** OPTION_S46_BIND_IPV6_PREFIX (137), "prefix/len". */
  bindPrefix?: string;
}

export interface Lease {
  address: number;
  /** Option 159 of the ACK; undefined (or PSID length 0) = a full address [RFC 7618 §7, §9]. */
  portParams?: PortParams;
  /** Option 54 of the ACK. */
  serverId: number;
  /** Where the ACK came from: RENEWING requests and the RELEASE go there. */
  server: Endpoint;
  /** Seconds; INFINITE_SECONDS = infinite. */
  leaseSeconds: number;
  /** T1 and T2 in seconds as the client uses them (server values, defaults, or overrides). */
  t1Seconds: number;
  t2Seconds: number;
  /** When the lease started: the time the REQUEST that got this ACK was first sent [RFC 2131 §4.4.1]. */
  boundAt: number;
  subnetMask?: number;
  routers?: number[];
  dnsServers?: number[];
  softwire?: SoftwireInfo;
}

/** T1 / T2 the user wants instead of the server's (--renew-after, --rebind-after). */
export interface TimerOverrides {
  renewAfterSeconds?: number;
  rebindAfterSeconds?: number;
}

/** Whether the lease is a shared address: a 159 with a non-zero PSID length [RFC 7618 §9]. */
export function isSharedLease(lease: { portParams?: PortParams }): boolean {
  return lease.portParams !== undefined && lease.portParams.psidLength > 0;
}

/**
 * T1 and T2: the override, else the server's option 58/59, else 0.5 and 0.875 of the lease
 * [RFC 2131 §4.4.5]. Server values that break T1 < T2 < lease fall back to the defaults.
 */
export function leaseTimers(leaseSeconds: number, serverT1: number | undefined, serverT2: number | undefined, overrides: TimerOverrides = {}): { t1: number; t2: number } {
  if (leaseSeconds === INFINITE_SECONDS) return { t1: INFINITE_SECONDS, t2: INFINITE_SECONDS };
  let t2 = serverT2 !== undefined && serverT2 < leaseSeconds ? serverT2 : Math.floor(leaseSeconds * 0.875);
  let t1 = serverT1 !== undefined && serverT1 < t2 ? serverT1 : Math.floor(leaseSeconds * 0.5);
  if (overrides.rebindAfterSeconds !== undefined) t2 = overrides.rebindAfterSeconds;
  if (overrides.renewAfterSeconds !== undefined) t1 = overrides.renewAfterSeconds;
  return { t1, t2 };
}

/**
 * The client's schedule: when it starts RENEWING, REBINDING, and when the lease is gone.
 * A step is left out (undefined) when it would not come before the next one: T1 >= T2 skips
 * RENEWING, T2 >= lease skips REBINDING; an infinite lease has no step at all.
 */
export function leaseSchedule(lease: Lease): { renewAt?: number; rebindAt?: number; expiresAt?: number } {
  if (lease.leaseSeconds === INFINITE_SECONDS) return {};
  const expiresAt = lease.boundAt + lease.leaseSeconds * 1000;
  const rebindAt = lease.t2Seconds < lease.leaseSeconds ? lease.boundAt + lease.t2Seconds * 1000 : undefined;
  const renewAt = lease.t1Seconds < Math.min(lease.t2Seconds, lease.leaseSeconds) ? lease.boundAt + lease.t1Seconds * 1000 : undefined;
  return { renewAt, rebindAt, expiresAt };
}

/** When the lease ends (ms), Infinity for an infinite lease. */
export function leaseExpiresAt(lease: Lease): number {
  return lease.leaseSeconds === INFINITE_SECONDS ? Infinity : lease.boundAt + lease.leaseSeconds * 1000;
}

/** The BR address (90) and binding prefix (137) of a DHCPV4-RESPONSE, when present and valid. */
export function softwireOptionsOf(options: readonly Dhcpv6Option[]): { br?: string; bindPrefix?: string } {
  const out: { br?: string; bindPrefix?: string } = {};
  const br = getDhcpv6Option({ options }, 90);
  if (br !== undefined) {
    try {
      out.br = formatIpv6(decodeS46Br(br));
    } catch {
      // RFC 8539 §7.1: an invalid 90 is as good as none.
    }
  }
  const prefix = getDhcpv6Option({ options }, 137);
  if (prefix !== undefined) {
    try {
      const p = decodeS46BindIpv6Prefix(prefix);
      out.bindPrefix = `${formatIpv6(p.prefix)}/${p.prefixLength}`;
    } catch {
      // RFC 8539 §7.4: an invalid 137 is ignored.
    }
  }
  return out;
}

export interface AckContext {
  from: Endpoint;
  /** When the REQUEST was first sent. */
  requestSentAt: number;
  overrides?: TimerOverrides;
  /** The softwire source the client sent (RFC 8539), as text. */
  softwireSent?: string;
  /** DHCPv6 options of the response (90, 137). */
  dhcpv6Options: readonly Dhcpv6Option[];
}

/**
 * The lease a DHCPACK grants. The port set is the ACK's own 159 — the client MUST use the
 * PSID it was given, and an ACK without 159 makes it a full-address client [RFC 7618 §7].
 * A missing lease time (against RFC 2131 Table 3) is read as 0: nothing to hold.
 */
export function leaseFromAck(ack: Dhcpv4Message, ctx: AckContext): Lease {
  const leaseSeconds = leaseTime(ack) ?? 0;
  const { t1, t2 } = leaseTimers(leaseSeconds, renewalTime(ack), rebindingTime(ack), ctx.overrides);
  const params = portParams(ack);
  const lease: Lease = {
    address: ack.yiaddr,
    portParams: params && params.psidLength > 0 ? params : undefined,
    serverId: serverIdentifier(ack) ?? 0,
    server: ctx.from,
    leaseSeconds,
    t1Seconds: t1,
    t2Seconds: t2,
    boundAt: ctx.requestSentAt,
  };
  const mask = subnetMask(ack);
  if (mask !== undefined) lease.subnetMask = mask;
  const r = routers(ack);
  if (r) lease.routers = r;
  const dns = domainNameServers(ack);
  if (dns) lease.dnsServers = dns;
  if (ctx.softwireSent !== undefined) {
    const returned = softwireSource(ack);
    lease.softwire = { sent: ctx.softwireSent, ...softwireOptionsOf(ctx.dhcpv6Options) };
    if (returned) lease.softwire.returned = formatIpv6(returned);
  }
  return lease;
}
