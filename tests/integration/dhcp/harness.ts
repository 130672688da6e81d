// Shared set-up of the 4o6 integration suites (tests/integration/dhcp/*.test.ts): a migrated
// test database with pools, the real server (allocator + handler + UDP worker) on [::1], a test
// client it answers, and helpers for the DHCP exchanges and for reading the lease table.
import dgram from "node:dgram";
import { createPool } from "@/server/alloc/pools";
import { countsByLabel, metrics } from "@/server/metrics/registry";
import { poolInputSchema, type PoolInput } from "@/server/alloc/pool-spec";
import type { Database } from "@/server/db";
import {
  DhcpMessageType,
  encodeDhcpv6Message,
  getDhcpv4Option,
  portParams,
  type Dhcpv6Message,
  type PortParams,
} from "@/server/wire";
import { createTestDatabase, type Backend, type TestDatabase } from "../support/databases";
import { startTestServer, TEST_SERVER_ID, type TestServer, type TestServerOptions } from "../support/dhcp-server";
import { dhcpv4Query, dhcpv4Request, parseResponse, relayed, type QueryInit, type RelayHop, type Response, type TestClient } from "../../support/test-client";

export { TEST_SERVER_ID };

/**
 * The longest a test waits before it concludes the server stays silent. `exchange` usually
 * knows sooner: when the server (in this process) has handled the datagram, plus GRACE_MS.
 */
export const SILENCE_MS = 1000;
const GRACE_MS = 50;

/** Datagrams the 4o6 workers of this process have handled (answered, dropped or left unanswered). */
async function handledTotal(): Promise<number> {
  return Object.values(await countsByLabel(metrics().packetsReceived, "type")).reduce((a, b) => a + b, 0);
}

/** Resolves once more than `base` datagrams were handled (plus time for a reply to arrive), or at `deadline`. */
async function handledBeyond(base: number, deadline: number): Promise<void> {
  while (Date.now() < deadline && (await handledTotal()) <= base) await sleep(2);
  await sleep(GRACE_MS);
}

/**
 * Sends a DHCPv6 message and returns the reply, or null when the server handled it without one.
 * The worker counts a datagram as handled only after the handler decided (and right before it
 * sends the reply), so a reply still comes within GRACE_MS of the count.
 */
export async function exchange(client: TestClient, message: Dhcpv6Message | Uint8Array, timeoutMs = 2000): Promise<Response | null> {
  const base = await handledTotal();
  return client.exchange(message, timeoutMs, handledBeyond(base, Date.now() + timeoutMs));
}

/** Creates pools through the pool domain (validated exactly like the console and the pool file). */
export async function addPools(db: Database, inputs: readonly PoolInput[]): Promise<void> {
  for (const input of inputs) await createPool(db, { system: "test" }, poolInputSchema.parse(input));
}

/**
 * A database on one backend with pools, and a running server on it. The server's clock runs
 * `advance`d ahead of real time, so that tests of expiry do not sleep.
 */
export class Harness {
  private offset = 0;
  /** The server's clock. */
  readonly now = () => Date.now() + this.offset;

  private constructor(
    readonly t: TestDatabase,
    private readonly options: TestServerOptions,
  ) {}

  server!: TestServer;

  /** `seed` writes rows the pool domain would refuse (e.g. a 1-second lease time) before the server starts. */
  static async start(backend: Backend, pools: readonly PoolInput[], options: TestServerOptions = {}, seed?: (db: Database) => Promise<void>): Promise<Harness> {
    const t = await createTestDatabase(backend);
    try {
      await addPools(t.db, pools);
      await seed?.(t.db);
      const harness = new Harness(t, options);
      harness.server = await startTestServer(t, { now: harness.now, ...options });
      return harness;
    } catch (error) {
      await t.drop();
      throw error;
    }
  }

  /** Moves the server's clock forward (offers, leases and quarantines run out without sleeping). */
  advance(ms: number): void {
    this.offset += ms;
  }

  get db(): Database {
    return this.t.db;
  }

  /** The client the server answers (direct replies and relayed ones without option 135). */
  get client(): TestClient {
    return this.server.client;
  }

  /** Stops the server and starts a new one on the same database (same options unless given). */
  async restart(options: TestServerOptions = this.options): Promise<void> {
    await this.server.stop();
    this.server = await startTestServer(this.t, { now: this.now, ...options });
  }

  async close(): Promise<void> {
    await this.server.stop();
    await this.t.drop();
  }
}

// --- exchanges --------------------------------------------------------------------------------

/** How a query reaches the server: directly (identity) or wrapped in relays. */
export type Path = (message: Dhcpv6Message) => Dhcpv6Message;
export const direct: Path = (m) => m;
/** Through one relay (RELAY-FORW, hop-count 0) that names the client's link by Interface-Id or link-address. */
export const viaRelay = (hop: Partial<RelayHop>): Path => (m) =>
  relayed(m, [{ linkAddress: hop.linkAddress ?? "::", peerAddress: hop.peerAddress ?? "fe80::1", interfaceId: hop.interfaceId, relayPort: hop.relayPort }]);

/** A client's query: the DHCPv4 fields (test-client QueryInit) and the path it takes. */
export interface Ask extends Omit<QueryInit, "type"> {
  via?: Path;
}

/** Sends one DHCPv4 message of `type` and waits for the reply (null on silence). */
export function ask(client: TestClient, type: number, init: Ask, timeoutMs?: number): Promise<Response | null> {
  const { via = direct, ...fields } = init;
  const query = { ...fields, type };
  return exchange(client, via(dhcpv4Query(dhcpv4Request(query), query.unicast ?? false, query.v6Options)), timeoutMs);
}

/** The (address, PSID) a reply grants; PSID null when the reply carries no option 159. */
export interface Grant {
  address: number;
  params: PortParams | undefined;
}

export const grantOf = (r: Response): Grant => ({ address: r.dhcpv4.yiaddr, params: portParams(r.dhcpv4) });
export const slotText = (g: Grant) => `${g.address}/${g.params ? g.params.psid : "-"}`;

/** DISCOVER → OFFER; throws when the reply is not an OFFER. */
export async function discover(client: TestClient, init: Ask): Promise<Response> {
  const offer = await ask(client, DhcpMessageType.DISCOVER, init);
  if (offer?.type !== DhcpMessageType.OFFER) throw new Error(`expected an OFFER, got ${offer ? `type ${offer.type}` : "silence"}`);
  return offer;
}

/** SELECTING REQUEST for an offer (50, 54, and the offered 159 sent back). */
export function selectingRequest(client: TestClient, init: Ask, offer: Response, timeoutMs?: number): Promise<Response | null> {
  return ask(client, DhcpMessageType.REQUEST, { ...init, requestedIp: offer.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: portParams(offer.dhcpv4) }, timeoutMs);
}

/** DISCOVER, OFFER, REQUEST, ACK; returns both replies. Throws unless the REQUEST is ACKed. */
export async function dora(client: TestClient, init: Ask): Promise<{ offer: Response; ack: Response; grant: Grant }> {
  const offer = await discover(client, init);
  const ack = await selectingRequest(client, init, offer);
  if (ack?.type !== DhcpMessageType.ACK) throw new Error(`expected an ACK, got ${ack ? `type ${ack.type}` : "silence"}`);
  return { offer, ack, grant: grantOf(ack) };
}

/** RENEWING (U = 1) or REBINDING (U = 0) REQUEST for a grant: ciaddr and its 159, no 50 or 54. */
export function renew(client: TestClient, init: Ask, grant: Grant, options: { unicast?: boolean; timeoutMs?: number } = {}): Promise<Response | null> {
  return ask(client, DhcpMessageType.REQUEST, { ...init, ciaddr: grant.address, portParams: grant.params, unicast: options.unicast ?? true }, options.timeoutMs);
}

/** The codes of a reply's DHCPv4 options, in order. */
export const optionCodes = (r: Response): number[] => r.dhcpv4.options.map((o) => o.code);
export const hasOption = (r: Response, code: number): boolean => getDhcpv4Option(r.dhcpv4, code) !== undefined;

// --- the lease table -------------------------------------------------------------------------

export interface LeaseRow {
  id: number;
  poolId: number;
  address: number;
  psid: number;
  state: string;
  clientId: string;
  ipv6Address: string | null;
  softwireSource: boolean;
  expiresAt: Date;
  quarantineUntil: Date | null;
}

export async function leaseRows(db: Database): Promise<LeaseRow[]> {
  const rows = await db.lease.findMany({ orderBy: { id: "asc" } });
  return rows.map((r) => ({
    id: r.id,
    poolId: r.poolId,
    address: Number(r.address),
    psid: r.psid,
    state: r.state,
    clientId: r.clientId,
    ipv6Address: r.ipv6Address,
    softwireSource: r.softwireSource,
    expiresAt: r.expiresAt,
    quarantineUntil: r.quarantineUntil,
  }));
}

/** The lease row of one slot. */
export async function leaseAt(db: Database, address: number, psid: number): Promise<LeaseRow | undefined> {
  return (await leaseRows(db)).find((r) => r.address === address && r.psid === psid);
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// --- raw sockets ---------------------------------------------------------------------------------

/** A bare UDP socket on [::1] that records every datagram it receives. */
export class Listener {
  readonly received: { data: Buffer; port: number }[] = [];
  private constructor(private readonly socket: dgram.Socket) {
    socket.on("message", (data, from) => this.received.push({ data, port: from.port }));
  }

  static async open(): Promise<Listener> {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
    return new Listener(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Uint8Array | Dhcpv6Message, port: number): Promise<void> {
    const data = bytes instanceof Uint8Array ? bytes : encodeDhcpv6Message(bytes);
    return new Promise((resolve, reject) => this.socket.send(data, port, "::1", (e) => (e ? reject(e) : resolve())));
  }

  /** Waits until a datagram arrived (true) or `timeoutMs` passed (false). */
  async waitFor(count = 1, timeoutMs = 2000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count && Date.now() < until) await sleep(10);
    return this.received.length >= count;
  }

  close(): void {
    this.socket.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Many concurrent exchanges over one socket: replies are matched to queries by the DHCPv4 xid.
 * Queries are retransmitted like a DHCP client does (RFC 2131 §4.1) until a reply or `tries`.
 */
export class Multiplexer {
  private readonly waiting = new Map<number, (r: Response) => void>();
  /** Queries sent again after `waitMs` without a reply. */
  retransmissions = 0;
  private constructor(private readonly socket: dgram.Socket) {
    socket.on("message", (data) => {
      let response: Response;
      try {
        response = parseResponse(data);
      } catch {
        return;
      }
      const resolve = this.waiting.get(response.dhcpv4.xid);
      if (resolve) {
        this.waiting.delete(response.dhcpv4.xid);
        resolve(response);
      }
    });
  }

  static async open(): Promise<Multiplexer> {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true, recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
    return new Multiplexer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  async exchange(bytes: Uint8Array, xid: number, serverPort: number, options: { tries?: number; waitMs?: number } = {}): Promise<Response | null> {
    const tries = options.tries ?? 4;
    const waitMs = options.waitMs ?? 1500;
    const reply = new Promise<Response>((resolve) => this.waiting.set(xid, resolve));
    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) this.retransmissions++;
      await new Promise<void>((resolve, reject) => this.socket.send(bytes, serverPort, "::1", (e) => (e ? reject(e) : resolve())));
      const got = await Promise.race([reply, sleep(waitMs).then(() => null)]);
      if (got) return got;
    }
    this.waiting.delete(xid);
    return null;
  }

  close(): void {
    this.socket.close();
  }
}

/** One query over a Multiplexer (many clients at once on one socket). */
export function muxAsk(mux: Multiplexer, serverPort: number, type: number, init: Ask, options?: { tries?: number; waitMs?: number }): Promise<Response | null> {
  const { via = direct, ...fields } = init;
  const v4 = dhcpv4Request({ ...fields, type });
  const bytes = encodeDhcpv6Message(via(dhcpv4Query(v4, fields.unicast ?? false, fields.v6Options)));
  return mux.exchange(bytes, v4.xid, serverPort, options);
}

/** DORA over a Multiplexer; null when the DISCOVER got no OFFER, the REQUEST's reply otherwise. */
export async function muxDora(mux: Multiplexer, serverPort: number, init: Ask, options?: { tries?: number; waitMs?: number }): Promise<{ offer: Response; ack: Response | null } | null> {
  const offer = await muxAsk(mux, serverPort, DhcpMessageType.DISCOVER, init, options);
  if (!offer) return null;
  if (offer.type !== DhcpMessageType.OFFER) throw new Error(`expected an OFFER, got type ${offer.type}`);
  const ack = await muxAsk(mux, serverPort, DhcpMessageType.REQUEST, { ...init, requestedIp: offer.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: portParams(offer.dhcpv4) }, options);
  return { offer, ack };
}
