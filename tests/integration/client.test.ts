// portshare-client against a real Portshare worker on loopback (allocator, protocol handler, UDP
// socket, SQLite — and PostgreSQL when it answers): the client module with a manual clock (T1,
// T2 and expiry reached at once, replies over real UDP), and the real CLI process.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Allocator } from "@/server/alloc/allocator";
import { revokeLease } from "@/server/alloc/revoke";
import { ManualClock } from "@/server/client/clock";
import type { ClientIdentity } from "@/server/client/messages";
import { rangeLines, leaseSummary } from "@/server/client/report";
import { ClientSession, type SessionEvent, type SessionOptions } from "@/server/client/session";
import { UdpTransport, type Endpoint, type Transport } from "@/server/client/transport";
import { createDhcp4o6Handler } from "@/server/dhcp4o6/handler";
import { portRanges, type PortRange } from "@/server/psid";
import { DhcpWorker } from "@/server/udp/worker";
import {
  DhcpMessageType,
  createBootReply,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  dhcpMessageType,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Option,
  leaseTimeOption,
  messageOption,
  messageTypeOption,
  parseIpv4,
  portParams,
  serverIdentifierOption,
  type Dhcpv4Message,
  type Dhcpv6Message,
} from "@/server/wire";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";
import { startTestServer, TEST_SERVER_ID, type TestServer } from "./support/dhcp-server";

const backends = await testBackends();
const root = path.resolve(import.meta.dirname, "../..");
const ip = (text: string) => parseIpv4(text)!;
const OPERATOR = { id: 1, username: "client-test" };
const SHARED = { offset: 6, psidLength: 4 };

/** A UDP port nobody holds right now (bound, read, closed). */
async function freePort(): Promise<number> {
  const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
  await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What one query on the wire said: its DHCPv4 type, U flag and relay depth. */
interface SentQuery {
  type: number | undefined;
  unicast: boolean;
  relays: number;
  dhcpv4: Dhcpv4Message;
  to: Endpoint;
}

function decodeQuery(bytes: Uint8Array, to: Endpoint): SentQuery {
  let m: Dhcpv6Message = decodeDhcpv6Message(bytes);
  let relays = 0;
  while (m.kind === "relay") {
    relays++;
    m = m.message;
  }
  if (m.kind !== "4o6") throw new Error("not a 4o6 message");
  const dhcpv4 = decodeDhcpv4Message(getDhcpv6Option(m, 87)!);
  return { type: dhcpMessageType(dhcpv4), unicast: m.unicast, relays, dhcpv4, to };
}

/** A transport that records every query and can drop some (a broken path to the server). */
class TapTransport implements Transport {
  readonly sent: SentQuery[] = [];
  drop: ((q: SentQuery) => boolean) | undefined;

  constructor(private readonly inner: Transport) {}

  get localPort(): number {
    return this.inner.localPort;
  }

  async send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    const q = decodeQuery(bytes, to);
    this.sent.push(q);
    if (this.drop?.(q)) return;
    await this.inner.send(bytes, to);
  }

  onDatagram(listener: (bytes: Uint8Array, from: Endpoint) => void): () => void {
    return this.inner.onDatagram(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Collects a session's events; waits for the next one that matches. */
class EventLog {
  readonly events: SessionEvent[] = [];
  private waiters: { since: number; match: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }[] = [];

  readonly push = (event: SessionEvent) => {
    this.events.push(event);
    const index = this.events.length - 1;
    this.waiters = this.waiters.filter((w) => {
      if (index >= w.since && w.match(event)) {
        w.resolve(event);
        return false;
      }
      return true;
    });
  };

  mark(): number {
    return this.events.length;
  }

  /** The first event at or after `since` that matches (already seen, or yet to come). */
  waitFor<K extends SessionEvent["kind"]>(kind: K, since = 0, extra: (e: Extract<SessionEvent, { kind: K }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<SessionEvent, { kind: K }>> {
    const match = (e: SessionEvent) => e.kind === kind && extra(e as Extract<SessionEvent, { kind: K }>);
    const seen = this.events.slice(since).find(match);
    if (seen) return Promise.resolve(seen as Extract<SessionEvent, { kind: K }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${kind}" event within ${timeoutMs} ms; saw ${this.events.slice(since).map((e) => e.kind).join(", ")}`)), timeoutMs);
      this.waiters.push({
        since,
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<SessionEvent, { kind: K }>);
        },
      });
    });
  }
}

let clientNumber = 0x100;
/** A distinct client: DUID-LL of a made-up MAC, IAID 1. */
function identity() {
  const n = clientNumber++;
  const mac = Uint8Array.of(0x02, 0x50, 0, 0, (n >>> 8) & 255, n & 255);
  return { mac, iaid: 1, duid: Uint8Array.of(0, 3, 0, 1, ...mac) };
}
const clientIdHex = (id: ClientIdentity) => Buffer.from([255, 0, 0, 0, 1, ...id.duid]).toString("hex");
const duidHex = (id: ClientIdentity) => Buffer.from(id.duid).toString("hex");

interface Running {
  who: ClientIdentity;
  session: ClientSession;
  log: EventLog;
  tap: TapTransport;
  clock: ManualClock;
  close(): Promise<void>;
}

describe.each(backends)("portshare-client against a real worker on %s", (backend) => {
  let t: TestDatabase;
  let server: TestServer;
  /** The port direct replies go to: the client binds it in direct mode (the real client would bind 546). */
  let clientPort: number;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await t.db.pool.create({
      data: {
        name: "shared-a", kind: "SHARED", firstAddress: BigInt(ip("192.0.2.0")), lastAddress: BigInt(ip("192.0.2.3")),
        psidOffset: SHARED.offset, psidLength: SHARED.psidLength, leaseTime: 3600, brAddress: "2001:db8:ffff::1", bindPrefix: "2001:db8:2::/64",
      },
    });
    await t.db.pool.create({ data: { name: "full-a", kind: "DEDICATED", firstAddress: BigInt(ip("198.51.100.0")), lastAddress: BigInt(ip("198.51.100.63")), leaseTime: 3600 } });
    clientPort = await freePort();
    server = await startTestServer(t, { clientPort });
    dir = mkdtempSync(path.join(tmpdir(), "portshare-client-"));
  });
  afterAll(async () => {
    await server?.stop();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const serverEndpoint = (): Endpoint => ({ address: "::1", port: server.port });

  /** Starts a client session (the module the CLI runs) on a manual clock. */
  async function startClient(options: Partial<SessionOptions> & { relayed?: boolean } = {}): Promise<Running> {
    const { relayed, ...rest } = options;
    // Direct: bind the port the server answers direct queries on. Relayed: any port (option 135).
    const inner = await UdpTransport.open({ address: "::1", port: relayed ? 0 : clientPort });
    const tap = new TapTransport(inner);
    const clock = new ManualClock(Date.now());
    const log = new EventLog();
    const who = rest.identity ?? identity();
    const session = new ClientSession({
      identity: who,
      prefs: { shared: false },
      servers: [serverEndpoint()],
      transport: tap,
      sourceAddress: "::1",
      clock,
      mode: "hold",
      retransmit: { firstWaitMs: 4000, attempts: 4 },
      relay: relayed ? { hops: 1 } : undefined,
      onEvent: log.push,
      ...rest,
    });
    void session.run();
    return {
      who,
      session,
      log,
      tap,
      clock,
      async close() {
        await session.stop();
        await tap.close();
      },
    };
  }

  const leaseRow = (address: number, psid: number) => t.db.lease.findFirst({ where: { address: BigInt(address), psid } });

  it("obtains a shared lease; the printed port ranges are server/psid's for the granted PSID; renews at T1 with U=1; releases", async () => {
    const c = await startClient({ prefs: { shared: true } });
    try {
      const bound = await c.log.waitFor("bound");
      expect(bound.via).toBe("selecting");
      const lease = bound.lease;
      expect(lease.portParams).toMatchObject(SHARED);
      const row = await leaseRow(lease.address, lease.portParams!.psid);
      expect(row?.state).toBe("BOUND");
      expect(row?.clientId).toBe(clientIdHex(c.who));

      // What the client prints is exactly RFC 7597 §5.1 for the PSID the database holds.
      const expected: PortRange[] = portRanges({ ...SHARED, psid: row!.psid });
      expect(rangeLines(lease)).toEqual(expected.map((r) => `${r.first}-${r.last}`));
      expect(leaseSummary(lease, "selecting")).toContain(`PSID ${row!.psid} (offset 6, PSID length 4)`);

      // DISCOVER listed 159; the REQUEST carried the offer's 159; both "broadcast" (U=0).
      const [discover, request] = c.tap.sent;
      expect(discover?.type).toBe(DhcpMessageType.DISCOVER);
      expect(discover?.unicast).toBe(false);
      expect(request?.type).toBe(DhcpMessageType.REQUEST);
      expect(request?.unicast).toBe(false);
      expect(portParams(request!.dhcpv4)).toEqual(lease.portParams);

      // T1: RENEWING, unicast flag set, ciaddr = the address, 159 held; the server extends.
      const before = row!.lastTransaction;
      const mark = c.log.mark();
      c.clock.advanceTo(lease.boundAt + lease.t1Seconds * 1000);
      const renewed = await c.log.waitFor("bound", mark);
      expect(renewed.via).toBe("renewing");
      expect(renewed.lease.address).toBe(lease.address);
      expect(renewed.lease.portParams).toEqual(lease.portParams);
      const renewal = c.tap.sent.at(-1)!;
      expect(renewal.unicast).toBe(true);
      expect(renewal.dhcpv4.ciaddr).toBe(lease.address);
      expect(portParams(renewal.dhcpv4)).toEqual(lease.portParams);
      const renewedRow = await until(() => leaseRow(lease.address, lease.portParams!.psid), (r) => r !== null && r.lastTransaction > before, "the renewal in the database");
      expect(renewedRow?.state).toBe("BOUND");

      // RELEASE with ciaddr and the held 159; the row is RELEASED.
      await c.session.stop();
      const release = c.tap.sent.at(-1)!;
      expect(release.type).toBe(DhcpMessageType.RELEASE);
      expect(release.unicast).toBe(true);
      expect(release.dhcpv4.ciaddr).toBe(lease.address);
      expect(portParams(release.dhcpv4)).toEqual(lease.portParams);
      await until(() => leaseRow(lease.address, lease.portParams!.psid), (r) => r?.state === "RELEASED", "the RELEASED lease row");
    } finally {
      await c.close();
    }
  });

  it("rebinds at T2 (U=0) when the RENEWING request goes unanswered, and the server answers the REBINDING", async () => {
    const c = await startClient({ prefs: { shared: true } });
    try {
      const { lease } = await c.log.waitFor("bound");
      // The unicast path to the server is down: RENEWING (U=1) queries are lost.
      c.tap.drop = (q) => q.unicast;
      let mark = c.log.mark();
      c.clock.advanceTo(lease.boundAt + lease.t1Seconds * 1000);
      await c.log.waitFor("state", mark, (e) => e.to === "RENEWING");
      expect(c.tap.sent.at(-1)).toMatchObject({ type: DhcpMessageType.REQUEST, unicast: true });
      await sleep(100);
      expect(c.session.state).toBe("RENEWING");

      mark = c.log.mark();
      c.clock.advanceTo(lease.boundAt + lease.t2Seconds * 1000);
      const rebound = await c.log.waitFor("bound", mark);
      expect(rebound.via).toBe("rebinding");
      const rebinding = c.tap.sent.at(-1)!;
      expect(rebinding).toMatchObject({ type: DhcpMessageType.REQUEST, unicast: false });
      expect(rebinding.dhcpv4.ciaddr).toBe(lease.address);
      expect(portParams(rebinding.dhcpv4)).toEqual(lease.portParams);
      expect(rebound.lease.portParams).toEqual(lease.portParams);
      expect((await leaseRow(lease.address, lease.portParams!.psid))?.state).toBe("BOUND");
    } finally {
      c.tap.drop = undefined;
      await c.close();
    }
  });

  it("obtains a dedicated lease without 159, renews and releases it", async () => {
    const c = await startClient({ prefs: { shared: false } });
    try {
      const { lease, via } = await c.log.waitFor("bound");
      expect(via).toBe("selecting");
      expect(lease.portParams).toBeUndefined();
      expect(lease.address >>> 8).toBe(ip("198.51.100.0") >>> 8);
      expect(rangeLines(lease)).toEqual(["0-65535"]);
      expect(c.tap.sent[0]!.dhcpv4.options.find((o) => o.code === 55)!.data).not.toContain(159);
      const mark = c.log.mark();
      c.clock.advanceTo(lease.boundAt + lease.t1Seconds * 1000);
      expect((await c.log.waitFor("bound", mark)).via).toBe("renewing");
      await c.session.stop();
      await until(() => leaseRow(lease.address, 0), (r) => r?.state === "RELEASED", "the RELEASED dedicated lease");
    } finally {
      await c.close();
    }
  });

  it("NAK → restart: after an operator revokes the lease, the renewal is NAKed and the client goes back to DISCOVER", async () => {
    const c = await startClient({ prefs: { shared: true }, relayed: true });
    try {
      const { lease } = await c.log.waitFor("bound");
      const row = (await leaseRow(lease.address, lease.portParams!.psid))!;
      await revokeLease(t.db, OPERATOR, row.id, "client test");
      const clientId = clientIdHex(c.who);
      await until(() => server.allocator.leaseOf(clientId)?.state, (s) => s === "REVOKED", "the worker to hear of the revocation");

      const mark = c.log.mark();
      c.clock.advanceTo(lease.boundAt + lease.t1Seconds * 1000);
      const nak = await c.log.waitFor("nak", mark);
      expect(nak.in).toBe("RENEWING");
      const lost = await c.log.waitFor("lease-lost", mark);
      expect(lost.reason).toBe("nak");
      const rebound = await c.log.waitFor("bound", mark);
      expect(rebound.via).toBe("selecting");
      // After the NAK: a DISCOVER without a hint for the refused pair, then a new binding elsewhere (the old pair is quarantined).
      const afterNak = c.tap.sent.slice(c.tap.sent.findIndex((q) => q.unicast) + 1);
      expect(afterNak[0]?.type).toBe(DhcpMessageType.DISCOVER);
      expect(afterNak[0]?.dhcpv4.options.some((o) => o.code === 50)).toBe(false);
      expect(`${rebound.lease.address}/${rebound.lease.portParams?.psid}`).not.toBe(`${lease.address}/${lease.portParams?.psid}`);
      expect((await leaseRow(rebound.lease.address, rebound.lease.portParams!.psid))?.state).toBe("BOUND");
    } finally {
      await c.close();
    }
  });

  it("INIT-REBOOT from the lease file while the IPv6 source is unchanged; DISCOVER instead once it changed (RFC 7618 §7)", async () => {
    const leaseFile = path.join(dir, `reboot-${backend}.json`);
    const who = identity();
    const run = async (sourceAddress: string) => {
      const c = await startClient({ identity: who, prefs: { shared: true }, relayed: true, sourceAddress, leaseFile, mode: "once" });
      try {
        const start = await c.log.waitFor("start");
        const bound = await c.log.waitFor("bound");
        return { start, bound, sent: c.tap.sent };
      } finally {
        await c.tap.close();
      }
    };

    const first = await run("2001:db8:1::10");
    expect(first.start.decision.kind).toBe("discover");
    const stored = JSON.parse(readFileSync(leaseFile, "utf8")) as { sourceAddress: string; address: string; portParams: unknown };
    expect(stored.sourceAddress).toBe("2001:db8:1::10");

    // Same source: INIT-REBOOT (REQUEST with 50 and the stored 159, no 54, ciaddr 0, U=0), ACKed.
    const second = await run("2001:db8:1::10");
    expect(second.start.decision.kind).toBe("init-reboot");
    expect(second.bound.via).toBe("init-reboot");
    const reboot = second.sent[0]!;
    expect(reboot.type).toBe(DhcpMessageType.REQUEST);
    expect(reboot.unicast).toBe(false);
    expect(reboot.dhcpv4.ciaddr).toBe(0);
    expect(reboot.dhcpv4.options.some((o) => o.code === 54)).toBe(false);
    expect(portParams(reboot.dhcpv4)).toEqual(first.bound.lease.portParams);
    expect(second.bound.lease.address).toBe(first.bound.lease.address);

    // Another source: DISCOVER (with the old binding as a hint), never INIT-REBOOT.
    const third = await run("2001:db8:1::99");
    expect(third.start.decision).toMatchObject({ kind: "discover" });
    expect(third.start.decision.reason).toContain("IPv6 source changed");
    expect(third.sent.some((q) => q.type === DhcpMessageType.REQUEST && q.dhcpv4.ciaddr === 0 && !q.dhcpv4.options.some((o) => o.code === 54))).toBe(false);
    expect(third.sent[0]!.type).toBe(DhcpMessageType.DISCOVER);
    expect(third.bound.via).toBe("selecting");
    const row = await leaseRow(third.bound.lease.address, third.bound.lease.portParams!.psid);
    expect(row?.ipv6Address).toBe("2001:db8:1::99");
    expect((JSON.parse(readFileSync(leaseFile, "utf8")) as { sourceAddress: string }).sourceAddress).toBe("2001:db8:1::99");
  });

  it("RFC 8539: sends the softwire source, reports what the server bound, the BR and the binding prefix", async () => {
    const c = await startClient({ prefs: { shared: true, softwireSource: Uint8Array.from(Buffer.from("20010db80002000000000000c0000205", "hex")) } });
    try {
      const { lease } = await c.log.waitFor("bound");
      expect(lease.softwire).toEqual({ sent: "2001:db8:2::c000:205", returned: "2001:db8:2::c000:205", br: "2001:db8:ffff::1", bindPrefix: "2001:db8:2::/64" });
      const row = await leaseRow(lease.address, lease.portParams!.psid);
      expect(row).toMatchObject({ ipv6Address: "2001:db8:2::c000:205", softwireSource: true });
      expect(leaseSummary(lease, "selecting")).toContain("server bound 2001:db8:2::c000:205");
    } finally {
      await c.close();
    }
  });

  it("chooses among offers of two servers as RFC 7618 §5 says: a full address first, unless told to prefer shared", async () => {
    // A second server with only a dedicated pool (RFC 7618 §8.1: it serves a full address to a
    // client that asked for 159), on its own database and server identifier.
    const t2 = await createTestDatabase(backend);
    const log = pino({ level: "silent" });
    await t2.db.pool.create({ data: { name: "full-b", kind: "DEDICATED", firstAddress: BigInt(ip("203.0.113.0")), lastAddress: BigInt(ip("203.0.113.3")), leaseTime: 3600 } });
    const allocator = await Allocator.start({ db: t2.db, provider: t2.config.provider, workerId: "second", offerHoldSeconds: 60, sweepIntervalSeconds: 3600, log });
    const handler = createDhcp4o6Handler({ allocator, serverId: ip("203.0.113.254"), log, clientPort, relayPort: clientPort });
    const worker = new DhcpWorker({ port: 0, address: "::1", handler, log });
    const second = await worker.start();
    try {
      // The shared offer is listed first: it must lose anyway.
      const servers = [serverEndpoint(), { address: "::1", port: second.port }];
      const a = await startClient({ prefs: { shared: true }, servers, mode: "once" });
      try {
        const { lease } = await a.log.waitFor("bound");
        expect(lease.portParams).toBeUndefined();
        expect(lease.serverId).toBe(ip("203.0.113.254"));
        expect(lease.address >>> 8).toBe(ip("203.0.113.0") >>> 8);
        // The SELECTING REQUEST went to both servers (so the other one drops its offer).
        expect(a.tap.sent.filter((q) => q.type === DhcpMessageType.REQUEST).map((q) => q.to.port).sort()).toEqual([server.port, second.port].sort());
        await until(() => t2.db.lease.findFirst({ where: { address: BigInt(lease.address) } }), (r) => r?.state === "BOUND", "the full lease on server 2");
      } finally {
        await a.tap.close();
      }
      // --prefer-shared: the shared address of server 1.
      const b = await startClient({ prefs: { shared: true }, preferShared: true, servers, mode: "once" });
      try {
        const { lease } = await b.log.waitFor("bound");
        expect(lease.portParams).toMatchObject(SHARED);
        expect(lease.serverId).toBe(TEST_SERVER_ID);
        expect((await leaseRow(lease.address, lease.portParams!.psid))?.state).toBe("BOUND");
      } finally {
        await b.tap.close();
      }
    } finally {
      await worker.stop();
      await allocator.stop();
      await t2.drop();
    }
  });

  // --- the real command-line process -----------------------------------------------------------

  interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
    json: Record<string, unknown>[];
  }

  function runCli(args: string[], opts: { until?: (stdout: string) => boolean; signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/client/cli.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let signalled = false;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`CLI timed out; stdout: ${stdout}; stderr: ${stderr}`));
      }, opts.timeoutMs ?? 30_000);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (!signalled && opts.until?.(stdout)) {
          signalled = true;
          child.kill(opts.signal ?? "SIGINT");
        }
      });
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => {
        clearTimeout(timer);
        const json = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, stdout, stderr, json });
      });
    });
  }

  it("CLI: --shared --once --json binds, prints server/psid's ranges and exits 0; --release on its own releases the stored lease", async () => {
    const who = identity();
    const leaseFile = path.join(dir, `cli-${backend}.json`);
    const r = await runCli(["--server", `[::1]:${server.port}`, "--bind", "::1", "--port", String(clientPort), "--shared", "--duid", duidHex(who), "--once", "--json", "--lease-file", leaseFile, "--nat", "nftables"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json).toHaveLength(1);
    const event = r.json[0] as { event: string; via: string; lease: { address: string; portParams: { offset: number; psidLength: number; psid: number }; portRanges: PortRange[]; portCount: number }; nat: { lines: string[] } };
    expect(event).toMatchObject({ event: "bound", via: "selecting" });
    const row = await t.db.lease.findFirstOrThrow({ where: { clientId: clientIdHex(who) } });
    expect(row.state).toBe("BOUND");
    expect(event.lease.address).toBe(`192.0.2.${Number(row.address) & 255}`);
    expect(event.lease.portParams).toEqual({ ...SHARED, psid: row.psid });
    expect(event.lease.portRanges).toEqual(portRanges({ ...SHARED, psid: row.psid }));
    expect(event.lease.portCount).toBe(4032);
    const first = portRanges({ ...SHARED, psid: row.psid })[0]!;
    expect(event.nat.lines.join("\n")).toContain(`snat to ${event.lease.address}:${first.first}-${first.last}`);

    const released = await runCli(["--server", `[::1]:${server.port}`, "--bind", "::1", "--port", String(clientPort), "--duid", duidHex(who), "--release", "--lease-file", leaseFile, "--json"]);
    expect(released.code).toBe(0);
    expect(released.json[0]).toMatchObject({ event: "released" });
    await until(() => t.db.lease.findUniqueOrThrow({ where: { id: row.id } }), (l) => l.state === "RELEASED", "the released row");
  });

  it("CLI: --hold (relayed) renews on --renew-after and releases on SIGINT with exit 0; human output lists the ranges", async () => {
    const who = identity();
    const r = await runCli(["--server", `[::1]:${server.port}`, "--bind", "::1", "--port", "0", "--relay-hops", "2", "--shared", "--duid", duidHex(who), "--hold", "--renew-after", "1", "--ranges"], {
      until: (out) => out.includes("renewed (RENEWING)"),
    });
    expect(r.code).toBe(0);
    // The server handles the RELEASE (no reply) after the client has gone.
    const row = await until(() => t.db.lease.findFirstOrThrow({ where: { clientId: clientIdHex(who) } }), (l) => l.state === "RELEASED", "the released row");
    expect(r.stdout).toContain("obtained (DISCOVER, OFFER, REQUEST, ACK)");
    expect(r.stdout).toContain("Released: shared address");
    const printed = r.stdout.split("\n").filter((l) => /^ {2}[0-9]+-[0-9]+$/.test(l)).map((l) => l.trim());
    expect(printed).toEqual(portRanges({ ...SHARED, psid: row.psid }).map((p) => `${p.first}-${p.last}`));
  });

  it("CLI: exit 3 when nobody answers, exit 64 on bad input naming the option", async () => {
    const silent = await freePort();
    const r = await runCli(["--server", `[::1]:${silent}`, "--bind", "::1", "--port", "0", "--relay-hops", "1", "--wait", "0.05", "--attempts", "2", "--json"]);
    expect(r.code).toBe(3);
    expect(r.json.at(-1)).toMatchObject({ event: "failed", reason: "no-answer", exitCode: 3 });
    expect(r.stderr).toContain("no IPv4 link-local fallback");

    const bad = await runCli(["--server", "192.0.2.1", "--once"]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("--server");
  });

  it("CLI: exit 2 when every REQUEST is NAKed", async () => {
    // A server that offers and then refuses everything.
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
    socket.on("message", (data, rinfo) => {
      let m: Dhcpv6Message = decodeDhcpv6Message(data);
      const relays: Extract<Dhcpv6Message, { kind: "relay" }>[] = [];
      while (m.kind === "relay") {
        relays.push(m);
        m = m.message;
      }
      if (m.kind !== "4o6") return;
      const request = decodeDhcpv4Message(getDhcpv6Option(m, 87)!);
      const type = dhcpMessageType(request) === DhcpMessageType.DISCOVER ? DhcpMessageType.OFFER : DhcpMessageType.NAK;
      const options = [messageTypeOption(type), serverIdentifierOption(ip("192.0.2.253"))];
      if (type === DhcpMessageType.OFFER) options.push(leaseTimeOption(600));
      else options.push(messageOption("no"));
      const reply = createBootReply(request, { yiaddr: type === DhcpMessageType.OFFER ? ip("192.0.2.77") : 0, options });
      let out: Dhcpv6Message = { kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(reply))] };
      for (const relay of relays.reverse()) out = { ...relay, msgType: 13, options: relay.options.filter((o) => o.code === 18 || o.code === 135), relayMessageIndex: 0, message: out };
      socket.send(encodeDhcpv6Message(out), rinfo.port, rinfo.address);
    });
    try {
      const r = await runCli(["--server", `[::1]:${socket.address().port}`, "--bind", "::1", "--port", "0", "--relay-hops", "1", "--json"]);
      expect(r.code).toBe(2);
      expect(r.json.filter((e) => e.event === "nak").length).toBeGreaterThanOrEqual(4);
      expect(r.json.at(-1)).toMatchObject({ event: "failed", reason: "nak", exitCode: 2 });
    } finally {
      socket.close();
    }
  });
});
