// The project's perfdhcp for 4o6: full DORA (or renew / release) exchanges for N distinct
// clients against one server or several workers, with a window of outstanding exchanges, for a
// bounded time. TypeScript on one UDP socket: it tops out near 16k DORA/s using a whole core, so
// the bench drives servers with its native twin (native/load4o6.c, same bytes) and keeps this one
// for `--generator ts` and for the tests.
// Queries go through one relay layer (RFC 8415 RELAY-FORW) carrying option 135 (RFC 8357), as a
// relay on the subscriber's link would send them: a worker answers a direct query only on the
// client port 546, and a relayed one with option 135 at the port it came from, this socket.
// Each client has its own peer-address, so per-client limits see distinct subscribers.
import dgram from "node:dgram";
import {
  DhcpMessageType,
  clientIdentifierOption,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Option,
  messageTypeOption,
  parameterRequestListOption,
  portParams,
  portParamsOption,
  requestedIpAddressOption,
  serverIdentifier,
  serverIdentifierOption,
  relayPortOption,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type Dhcpv6Message,
  type PortParams,
} from "../../server/wire";

export type LoadMode = "dora" | "dora-dedicated" | "renew" | "release" | "mix";

/** A worker (or the echo server) the load is sent to. */
export interface LoadTarget {
  address: string;
  port: number;
}

/**
 * How clients use several targets: "client" sends each client's whole exchange to one target
 * (client n to target n mod N); "split" sends its DISCOVER to one target, its REQUEST to the
 * next, and a renewal or release to the one after (the case where a load balancer or relays
 * spread a client's messages over workers). One target: both are the same.
 */
export type LoadSpread = "client" | "split";

export interface LoadOptions {
  targets: readonly LoadTarget[];
  spread?: LoadSpread;
  /** Relay the queries with option 135 (default true); false sends them direct (the echo server answers either). */
  relay?: boolean;
  mode: LoadMode;
  /** Distinct clients (distinct chaddr and client identifier). */
  clients: number;
  /** Index of the first client, so several runs can use disjoint client sets. */
  firstClient?: number;
  /** Outstanding exchanges at once. */
  window: number;
  /** Stop after this long even if not every client finished. */
  maxSeconds: number;
  /** Seconds before a message is sent again, and how often. */
  retransmitSeconds?: number;
  retries?: number;
}

/** What a renew/release run needs to know of the leases a DORA run made. */
export interface HeldLease {
  client: number;
  address: number;
  portParams: PortParams | null;
  serverId: number;
}

export interface LoadResult {
  mode: LoadMode;
  window: number;
  clients: number;
  completed: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
  naks: number;
  timeouts: number;
  retransmissions: number;
  duplicates: number;
  leases: HeldLease[];
}

interface Exchange {
  client: number;
  started: number;
  sentAt: number;
  tries: number;
  phase: "discover" | "request" | "renew" | "release";
  message: Uint8Array;
  target: LoadTarget;
  offer?: { address: number; portParams: PortParams | null; serverId: number };
}

const mac = (n: number) => Uint8Array.of(0x02, 0x50, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const clientIdOf = (n: number) => Uint8Array.of(255, 0, 0, 0, 1, 0, 3, 0, 1, ...mac(n));
const xidOf = (client: number, phase: number) => ((client & 0x3fffffff) * 4 + phase) >>> 0;
/** The relay's own address on the subscribers' link (2001:db8:ffff::1). */
const LINK_ADDRESS = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
/** Client n's address: 2001:db8:<n>::1, a subscriber line of its own. */
const peerOf = (n: number) => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, 0, 0, 0, 0, 0, 0, 0, 1);

/** Wraps a client's query in one RELAY-FORW whose option 135 brings the reply back to `replyPort`. */
function relayedFor(client: number, replyPort: number, message: Dhcpv6Message): Dhcpv6Message {
  return {
    kind: "relay", msgType: 12, hopCount: 0, linkAddress: LINK_ADDRESS, peerAddress: peerOf(client),
    options: [relayPortOption(replyPort)], relayMessageIndex: 1, message,
  };
}

function query(client: number, phase: number, options: Dhcpv4Option[], ciaddr = 0, unicast = false, replyPort?: number): Uint8Array {
  const chaddr = new Uint8Array(16);
  chaddr.set(mac(client));
  const v4: Dhcpv4Message = {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: xidOf(client, phase), secs: 0, flags: 0,
    ciaddr, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr, sname: new Uint8Array(64), file: new Uint8Array(128),
    options: [...options, clientIdentifierOption(clientIdOf(client))],
  };
  const message: Dhcpv6Message = { kind: "4o6", msgType: 20, unicast, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(v4))] };
  return encodeDhcpv6Message(replyPort === undefined ? message : relayedFor(client, replyPort, message));
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0);

/** Runs one load; `held` gives the leases to renew or release in those modes. */
export async function runLoad(options: LoadOptions, held: HeldLease[] = []): Promise<LoadResult> {
  const shared = options.mode !== "dora-dedicated";
  const prl = parameterRequestListOption(shared ? [1, 3, 6, 51, 54, 159] : [1, 3, 6, 51, 54]);
  const targets = options.targets;
  if (targets.length === 0) throw new Error("runLoad needs at least one target");
  const socket = dgram.createSocket({ type: targets[0]!.address.includes(":") ? "udp6" : "udp4" });
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  socket.setSendBufferSize(8 * 1024 * 1024);
  const replyPort = options.relay === false ? undefined : socket.address().port;
  const split = options.spread === "split";
  /** Where client n's message of phase p (0 DISCOVER, 1 REQUEST, 2 renew/release) goes. */
  const targetOf = (client: number, phase: number) => targets[(client + (split ? phase : 0)) % targets.length]!;

  const firstClient = options.firstClient ?? 0;
  const heldBy = new Map(held.map((h) => [h.client, h]));
  const clients = held.length > 0 && options.mode !== "dora" && options.mode !== "dora-dedicated" ? held.map((h) => h.client) : Array.from({ length: options.clients }, (_, i) => firstClient + i);
  const pending = new Map<number, Exchange>();
  const latencies: number[] = [];
  const granted = new Map<number, number>(); // slot → client
  const leases: HeldLease[] = [];
  let next = 0;
  let completed = 0;
  let naks = 0;
  let timeouts = 0;
  let retransmissions = 0;
  let duplicates = 0;
  const retransmitMs = (options.retransmitSeconds ?? 1) * 1000;
  const retries = options.retries ?? 3;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;

  const send = (exchange: Exchange) => socket.send(exchange.message, exchange.target.port, exchange.target.address);

  const phaseFor = (client: number): Exchange["phase"] => {
    if (options.mode === "renew") return "renew";
    if (options.mode === "release") return "release";
    if (options.mode === "mix") return heldBy.has(client) ? (client % 5 === 0 ? "release" : "renew") : "discover";
    return "discover";
  };

  const begin = (client: number) => {
    const now = performance.now();
    const phase = phaseFor(client);
    const lease = heldBy.get(client);
    let message: Uint8Array;
    if (phase === "discover" || !lease) message = query(client, 0, [messageTypeOption(DhcpMessageType.DISCOVER), prl], 0, false, replyPort);
    else if (phase === "renew") {
      const extra = lease.portParams ? [portParamsOption(lease.portParams)] : [];
      message = query(client, 2, [messageTypeOption(DhcpMessageType.REQUEST), prl, ...extra], lease.address, true, replyPort);
    } else {
      const extra = lease.portParams ? [portParamsOption(lease.portParams)] : [];
      message = query(client, 3, [messageTypeOption(DhcpMessageType.RELEASE), serverIdentifierOption(lease.serverId), ...extra], lease.address, true, replyPort);
    }
    const exchange: Exchange = { client, started: now, sentAt: now, tries: 1, phase: lease ? phase : "discover", message, target: targetOf(client, lease ? 2 : 0) };
    pending.set(client, exchange);
    send(exchange);
    if (exchange.phase === "release") {
      // RELEASE has no reply (RFC 2131 §4.3.4): it completes when sent.
      pending.delete(client);
      completed++;
      latencies.push(0);
    }
  };

  const finish = (exchange: Exchange) => {
    pending.delete(exchange.client);
    latencies.push(performance.now() - exchange.started);
    completed++;
  };

  const fill = () => {
    while (pending.size < options.window && next < clients.length && performance.now() < deadline) begin(clients[next++]!);
  };

  socket.on("message", (data) => {
    let v4: Dhcpv4Message;
    try {
      let m = decodeDhcpv6Message(data);
      while (m.kind === "relay") m = m.message;
      if (m.kind !== "4o6") return;
      v4 = decodeDhcpv4Message(getDhcpv6Option(m, 87)!);
    } catch {
      return;
    }
    const client = Math.floor(v4.xid / 4);
    const exchange = pending.get(client);
    if (!exchange) return;
    const type = v4.options.find((o) => o.code === 53)?.data[0];
    if (exchange.phase === "discover" && type === DhcpMessageType.OFFER) {
      const pp = portParams(v4) ?? null;
      exchange.offer = { address: v4.yiaddr, portParams: pp, serverId: serverIdentifier(v4) ?? 0 };
      exchange.phase = "request";
      exchange.message = query(client, 1, [
        messageTypeOption(DhcpMessageType.REQUEST), prl, requestedIpAddressOption(v4.yiaddr), serverIdentifierOption(exchange.offer.serverId),
        ...(pp ? [portParamsOption(pp)] : []),
      ], 0, false, replyPort);
      exchange.target = targetOf(client, 1);
      exchange.sentAt = performance.now();
      exchange.tries = 1;
      send(exchange);
      return;
    }
    if ((exchange.phase === "request" || exchange.phase === "renew") && type === DhcpMessageType.ACK) {
      const pp = portParams(v4) ?? null;
      const slot = v4.yiaddr * 65536 + (pp?.psid ?? 0);
      const owner = granted.get(slot);
      if (owner !== undefined && owner !== client) duplicates++;
      granted.set(slot, client);
      leases.push({ client, address: v4.yiaddr, portParams: pp, serverId: serverIdentifier(v4) ?? 0 });
      finish(exchange);
    } else if (type === DhcpMessageType.NAK) {
      naks++;
      finish(exchange);
    }
    fill();
  });

  const timer = setInterval(() => {
    const now = performance.now();
    for (const exchange of pending.values()) {
      if (now - exchange.sentAt < retransmitMs) continue;
      if (exchange.tries > retries) {
        pending.delete(exchange.client);
        timeouts++;
        continue;
      }
      exchange.tries++;
      exchange.sentAt = now;
      retransmissions++;
      send(exchange);
    }
    fill();
  }, 50);

  fill();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if ((next >= clients.length && pending.size === 0) || performance.now() >= deadline) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  clearInterval(timer);
  socket.close();

  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    mode: options.mode, window: options.window, clients: clients.length, completed, seconds,
    perSecond: completed / seconds, p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99), maxms: sorted[sorted.length - 1] ?? 0,
    naks, timeouts: timeouts + pending.size, retransmissions, duplicates, leases,
  };
}
