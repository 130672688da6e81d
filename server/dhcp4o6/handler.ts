import type { Logger } from "pino";
import type { Allocator, Binding, ClientIdentity, PoolState, SlotRequest } from "../alloc/allocator";
import { DatabaseUnavailable } from "../alloc/database-unavailable";
import {
  DecodeError,
  DhcpMessageType,
  EncodeError,
  decodeDhcp4o6Request,
  encodeDhcp4o6Response,
  formatIpv4,
  maxMessageSize,
  portParams,
  relayPort,
  requestedIpAddress,
  requestsOption,
  serverIdentifier,
  type Dhcp4o6Request,
  type Dhcpv4Message,
  type Dhcpv6Option,
  type PortParams,
} from "../wire";
import { clientContext, relayAddresses, type ClientContext } from "./client-context";
import { RateLimiter } from "./rate-limit";
import type { DatagramHandler, DatagramSource, HandlingResult } from "./datagram-handler";
import { informReply, leaseReply, nakReply, softwireDhcpv6Options } from "./reply";
import { classifyRequest } from "./request-kind";

export interface Dhcp4o6HandlerOptions {
  allocator: Allocator;
  /** Option 54 of every reply (protocol.md §3.6: a configured IPv4 server identifier). */
  serverId: number;
  log: Pick<Logger, "debug" | "warn" | "isLevelEnabled">;
  now?: () => number;
  /**
   * UDP port a direct (unrelayed) query is answered on: the DHCPv6 client port 546 (RFC 8415
   * §7.2; protocol.md §3.5 step 10 and §3.9), whatever port the query came from. Tests, which
   * cannot bind 546, point it at their own socket.
   */
  clientPort?: number;
  /**
   * UDP port a relayed query is answered on when its outermost relay sent no option 135: the
   * server/relay port 547 (RFC 8415 §7.2, RFC 8357 §5.2). Configurable for the same reason.
   */
  relayPort?: number;
  /** Queries per second (and burst) accepted from one client address; none when absent. */
  rateLimit?: { perSecond: number; burst: number };
}

const TYPE_NAMES: Record<number, string> = {
  1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM",
};
const V6_TYPE_NAMES: Record<number, string> = { 12: "RELAY-FORW", 13: "RELAY-REPL", 20: "DHCPV4-QUERY", 21: "DHCPV4-RESPONSE" };

/** The DHCPv6 client port: direct replies go there (RFC 8415 §7.2). */
const CLIENT_PORT = 546;
/** The DHCPv6 server/relay port: relayed replies go there unless the relay says otherwise (RFC 8357). */
const RELAY_PORT = 547;

/** What one exchange decided, before it is encoded. */
type Outcome =
  | { kind: "reply"; dhcpv4: Dhcpv4Message; options?: Dhcpv6Option[]; note: string }
  | { kind: "silent"; reason: string }
  | { kind: "drop"; reason: string };

/**
 * The 4o6 protocol handler (RFC 7341, RFC 7618, RFC 8539 on RFC 2131): one DHCPV4-QUERY in,
 * zero or one DHCPV4-RESPONSE out. It decides; the allocator keeps the leases.
 */
export function createDhcp4o6Handler(options: Dhcp4o6HandlerOptions): DatagramHandler {
  const now = options.now ?? Date.now;
  const ports = { client: options.clientPort ?? CLIENT_PORT, relay: options.relayPort ?? RELAY_PORT };
  const rateLimiter = options.rateLimit ? new RateLimiter(options.rateLimit.perSecond, options.rateLimit.burst, now) : undefined;
  let lastOutageLog = 0;

  return {
    async handle(datagram: Buffer, source: DatagramSource): Promise<HandlingResult> {
      let request: Dhcp4o6Request;
      try {
        request = decodeDhcp4o6Request(datagram);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        return { kind: "drop", reason: `decode:${error.code}`, receivedType: V6_TYPE_NAMES[datagram[0] ?? -1] ?? "dhcpv6-other" };
      }
      const v4 = request.dhcpv4;
      const type = v4.options.length > 0 ? (v4.options.find((o) => o.code === 53)?.data[0] ?? 0) : 0;
      const receivedType = TYPE_NAMES[type] ?? (type === 0 ? "BOOTP" : `type-${type}`);
      const relays = relayAddresses(request);
      // Per client, not per datagram source: behind a relay, every subscriber shares its address.
      const clientAddress = relays[0]?.peerAddress ?? source.address;
      if (rateLimiter && !rateLimiter.allow(clientAddress)) return { kind: "drop", reason: "rate-limited", receivedType };

      let outcome: Outcome;
      try {
        outcome = await exchange(request, clientContext(request, source.address, relays), type);
      } catch (error) {
        if (error instanceof DatabaseUnavailable) {
          // No reply without a commit; the client retransmits, and we answer once the database is back.
          if (now() - lastOutageLog > 10_000) {
            lastOutageLog = now();
            options.log.warn({ error: error.message }, "lease database unavailable: dropping queries until it returns");
          }
          return { kind: "drop", reason: "database-unavailable", receivedType };
        }
        // A malformed option met while reading the request (e.g. a bad 159) is bad input too.
        if (!(error instanceof DecodeError)) throw error;
        return { kind: "drop", reason: `decode:${error.code}`, receivedType };
      }

      const client = request.dhcpv4.chaddr;
      if (outcome.kind === "drop") return { kind: "drop", reason: outcome.reason, receivedType };
      if (outcome.kind === "silent") {
        options.log.debug({ type: receivedType, from: source.address, outcome: outcome.reason }, "4o6 exchange without reply");
        return { kind: "no-reply", reason: outcome.reason, receivedType };
      }
      let bytes: Uint8Array;
      try {
        const limit = maxMessageSize(v4);
        bytes = encodeDhcp4o6Response({
          dhcpv4: outcome.dhcpv4,
          dhcpv4Layout: limit !== undefined && limit >= 576 ? { maxLength: limit } : undefined,
          options: outcome.options,
          relays: request.relays,
        });
      } catch (error) {
        if (!(error instanceof EncodeError)) throw error;
        options.log.warn({ type: receivedType, error: error.message }, "4o6 reply could not be encoded");
        return { kind: "drop", reason: "encode-error", receivedType };
      }
      const sentType = TYPE_NAMES[outcome.dhcpv4.options[0]?.data[0] ?? 0] ?? "unknown";
      // The details cost a few microseconds to format: only when someone reads them.
      if (options.log.isLevelEnabled("debug")) {
        options.log.debug(
          { type: receivedType, reply: sentType, from: source.address, chaddr: Buffer.from(client.subarray(0, 6)).toString("hex"), yiaddr: formatIpv4(outcome.dhcpv4.yiaddr), note: outcome.note },
          "4o6 exchange",
        );
      }
      return { kind: "reply", bytes, ...destination(request, source, ports), receivedType, sentType };
    },
  };

  async function exchange(request: Dhcp4o6Request, ctx: ClientContext, type: number): Promise<Outcome> {
    const v4 = request.dhcpv4;
    if (v4.op !== 1) return { kind: "drop", reason: "not-bootrequest" };
    if (type === 0) return { kind: "drop", reason: "bootp-not-served" };
    switch (type) {
      case DhcpMessageType.DISCOVER:
        return discover(request, ctx);
      case DhcpMessageType.REQUEST:
        return dhcpRequest(request, ctx);
      case DhcpMessageType.DECLINE:
        return decline(v4, ctx);
      case DhcpMessageType.RELEASE:
        return release(v4, ctx);
      case DhcpMessageType.INFORM:
        return inform(request, ctx);
      default:
        return { kind: "drop", reason: "not-a-client-message" };
    }
  }

  /** The pools a client may get an address from: shared ones only when it asked (RFC 7618 §8.1) and identified itself (§6). */
  function candidatesFor(ctx: ClientContext, wantsShared: boolean): { shared: PoolState[]; dedicated: PoolState[] } {
    const pools = options.allocator.poolsFor(ctx.selector);
    return { shared: wantsShared && ctx.hasClientId ? pools.shared : [], dedicated: pools.dedicated };
  }

  async function discover(request: Dhcp4o6Request, ctx: ClientContext): Promise<Outcome> {
    const v4 = request.dhcpv4;
    const wantsShared = requestsOption(v4, 159);
    const { shared, dedicated } = candidatesFor(ctx, wantsShared);
    if (shared.length === 0 && dedicated.length === 0) {
      // RFC 7618 §8.1: a client that did not ask for a shared address, where only shared pools
      // exist, MUST NOT get one, and gets no answer.
      const any = options.allocator.poolsFor(ctx.selector);
      if (any.shared.length > 0) return { kind: "silent", reason: wantsShared ? "shared-needs-client-id" : "only-shared-pools" };
      return { kind: "drop", reason: "no-pool" };
    }
    const hint = discoverHint(v4);
    let binding: Binding | null = null;
    if (shared.length > 0) binding = await options.allocator.offer(ctx.identity, shared, hint);
    if (!binding && dedicated.length > 0) binding = await options.allocator.offer(ctx.identity, dedicated, hint);
    if (!binding) return { kind: "drop", reason: "pool-exhausted" };
    const dhcpv4 = leaseReply(v4, { type: DhcpMessageType.OFFER, binding, serverId: options.serverId, now: now() });
    return { kind: "reply", dhcpv4, options: softwireDhcpv6Options(request.query, binding.pool), note: "offer" };
  }

  /** RFC 7618 §8 step 3: option 50 with the PSID of a 159 hint of the pool's own layout. */
  function discoverHint(v4: Dhcpv4Message): SlotRequest | undefined {
    const address = requestedIpAddress(v4);
    if (address === undefined) return undefined;
    const hint = portParams(v4);
    const pool = options.allocator.poolOfAddress(address)?.pool;
    const psid = hint && pool && hint.psidLength === pool.psidLength && hint.offset === pool.psidOffset ? hint.psid : null;
    return { address, psid };
  }

  async function dhcpRequest(request: Dhcp4o6Request, ctx: ClientContext): Promise<Outcome> {
    const v4 = request.dhcpv4;
    const kind = classifyRequest(v4, request.query.unicast);
    if (!kind) return { kind: "drop", reason: "request-state-unclear" };
    const allocator = options.allocator;
    if (kind === "selecting" && serverIdentifier(v4) !== options.serverId) {
      await allocator.abandonOffer(ctx.identity);
      return { kind: "silent", reason: "selecting-other-server" };
    }
    const address = kind === "selecting" || kind === "init-reboot" ? requestedIpAddress(v4)! : v4.ciaddr;
    const sent = portParams(v4);
    const { shared, dedicated } = candidatesFor(ctx, requestsOption(v4, 159) || sent !== undefined);
    const pool = allocator.poolOfAddress(address)?.pool;
    const nak = (reason: string): Outcome => ({ kind: "reply", dhcpv4: nakReply(v4, options.serverId, reason), note: `nak: ${reason}` });
    // RFC 2131 §3.2 item 2, §4.3.2: a REBINDING client broadcasts to every server; one whose address
    // we do not administer may hold it from another server, so we stay out of it.
    if (kind === "rebinding" && !pool) return { kind: "silent", reason: "rebinding-foreign-address" };

    // The 159 a client sends back must be its lease's own layout (protocol.md §4.4: wrong PSID → NAK).
    if (sent && pool && (sent.offset !== pool.psidOffset || sent.psidLength !== pool.psidLength)) {
      return nak(`port set ${describe(sent)} does not match this pool's layout`);
    }
    const slot: SlotRequest = { address, psid: sent && sent.psidLength > 0 ? sent.psid : null };

    // RFC 8539 §8.2: a softwire source already bound to another client's active lease is never stored.
    const identity: ClientIdentity = { ...ctx.identity };
    let softwireSource = identity.softwireSource ? identity.ipv6Address : null;
    if (identity.softwireSource && identity.ipv6Address && allocator.softwireHolder(identity.ipv6Address, identity.clientId)) {
      const own = allocator.leaseOf(identity.clientId);
      if (!own || !(own.state === "BOUND" && own.expiresAt > now())) return nak("softwire source address is in use by another subscriber");
      identity.ipv6Address = own.ipv6Address;
      identity.softwireSource = own.softwireSource;
      softwireSource = own.softwireSource ? own.ipv6Address : null;
    } else if (!identity.softwireSource) {
      // RFC 8539 §8: every DHCPACK carries the bound softwire source. A REQUEST for the client's
      // active lease without 109 (against §7.2's MUST) keeps the stored source and gets it back,
      // rather than replacing it with the datagram's source, which would move the lw4o6 binding.
      const own = allocator.leaseOf(identity.clientId);
      const sameLease = own && own.state === "BOUND" && own.expiresAt > now() && own.address === slot.address && (slot.psid === null || own.psid === slot.psid);
      if (sameLease && own.softwireSource && own.ipv6Address) {
        identity.ipv6Address = own.ipv6Address;
        identity.softwireSource = true;
        softwireSource = own.ipv6Address;
      }
    }

    const result = await allocator.confirm(identity, [...shared, ...dedicated], slot, { allowNew: kind === "selecting" });
    if (result.kind === "refused") return nak(result.reason);
    if (result.kind === "no-record") {
      // RFC 2131 §4.3.2: silence for an INIT-REBOOT or REBINDING client we have no record of
      // (another server may own its lease); a RENEWING client asked us directly: NAK. A client we
      // do know, asking for an (address, PSID) that is not its own, has a wrong notion of its
      // lease: NAK ("requested IP address is incorrect", RFC 2131 §4.3.2; a 159 that does not
      // match the stored PSID, protocol.md §4.4 and §7.8).
      if ((kind === "init-reboot" || kind === "rebinding") && !allocator.leaseOf(identity.clientId)) {
        return { kind: "silent", reason: `${kind}-unknown-client` };
      }
      return nak("no lease for this client on that address");
    }
    const dhcpv4 = leaseReply(v4, { type: DhcpMessageType.ACK, binding: result.binding, serverId: options.serverId, now: now(), softwireSource });
    return { kind: "reply", dhcpv4, options: softwireDhcpv6Options(request.query, result.binding.pool), note: kind };
  }

  async function decline(v4: Dhcpv4Message, ctx: ClientContext): Promise<Outcome> {
    const address = requestedIpAddress(v4);
    if (address === undefined) return { kind: "drop", reason: "decline-without-address" };
    const sent = portParams(v4);
    const declined = await options.allocator.decline(ctx.identity, { address, psid: sent && sent.psidLength > 0 ? sent.psid : null });
    // RFC 2131 §4.3.3: the administrator should hear of it; a 4o6 client never probes, so it is a client bug or an attack.
    if (declined) options.log.warn({ client: ctx.identity.clientId, address: formatIpv4(address), psid: sent?.psid }, "client declined its lease; slot quarantined");
    return { kind: "silent", reason: declined ? "declined" : "decline-unknown-lease" };
  }

  async function release(v4: Dhcpv4Message, ctx: ClientContext): Promise<Outcome> {
    // protocol.md §4.4: with 159 the pair, without it client-id + ciaddr find the lease.
    const sent = portParams(v4);
    const released = await options.allocator.release(ctx.identity, { address: v4.ciaddr, psid: sent && sent.psidLength > 0 ? sent.psid : null });
    return { kind: "silent", reason: released ? "released" : "release-unknown-lease" };
  }

  function inform(request: Dhcp4o6Request, ctx: ClientContext): Outcome {
    const v4 = request.dhcpv4;
    const pools = options.allocator.poolsFor(ctx.selector);
    const all = [...pools.dedicated, ...pools.shared];
    const pool = (all.find((p) => p.containsAddress(v4.ciaddr)) ?? all[0])?.pool;
    return { kind: "reply", dhcpv4: informReply(v4, options.serverId, pool), note: "inform" };
  }
}

/**
 * Where the response goes (protocol.md §3.5 step 10): a direct query is answered at its source
 * address on the client port 546 (RFC 8415 §7.2; not the query's source port, which the RFCs
 * leave to the client); a relayed one to the relay that sent it, on port 547 unless it carried
 * option 135, in which case to the port it sent from (RFC 8357 §5.2).
 */
function destination(request: Dhcp4o6Request, source: DatagramSource, ports: { client: number; relay: number }): { address: string; port: number } {
  const outermost = request.relays[request.relays.length - 1];
  if (!outermost) return { address: source.address, port: ports.client };
  return { address: source.address, port: relayPort(outermost) !== undefined ? source.port : ports.relay };
}

const describe = (p: PortParams) => `(offset ${p.offset}, PSID length ${p.psidLength}, PSID ${p.psid})`;
