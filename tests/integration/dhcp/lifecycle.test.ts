// Leases over time: a pool running out, an operator revoking a lease (quarantine), offers held
// for offerHoldSeconds then swept, and a server restart on the same database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeLease } from "@/server/alloc/revoke";
import { DhcpMessageType } from "@/server/wire";
import { testBackends } from "../support/databases";
import { ip, macOf, rfc4361ClientIdOf } from "../../support/test-client";
import {
  Harness,
  Multiplexer,
  SILENCE_MS,
  TEST_SERVER_ID,
  ask,
  discover,
  dora,
  grantOf,
  hex,
  leaseAt,
  leaseRows,
  muxAsk,
  muxDora,
  renew,
  selectingRequest,
  sleep,
  slotText,
  viaRelay,
  type Ask,
  type Grant,
} from "./harness";

const backends = await testBackends();

const POOLS = [
  // One address, PSID length 1: two port sets.
  { name: "tiny", kind: "shared", range: "192.0.2.1", psidOffset: 6, psidLength: 1, leaseTime: 3600, interfaceId: "tiny" },
  { name: "revoke", kind: "shared", range: "192.0.2.2", psidOffset: 6, psidLength: 1, leaseTime: 3600, interfaceId: "revoke" },
  { name: "hold", kind: "dedicated", range: "198.51.100.77", leaseTime: 3600, interfaceId: "hold" },
  { name: "unscoped", kind: "dedicated", range: "198.51.100.100-198.51.100.200", leaseTime: 3600 },
];
const OPERATOR = { id: 1, username: "ops" };

describe.each(backends)("lease lifecycle on %s", (backend) => {
  let h: Harness;
  let n = 9000;
  const client = (extra: Partial<Ask> = {}): Ask => ({ mac: macOf(n++), shared: true, ...extra });
  const idOf = (c: Ask) => hex(rfc4361ClientIdOf(c.mac));
  const leaseIdOf = async (g: Grant) => (await leaseAt(h.db, g.address, g.params?.psid ?? 0))!.id;

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS, { offerHoldSeconds: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("pool exhaustion: the next client gets no offer, nothing is granted twice, and the server keeps serving", async () => {
    const tiny = viaRelay({ interfaceId: "tiny" });
    const a = client({ via: tiny });
    const b = client({ via: tiny });
    const ga = (await dora(h.client, a)).grant;
    const gb = (await dora(h.client, b)).grant;
    expect(ga.address).toBe(ip("192.0.2.1"));
    expect(gb.address).toBe(ip("192.0.2.1"));
    expect(ga.params!.psid).not.toBe(gb.params!.psid);

    const c = client({ via: tiny });
    expect(await ask(h.client, DhcpMessageType.DISCOVER, c, SILENCE_MS)).toBeNull();
    // Asking outright for a taken pair is refused, not granted.
    const grab = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: ga.address, serverId: TEST_SERVER_ID, portParams: ga.params });
    expect(grab?.type).toBe(DhcpMessageType.NAK);
    const rows = (await leaseRows(h.db)).filter((r) => r.address === ip("192.0.2.1"));
    expect(rows.map((r) => [r.psid, r.state, r.clientId]).sort()).toEqual(
      [
        [ga.params!.psid, "BOUND", idOf(a)],
        [gb.params!.psid, "BOUND", idOf(b)],
      ].sort(),
    );
    // Still serving: renewals in the full pool, and clients of other pools.
    expect((await renew(h.client, a, ga))?.type).toBe(DhcpMessageType.ACK);
    expect((await dora(h.client, client({ shared: false }))).grant.address).toBeGreaterThanOrEqual(ip("198.51.100.100"));
  });

  it("revoke: the client's RENEW and REBIND are NAKed and the pair is offered to no one during its quarantine", async () => {
    const via = viaRelay({ interfaceId: "revoke" });
    const a = client({ via });
    const b = client({ via });
    const ga = (await dora(h.client, a)).grant;
    const gb = (await dora(h.client, b)).grant;
    await revokeLease(h.db, OPERATOR, await leaseIdOf(ga), "test");
    // The running allocator hears of it by signal.
    for (let i = 0; i < 100 && h.server.allocator.leaseOf(idOf(a))?.state !== "REVOKED"; i++) await sleep(10);
    expect((await leaseAt(h.db, ga.address, ga.params!.psid))?.state).toBe("REVOKED");

    expect((await renew(h.client, a, ga, { unicast: true }))?.type).toBe(DhcpMessageType.NAK);
    expect((await renew(h.client, a, ga, { unicast: false }))?.type).toBe(DhcpMessageType.NAK);
    // Neither the revoked client nor a newcomer (even asking for it by name) is offered the pair.
    expect(await ask(h.client, DhcpMessageType.DISCOVER, a, SILENCE_MS)).toBeNull();
    const c = client({ via });
    expect(await ask(h.client, DhcpMessageType.DISCOVER, { ...c, requestedIp: ga.address, portParams: ga.params }, SILENCE_MS)).toBeNull();
    // A sweep does not end the quarantine early (it runs until the lease's original expiry).
    await h.server.allocator.sweep();
    expect(await ask(h.client, DhcpMessageType.DISCOVER, c, SILENCE_MS)).toBeNull();
    expect((await renew(h.client, b, gb))?.type).toBe(DhcpMessageType.ACK);

    // With a 1-second quarantine (QUARANTINE_SECONDS), the pair comes back after it and a sweep.
    const saved = process.env.QUARANTINE_SECONDS;
    process.env.QUARANTINE_SECONDS = "1";
    try {
      await revokeLease(h.db, OPERATOR, await leaseIdOf(gb));
    } finally {
      if (saved === undefined) delete process.env.QUARANTINE_SECONDS;
      else process.env.QUARANTINE_SECONDS = saved;
    }
    for (let i = 0; i < 100 && h.server.allocator.leaseOf(idOf(b))?.state !== "REVOKED"; i++) await sleep(10);
    expect(await ask(h.client, DhcpMessageType.DISCOVER, c, SILENCE_MS)).toBeNull();
    h.advance(1100);
    await h.server.allocator.sweep();
    const offer = await discover(h.client, c);
    expect(grantOf(offer)).toEqual(gb);
  });

  it("holds an offer for offerHoldSeconds, then the sweep frees it for another client", async () => {
    const via = viaRelay({ interfaceId: "hold" });
    const a = client({ via, shared: false });
    const b = client({ via, shared: false });
    const offer = await discover(h.client, a);
    expect(offer.dhcpv4.yiaddr).toBe(ip("198.51.100.77"));
    // A single worker keeps its offers in memory: the first row is the REQUEST's binding.
    await h.server.allocator.leaseWriter.idle();
    expect(await leaseAt(h.db, offer.dhcpv4.yiaddr, 0)).toBeUndefined();
    // Held: the only address is not offered to b.
    expect(await ask(h.client, DhcpMessageType.DISCOVER, b, SILENCE_MS)).toBeNull();
    h.advance(1100);
    expect(await h.server.allocator.sweep()).toBeGreaterThanOrEqual(1);
    const second = await discover(h.client, b);
    expect(second.dhcpv4.yiaddr).toBe(ip("198.51.100.77"));
    // a comes back too late: the address is b's offer now.
    expect((await selectingRequest(h.client, a, offer))?.type).toBe(DhcpMessageType.NAK);
    expect((await selectingRequest(h.client, b, second))?.type).toBe(DhcpMessageType.ACK);
    expect((await leaseAt(h.db, second.dhcpv4.yiaddr, 0))?.clientId).toBe(idOf(b));
  });
});

describe.each(backends)("server restart on the same database on %s", (backend) => {
  let h: Harness;
  let mux: Multiplexer;

  beforeAll(async () => {
    mux = await Multiplexer.open();
    h = await Harness.start(
      backend,
      [
        { name: "shared", kind: "shared", range: "192.0.2.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
        { name: "dedicated", kind: "dedicated", range: "198.51.100.0/24", leaseTime: 3600 },
      ],
      { clientPort: mux.port },
    );
  });
  afterAll(async () => {
    await h?.close();
    mux?.close();
  });

  it("keeps every ACKed lease, even ACKs sent while the server was stopping, and renews them after the restart", async () => {
    const clients: Ask[] = [...Array(30).keys()].map((i) => ({ mac: macOf(9500 + i), shared: i % 3 !== 0 }));
    const settled = new Map<number, Grant>();
    // Ten clients bound before.
    for (const [i, c] of clients.slice(0, 10).entries()) {
      const r = await muxDora(mux, h.server.port, c);
      expect(r?.ack?.type).toBe(DhcpMessageType.ACK);
      settled.set(i, grantOf(r!.ack!));
    }
    // Twenty have offers and send their REQUESTs as the server stops.
    const offers = await Promise.all(clients.slice(10).map((c) => muxAsk(mux, h.server.port, DhcpMessageType.DISCOVER, c)));
    const oldPort = h.server.port;
    const requests = clients.slice(10).map((c, i) =>
      muxAsk(mux, oldPort, DhcpMessageType.REQUEST, { ...c, requestedIp: offers[i]!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: grantOf(offers[i]!).params }, { tries: 1, waitMs: 500 }),
    );
    // Stop as soon as the first of them is committed, while the others are still being handled:
    // the worker drains them, and none of their ACKs may leave without its commit.
    const ids = clients.slice(10).map((c) => hex(rfc4361ClientIdOf(c.mac)));
    for (let i = 0; i < 2000 && !ids.some((id) => h.server.allocator.leaseOf(id)?.state === "BOUND"); i++) await sleep(1);
    await h.restart();
    const replies = await Promise.all(requests);
    let ackedInFlight = 0;
    replies.forEach((r, i) => {
      if (r?.type === DhcpMessageType.ACK) {
        settled.set(10 + i, grantOf(r));
        ackedInFlight++;
      }
    });

    // Nothing ACKed was lost: each is a BOUND row of its client.
    const rows = await leaseRows(h.db);
    for (const [i, g] of settled) {
      const row = rows.find((r) => r.address === g.address && r.psid === (g.params?.psid ?? 0));
      expect(row, `lease ${slotText(g)}`).toMatchObject({ state: "BOUND", clientId: hex(rfc4361ClientIdOf(clients[i]!.mac)) });
    }
    // The REQUESTs the old server never read are answered by the new one (retransmission).
    for (let i = 10; i < 30; i++) {
      if (settled.has(i)) continue;
      const r = await muxAsk(mux, h.server.port, DhcpMessageType.REQUEST, {
        ...clients[i]!, requestedIp: offers[i - 10]!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: grantOf(offers[i - 10]!).params,
      });
      expect(r?.type).toBe(DhcpMessageType.ACK);
      settled.set(i, grantOf(r!));
    }
    expect(settled.size).toBe(30);
    expect(ackedInFlight).toBeGreaterThanOrEqual(1);

    // Every lease renews with the same address and port set on the new server.
    for (const [i, g] of settled) {
      const r = await muxAsk(mux, h.server.port, DhcpMessageType.REQUEST, { ...clients[i]!, ciaddr: g.address, portParams: g.params, unicast: true });
      expect(r?.type, `renew ${slotText(g)}`).toBe(DhcpMessageType.ACK);
      expect(grantOf(r!)).toEqual(g);
    }
    // The new server's free-slot index knows them: a newcomer gets a pair no one holds.
    const newcomer = await muxDora(mux, h.server.port, { mac: macOf(9999), shared: true });
    const held = new Set([...settled.values()].map(slotText));
    expect(held.has(slotText(grantOf(newcomer!.ack!)))).toBe(false);
  });
});
