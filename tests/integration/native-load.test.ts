// The native load generator (tests/bench/native/load4o6.c via tests/bench/native-load.ts):
// it must send the very bytes runLoad sends, count what runLoad counts, reach the echo server's
// canned answers, and run DORA, renew and release against a real worker without a duplicate.
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DhcpMessageType,
  clientIdentifier,
  createBootReply,
  decodeDhcp4o6Request,
  dhcpMessageType,
  encodeDhcp4o6Response,
  leaseTimeOption,
  messageTypeOption,
  parameterRequestList,
  portParams,
  portParamsOption,
  relayPort,
  requestedIpAddress,
  serverIdentifier,
  serverIdentifierOption,
  type PortParams,
} from "@/server/wire";
import { runLoad, type HeldLease, type LoadOptions, type LoadResult, type LoadTarget } from "../bench/load-generator";
import { cannedResponses } from "../bench/echo-responses";
import { nativeLoadAvailable, runNativeLoad } from "../bench/native-load";
import { createTestDatabase, type TestDatabase } from "./support/databases";
import { startTestServer, TEST_SERVER_ID, type TestServer } from "./support/dhcp-server";
import { ip } from "../support/test-client";

const root = path.resolve(import.meta.dirname, "..", "..");
const available = await nativeLoadAvailable();
// The generator is what is under test here, not the backend: the worker runs on SQLite only.
const backends = available ? (["sqlite"] as const) : [];
const reason = available ? "" : " (SKIPPED: no gcc here that builds tests/bench/native/load4o6.c)";

const RECORDER_SERVER_ID = ip("192.0.2.1");

interface RecorderBehaviour {
  /** Clients whose DISCOVER gets no answer (to count retransmissions and timeouts). */
  silentTo?: (client: number) => boolean;
  /** Clients whose REQUEST (after an OFFER, or a renewal) gets a NAK. */
  nakTo?: (client: number) => boolean;
}

/**
 * A 4o6 server stand-in on [::1]: answers a DISCOVER with an OFFER of 10.0.<client> (and
 * port set client mod 64 when 159 is requested), a REQUEST with the matching ACK, nothing to
 * a RELEASE; and records the first copy of every query by xid, option 135's port zeroed, so
 * two generators' traffic can be compared byte for byte.
 */
class Recorder {
  readonly queries = new Map<number, Buffer>();
  received = 0;
  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    public behaviour: RecorderBehaviour,
  ) {}

  static async open(behaviour: RecorderBehaviour = {}): Promise<Recorder> {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
    socket.setRecvBufferSize(4 * 1024 * 1024);
    const recorder = new Recorder(socket, socket.address().port, behaviour);
    socket.on("message", (data, from) => recorder.onQuery(data, from));
    return recorder;
  }

  get target(): LoadTarget {
    return { address: "::1", port: this.port };
  }

  private onQuery(data: Buffer, from: dgram.RemoteInfo) {
    const request = decodeDhcp4o6Request(data);
    const v4 = request.dhcpv4;
    this.received++;
    if (!this.queries.has(v4.xid)) {
      const copy = Buffer.from(data);
      if (copy[0] === 12 && copy.readUInt16BE(34) === 135) copy.writeUInt16BE(0, 38);
      this.queries.set(v4.xid, copy);
    }
    const client = Math.floor(v4.xid / 4);
    const type = dhcpMessageType(v4);
    const shared = parameterRequestList(v4)?.includes(159) ?? false;
    const pp: PortParams | null = shared ? { offset: 6, psidLength: 6, psid: client % 64 } : null;
    const address = v4.ciaddr || ((0x0a000000 + (client & 0xffffff)) >>> 0);
    let replyType: number;
    if (type === DhcpMessageType.DISCOVER) {
      if (this.behaviour.silentTo?.(client)) return;
      replyType = DhcpMessageType.OFFER;
    } else if (type === DhcpMessageType.REQUEST) {
      replyType = this.behaviour.nakTo?.(client) ? DhcpMessageType.NAK : DhcpMessageType.ACK;
    } else {
      return;
    }
    const options = [messageTypeOption(replyType), serverIdentifierOption(RECORDER_SERVER_ID)];
    if (replyType !== DhcpMessageType.NAK) options.push(leaseTimeOption(3600), ...(pp ? [portParamsOption(pp)] : []));
    const reply = createBootReply(v4, { yiaddr: replyType === DhcpMessageType.NAK ? 0 : address, options });
    this.socket.send(encodeDhcp4o6Response({ dhcpv4: reply, relays: request.relays }), from.port, from.address);
  }

  /** Resolves once nothing new has come for 30 ms (RELEASEs may still be in flight when a run ends). */
  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.received; ) {
      seen = this.received;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }

  close() {
    this.socket.close();
  }
}

const byClient = (a: HeldLease, b: HeldLease) => a.client - b.client;
/** What two runs of the same load must agree on (timings aside). */
const counts = (r: LoadResult) => ({
  mode: r.mode, window: r.window, clients: r.clients, completed: r.completed, naks: r.naks, timeouts: r.timeouts,
  retransmissions: r.retransmissions, duplicates: r.duplicates, leases: [...r.leases].sort(byClient),
});

/** Runs the load with runLoad and with load4o6, each against fresh recorders; returns both. */
async function both(options: Omit<LoadOptions, "targets">, held: HeldLease[] = [], targets = 1, behaviour: RecorderBehaviour = {}) {
  const runs = [];
  for (const generator of [runLoad, runNativeLoad]) {
    const recorders = await Promise.all(Array.from({ length: targets }, () => Recorder.open(behaviour)));
    try {
      const result = await generator({ ...options, targets: recorders.map((r) => r.target) }, held);
      await Promise.all(recorders.map((r) => r.settled()));
      runs.push({ result, queries: recorders.map((r) => r.queries) });
    } finally {
      for (const r of recorders) r.close();
    }
  }
  const [ts, native] = runs as [(typeof runs)[0], (typeof runs)[0]];
  return { ts, native };
}

/** Every target saw the same queries (by xid) with the same bytes from both generators. */
function expectSameTraffic(a: Map<number, Buffer>[], b: Map<number, Buffer>[]) {
  expect(b.map((m) => m.size)).toEqual(a.map((m) => m.size));
  a.forEach((queries, target) => {
    for (const [xid, bytes] of queries) {
      const other = b[target]!.get(xid);
      expect(other, `xid ${xid} at target ${target}`).toBeDefined();
      expect(other!.toString("hex"), `xid ${xid} at target ${target}`).toBe(bytes.toString("hex"));
    }
  });
}

describe.skipIf(!available)(`native load generator against a recording server${reason}`, () => {
  let shared: LoadResult;
  let dedicated: LoadResult;

  it("sends runLoad's DORA bytes (shared: PRL with 159, REQUEST echoing 50/54/159) and counts the same", async () => {
    const { ts, native } = await both({ mode: "dora", clients: 40, firstClient: 0x12345678, window: 8, maxSeconds: 10 });
    expectSameTraffic(ts.queries, native.queries);
    expect(counts(native.result)).toEqual(counts(ts.result));
    expect(native.result).toMatchObject({ completed: 40, timeouts: 0, naks: 0, duplicates: 0 });
    expect(ts.queries[0]!.size).toBe(80);
    shared = native.result;
  });

  it("sends runLoad's dora-dedicated bytes (no 159 asked, none echoed)", async () => {
    const { ts, native } = await both({ mode: "dora-dedicated", clients: 30, firstClient: 5000, window: 4, maxSeconds: 10 });
    expectSameTraffic(ts.queries, native.queries);
    expect(counts(native.result)).toEqual(counts(ts.result));
    expect(native.result.leases.every((l) => l.portParams === null)).toBe(true);
    dedicated = native.result;
  });

  it("renews, releases and mixes held leases (with and without 159) exactly as runLoad does", async () => {
    const held = [...shared.leases, ...dedicated.leases];
    for (const mode of ["renew", "release", "mix"] as const) {
      const { ts, native } = await both({ mode, clients: 0, window: 5, maxSeconds: 10 }, held);
      expectSameTraffic(ts.queries, native.queries);
      expect(counts(native.result)).toEqual(counts(ts.result));
      expect(native.result.completed).toBe(held.length);
    }
  });

  it("splits a client's messages over targets as runLoad's targetOf does, and can send unrelayed", async () => {
    const split = await both({ mode: "dora", clients: 30, window: 6, maxSeconds: 10, spread: "split" }, [], 3);
    expectSameTraffic(split.ts.queries, split.native.queries);
    // Client n's DISCOVER goes to target n mod 3 and its REQUEST to the next one.
    for (const [xid] of split.native.queries[1]!) expect((Math.floor(xid / 4) + (xid % 4)) % 3).toBe(1);
    const renew = await both({ mode: "renew", clients: 0, window: 6, maxSeconds: 10, spread: "split" }, split.native.result.leases, 3);
    expectSameTraffic(renew.ts.queries, renew.native.queries);
    const direct = await both({ mode: "dora", clients: 10, window: 2, maxSeconds: 10, relay: false });
    expectSameTraffic(direct.ts.queries, direct.native.queries);
    expect(direct.native.queries[0]!.values().next().value![0]).toBe(20);
  });

  it("counts NAKs, retransmissions and timeouts as runLoad does", async () => {
    const behaviour: RecorderBehaviour = { silentTo: (c) => c % 7 === 3, nakTo: (c) => c % 5 === 1 };
    const { ts, native } = await both({ mode: "dora", clients: 35, window: 35, maxSeconds: 10, retransmitSeconds: 0.2, retries: 1 }, [], 1, behaviour);
    // Retransmissions beyond the silent clients' own would only mean a slow reply on a busy box.
    expect({ ...counts(native.result), retransmissions: 0 }).toEqual({ ...counts(ts.result), retransmissions: 0 });
    expect(native.result).toMatchObject({ completed: 30, naks: 6, timeouts: 5 });
    expect(native.result.retransmissions).toBeGreaterThanOrEqual(5);
  });

  it("sends a REQUEST the project's codec decodes to the expected relay, client id, PRL and options", async () => {
    const recorder = await Recorder.open();
    try {
      const result = await runNativeLoad({ targets: [recorder.target], mode: "dora", clients: 1, firstClient: 0x01020304, window: 1, maxSeconds: 5 });
      expect(result.completed).toBe(1);
      const request = decodeDhcp4o6Request(recorder.queries.get(0x01020304 * 4 + 1)!);
      const relay = request.relays[0]!;
      expect(Buffer.from(relay.linkAddress).toString("hex")).toBe("20010db8ffff00000000000000000001");
      expect(Buffer.from(relay.peerAddress).toString("hex")).toBe("20010db8010203040000000000000001");
      expect(relayPort(relay)).toBe(0); // zeroed by the recorder; the next test checks the live value
      expect(request.query.unicast).toBe(false);
      const v4 = request.dhcpv4;
      expect(dhcpMessageType(v4)).toBe(DhcpMessageType.REQUEST);
      expect(Buffer.from(v4.chaddr).toString("hex")).toBe("025001020304" + "00".repeat(10));
      expect(Buffer.from(clientIdentifier(v4)!).toString("hex")).toBe("ff00000001000300010250" + "01020304");
      expect([...parameterRequestList(v4)!]).toEqual([1, 3, 6, 51, 54, 159]);
      expect(requestedIpAddress(v4)).toBe(0x0a000000 + 0x020304);
      expect(serverIdentifier(v4)).toBe(RECORDER_SERVER_ID);
      expect(portParams(v4)).toEqual({ offset: 6, psidLength: 6, psid: 0x01020304 % 64 });
    } finally {
      recorder.close();
    }
  });

  it("names its own socket's port in option 135 (the reply comes back there)", async () => {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
    const seen = new Promise<{ named: number | undefined; from: number }>((resolve) =>
      socket.once("message", (data, from) => resolve({ named: relayPort(decodeDhcp4o6Request(data).relays[0]!), from: from.port })),
    );
    try {
      const run = runNativeLoad({ targets: [{ address: "::1", port: socket.address().port }], mode: "dora", clients: 1, window: 1, maxSeconds: 0.3 });
      const { named, from } = await seen;
      expect(named).toBe(from);
      expect((await run).timeouts).toBe(1);
    } finally {
      socket.close();
    }
  });
});


describe.skipIf(!available)(`native load generator against the echo server${reason}`, () => {
  let echo: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const probe = dgram.createSocket("udp6");
    await new Promise<void>((resolve) => probe.bind(0, "::1", resolve));
    port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const [offerHex, ackHex] = cannedResponses();
    echo = spawn(process.execPath, [path.join(root, "tests/bench/echo-server.mjs"), String(port), offerHex, ackHex], { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      echo.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
      echo.once("exit", (code) => reject(new Error(`echo server exited (${code})`)));
    });
  });
  afterAll(() => {
    echo?.kill("SIGTERM");
  });

  it("completes 2,000 DORA exchanges at window 16 (and sees the one canned slot granted to everyone)", async () => {
    const result = await runNativeLoad({ targets: [{ address: "::1", port }], mode: "dora", clients: 2000, window: 16, maxSeconds: 10 });
    expect(result).toMatchObject({ mode: "dora", window: 16, clients: 2000, completed: 2000, timeouts: 0, naks: 0, retransmissions: 0 });
    // The echo server gives 10.0.0.1 port set 1 to every client: all but the first ACK are duplicates.
    expect(result.duplicates).toBe(1999);
    expect(result.leases).toHaveLength(2000);
    expect(result.leases[0]).toMatchObject({ address: 0x0a000001, portParams: { offset: 6, psidLength: 6, psid: 1 }, serverId: 0xc0000201 });
    expect(result.p50ms).toBeGreaterThan(0);
    expect(result.maxms).toBeGreaterThanOrEqual(result.p99ms);
  });

  it("paces new exchanges with --rate", async () => {
    const result = await runNativeLoad({ targets: [{ address: "::1", port }], mode: "dora", clients: 300, window: 64, maxSeconds: 10, rate: 1000 });
    expect(result.completed).toBe(300);
    expect(result.seconds).toBeGreaterThan(0.28);
  });
});

describe.each(backends)(`native load generator against a real worker on %s${reason}`, (backend) => {
  let t: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await t.db.pool.create({
      data: { name: "native-shared", kind: "SHARED", firstAddress: BigInt(ip("10.64.0.0")), lastAddress: BigInt(ip("10.64.0.255")), psidOffset: 6, psidLength: 6, leaseTime: 3600 },
    });
    server = await startTestServer(t);
  });
  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  it("leases, renews and releases 500 clients without a NAK, a timeout or a duplicate grant", async () => {
    const target = { address: "::1", port: server.port };
    const dora = await runNativeLoad({ targets: [target], mode: "dora", clients: 500, firstClient: 7000, window: 64, maxSeconds: 20 });
    expect(dora).toMatchObject({ completed: 500, naks: 0, timeouts: 0, duplicates: 0 });
    expect(new Set(dora.leases.map((l) => `${l.address}/${l.portParams?.psid}`)).size).toBe(500);
    expect(dora.leases.every((l) => l.serverId === TEST_SERVER_ID && l.portParams?.psidLength === 6)).toBe(true);
    expect(await t.db.lease.count({ where: { state: "BOUND" } })).toBe(500);

    const renew = await runNativeLoad({ targets: [target], mode: "renew", clients: 0, window: 64, maxSeconds: 20 }, dora.leases);
    expect(renew).toMatchObject({ completed: 500, naks: 0, timeouts: 0, duplicates: 0 });
    expect([...renew.leases].sort(byClient)).toEqual([...dora.leases].sort(byClient));

    const release = await runNativeLoad({ targets: [target], mode: "release", clients: 0, window: 16, maxSeconds: 20 }, renew.leases);
    expect(release.completed).toBe(500);
    await expect.poll(() => t.db.lease.count({ where: { state: "BOUND" } }), { timeout: 5000 }).toBe(0);
  });
});
