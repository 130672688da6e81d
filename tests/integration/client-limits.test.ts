// RFC 7618 §10: one subscriber must not be able to exhaust a pool. Caps on live leases per
// client identifier (MAX_LEASES_PER_CLIENT) and per subscriber IPv6 prefix
// (MAX_LEASES_PER_PREFIX, SUBSCRIBER_PREFIX_LENGTH), and a per-client query rate limit
// (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST): the cap holds for the one who hits it, and every
// other client is served as before. In process on every backend, then once through the
// environment of a real `npm run dhcp` worker.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsByLabel, metrics } from "@/server/metrics/registry";
import { DhcpMessageType, encodeDhcpv6Message, portParams } from "@/server/wire";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";
import { Harness, Listener, Multiplexer, addPools, ask, dora, hex, leaseRows, muxAsk, renew, sleep, viaRelay, TEST_SERVER_ID, type Ask } from "./dhcp/harness";
import { killAllWorkers, relayPath, scrapeMetrics, spawnWorker, stopWorker, WORKER_SERVER_ID } from "./support/worker-processes";
import { dhcpv4Query, dhcpv4Request, ip, macOf, rfc4361ClientIdOf } from "../support/test-client";

const backends = await testBackends();

// Three sites, each its own pool by relay link-address; a fourth pool serves everyone else.
const POOLS = [
  { name: "site-a", kind: "dedicated", range: "198.51.100.10-198.51.100.19", leaseTime: 3600, linkAddressPrefix: "2001:db8:a::/48" },
  { name: "site-b", kind: "dedicated", range: "198.51.100.20-198.51.100.29", leaseTime: 3600, linkAddressPrefix: "2001:db8:b::/48" },
  { name: "site-c", kind: "dedicated", range: "198.51.100.30-198.51.100.39", leaseTime: 3600, linkAddressPrefix: "2001:db8:c::/48" },
  { name: "shared", kind: "shared", range: "192.0.2.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
];

const site = (letter: string, peerAddress = "fe80::1") => viaRelay({ linkAddress: `2001:db8:${letter}::1`, peerAddress });
const dropped = async (reason: string) => (await countsByLabel(metrics().packetsDropped, "reason"))[reason] ?? 0;

describe.each(backends)("per-client limits on %s", (backend) => {
  let h: Harness;
  let n = 40_000;
  const next = (init: Partial<Ask> = {}): Ask => ({ mac: macOf(n++), ...init });
  /** Bindings in the database, and offers (which a single worker keeps in memory only). */
  const liveLeasesOf = async (mac: Uint8Array) => {
    const clientId = hex(rfc4361ClientIdOf(mac));
    const bound = (await leaseRows(h.db)).filter((r) => r.clientId === clientId && r.state === "BOUND").length;
    const offered = h.server.allocator.leaseOf(clientId)?.state === "OFFERED" ? 1 : 0;
    return bound + offered;
  };

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS, { limits: { perClient: 2, perPrefix: 3, prefixLength: 56 }, rateLimit: { perSecond: 5, burst: 20 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("caps the live leases of one client identifier, whatever link it comes from", async () => {
    const roamer = next();
    const a = await dora(h.client, { ...roamer, via: site("a") });
    const b = await dora(h.client, { ...roamer, via: site("b") });
    // A third lease would exceed MAX_LEASES_PER_CLIENT = 2: no offer.
    expect(await ask(h.client, DhcpMessageType.DISCOVER, { ...roamer, via: site("c") })).toBeNull();
    expect(await liveLeasesOf(roamer.mac)).toBe(2);
    // Its bindings are still renewed.
    expect((await renew(h.client, { ...roamer, via: site("a") }, a.grant))?.type).toBe(DhcpMessageType.ACK);
    // Another client on that site is not affected.
    expect((await dora(h.client, next({ via: site("c", "fe80::2") }))).ack.type).toBe(DhcpMessageType.ACK);

    // Once it gives one lease back, it may have one at the third site.
    expect(await ask(h.client, DhcpMessageType.RELEASE, { ...roamer, via: site("b"), ciaddr: b.grant.address, serverId: 0xc00002fe })).toBeNull();
    expect(await liveLeasesOf(roamer.mac)).toBe(1);
    expect((await dora(h.client, { ...roamer, via: site("c") })).ack.type).toBe(DhcpMessageType.ACK);
    expect(await liveLeasesOf(roamer.mac)).toBe(2);
  });

  it("caps the live leases of one subscriber /56 across its client identifiers", async () => {
    // Five devices behind one subscriber line (one /56), each with its own client identifier.
    const line = ["2001:db8:1:2301::a", "2001:db8:1:2302::b", "2001:db8:1:23ff::c", "2001:db8:1:2300::d", "2001:db8:1:2345::e"];
    const devices = line.map((peerAddress) => next({ shared: true, via: viaRelay({ linkAddress: "2001:db8:ffff::1", peerAddress }) }));
    for (const device of devices.slice(0, 3)) expect((await dora(h.client, device)).ack.type).toBe(DhcpMessageType.ACK);
    for (const device of devices.slice(3)) expect(await ask(h.client, DhcpMessageType.DISCOVER, device)).toBeNull();

    // The neighbour's line (another /56) is served.
    const neighbour = next({ shared: true, via: viaRelay({ linkAddress: "2001:db8:ffff::1", peerAddress: "2001:db8:1:2400::a" }) });
    expect((await dora(h.client, neighbour)).ack.type).toBe(DhcpMessageType.ACK);

    const live = (await leaseRows(h.db)).filter((r) => r.ipv6Address?.startsWith("2001:db8:1:23") && (r.state === "BOUND" || r.state === "OFFERED"));
    expect(live).toHaveLength(3);

    // A released lease makes room for one more device on the line.
    const first = devices[0]!;
    const { grant } = await dora(h.client, first);
    await ask(h.client, DhcpMessageType.RELEASE, { ...first, ciaddr: grant.address, portParams: grant.params, serverId: 0xc00002fe });
    expect((await dora(h.client, devices[3]!)).ack.type).toBe(DhcpMessageType.ACK);
    expect(await ask(h.client, DhcpMessageType.DISCOVER, devices[4]!)).toBeNull();
  });

  it("drops a flooding client's excess queries (counted rate-limited) while another client is served", async () => {
    const flooder = await Listener.open();
    const mux = await Multiplexer.open();
    try {
      const before = await dropped("rate-limited");
      const noisy = next({ shared: true });
      // 200 DISCOVERs from one subscriber in a burst; replies come back to the flooder's socket (option 135).
      const via = viaRelay({ linkAddress: "2001:db8:ffff::1", peerAddress: "2001:db8:77::1", relayPort: flooder.port });
      for (let i = 0; i < 200; i++) {
        await flooder.send(encodeDhcpv6Message(via(dhcpv4Query(dhcpv4Request({ ...noisy, type: DhcpMessageType.DISCOVER })))), h.server.port);
      }
      // Meanwhile another subscriber does a whole DORA (on its own socket: the flood's replies are not its own).
      const quiet = next({ shared: true, via: viaRelay({ linkAddress: "2001:db8:ffff::1", peerAddress: "2001:db8:78::1", relayPort: mux.port }) });
      const offer = await muxAsk(mux, h.server.port, DhcpMessageType.DISCOVER, quiet);
      expect(offer?.type).toBe(DhcpMessageType.OFFER);
      const ack = await muxAsk(mux, h.server.port, DhcpMessageType.REQUEST, { ...quiet, requestedIp: offer!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: portParams(offer!.dhcpv4) });
      expect(ack?.type).toBe(DhcpMessageType.ACK);
      await sleep(300);
      // A burst of 20 and 5/s: two dozen or so answered, the rest dropped and counted.
      expect(flooder.received.length).toBeGreaterThanOrEqual(20);
      expect(flooder.received.length).toBeLessThanOrEqual(40);
      expect((await dropped("rate-limited")) - before).toBeGreaterThanOrEqual(200 - flooder.received.length);
      // The flood bought nothing: one client, one offer.
      expect(await liveLeasesOf(noisy.mac)).toBe(1);
    } finally {
      flooder.close();
      mux.close();
    }
  });
});

describe("the limits as a worker process's settings (MAX_LEASES_PER_PREFIX, RATE_LIMIT_PER_SECOND)", () => {
  let t: TestDatabase;
  let dir: string;
  let mux: Multiplexer;
  afterAll(async () => {
    killAllWorkers();
    mux?.close();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "portshare-limits-"));
    t = await createTestDatabase("sqlite");
    await addPools(t.db, [POOLS[3]!]);
    mux = await Multiplexer.open();
  });

  it("enforces the caps and the rate limit from the environment, and counts the drops in /metrics", async () => {
    const worker = await spawnWorker(
      "limits-worker",
      { DATABASE_URL: t.url, MAX_LEASES_PER_CLIENT: "1", MAX_LEASES_PER_PREFIX: "2", SUBSCRIBER_PREFIX_LENGTH: "56", RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "3" },
      { metrics: true },
    );
    const serverId = ip(WORKER_SERVER_ID);
    // Devices n = 0x10000, 0x10001, 0x10002 sit on one /56 (relayPath puts n in the third and fourth groups).
    const device = (n: number) => ({ mac: macOf(60_000 + n), shared: true, via: relayPath(n, mux.port) });
    const doraAt = async (init: Ask) => {
      const offer = await muxAsk(mux, worker.port, DhcpMessageType.DISCOVER, init, { tries: 1, waitMs: 1000 });
      if (offer?.type !== DhcpMessageType.OFFER) return null;
      return muxAsk(mux, worker.port, DhcpMessageType.REQUEST, { ...init, requestedIp: offer.dhcpv4.yiaddr, serverId, portParams: portParams(offer.dhcpv4) }, { tries: 1, waitMs: 1000 });
    };
    expect((await doraAt(device(0x10000)))?.type).toBe(DhcpMessageType.ACK);
    expect((await doraAt(device(0x10001)))?.type).toBe(DhcpMessageType.ACK);
    expect(await doraAt(device(0x10002))).toBeNull(); // a third on the same /56
    expect((await doraAt(device(0x20000)))?.type).toBe(DhcpMessageType.ACK); // another line

    // The rate limit: a burst of 3, then 1/s, for one subscriber.
    const noisy = device(0x30000);
    const answers = await Promise.all(Array.from({ length: 12 }, () => muxAsk(mux, worker.port, DhcpMessageType.DISCOVER, noisy, { tries: 1, waitMs: 800 })));
    expect(answers.filter(Boolean).length).toBeLessThanOrEqual(4);
    const samples = await scrapeMetrics(worker.metricsUrl!);
    expect(samples.get('portshare_dhcp_packets_dropped_total{reason="rate-limited"}') ?? 0).toBeGreaterThanOrEqual(8);
    expect((await stopWorker(worker)).code).toBe(0);
  });
});
