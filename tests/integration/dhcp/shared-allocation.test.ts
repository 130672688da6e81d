// protocol.md §4.6, the shared-allocation checklist (RFC 7618 with RFC 7597 §5.1 port sets),
// over real UDP: who gets a shared address, which (address, PSID) is chosen, and how REQUEST,
// RELEASE, DECLINE and INFORM treat the pair.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portRanges } from "@/server/psid";
import { DhcpMessageType, clientIdentifier, getDhcpv4Option, portParams, type PortParams } from "@/server/wire";
import { testBackends } from "../support/databases";
import { ip, macOf, rfc4361ClientIdOf } from "../../support/test-client";
import {
  Harness,
  SILENCE_MS,
  TEST_SERVER_ID,
  ask,
  discover,
  dora,
  grantOf,
  hasOption,
  hex,
  leaseAt,
  leaseRows,
  renew,
  slotText,
  viaRelay,
  type Grant,
} from "./harness";

const backends = await testBackends();

const RESERVED = [
  { first: 1300, last: 1300 },
  { first: 8080, last: 8080 },
];
const POOLS = [
  { name: "shared", kind: "shared", range: "192.0.2.0/30", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
  { name: "dedicated", kind: "dedicated", range: "198.51.100.0/24", leaseTime: 3600 },
  // Two addresses, 8 PSIDs each, less those whose port sets hold a reserved port.
  { name: "tiny", kind: "shared", range: "192.0.2.16-192.0.2.17", psidOffset: 6, psidLength: 3, reservedPorts: ["1300", "8080"], leaseTime: 3600, interfaceId: "tiny" },
  // Reached only through a relay with Interface-Id "shared-only": no dedicated pool for those clients.
  { name: "shared-only", kind: "shared", range: "192.0.2.32/30", psidOffset: 6, psidLength: 4, leaseTime: 3600, interfaceId: "shared-only" },
];

/** A pool the pool domain would refuse: 1-second leases, so that a binding expires during the test. */
async function seedShortLeasePool(db: Harness["db"]) {
  await db.pool.create({
    data: {
      name: "short", kind: "SHARED", firstAddress: BigInt(ip("192.0.2.48")), lastAddress: BigInt(ip("192.0.2.49")),
      psidOffset: 6, psidLength: 2, leaseTime: 1, interfaceId: Buffer.from("short").toString("hex"),
    },
  });
}

const tiny = viaRelay({ interfaceId: "tiny", peerAddress: "fe80::7" });
const sharedOnly = viaRelay({ interfaceId: "shared-only", peerAddress: "fe80::8" });
const short = viaRelay({ interfaceId: "short", peerAddress: "fe80::9" });

const inRange = (address: number, first: string, last: string) => address >= ip(first) && address <= ip(last);
const overlaps = (a: { first: number; last: number }, b: { first: number; last: number }) => a.first <= b.last && b.first <= a.last;

describe.each(backends)("shared allocation (protocol.md §4.6) on %s", (backend) => {
  let h: Harness;
  let n = 1000;
  /** A fresh client each time. */
  const client = (extra: Record<string, unknown> = {}) => ({ mac: macOf(n++), ...extra });

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS, {}, seedShortLeasePool);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe("DHCPDISCOVER", () => {
    it("offers yiaddr with option 159 (length 4, the pool's offset and PSID length) when the PRL lists 159", async () => {
      const offer = await discover(h.client, client({ shared: true }));
      expect(inRange(offer.dhcpv4.yiaddr, "192.0.2.0", "192.0.2.3")).toBe(true);
      expect(getDhcpv4Option(offer.dhcpv4, 159)).toHaveLength(4);
      expect(portParams(offer.dhcpv4)).toMatchObject({ offset: 6, psidLength: 4 });
    });

    it("offers no 159 and never a shared address when the PRL lacks 159", async () => {
      const offer = await discover(h.client, client({ prl: [1, 3, 6, 51, 54] }));
      expect(hasOption(offer, 159)).toBe(false);
      expect(inRange(offer.dhcpv4.yiaddr, "198.51.100.0", "198.51.100.255")).toBe(true);
      // Not even with a 159 hint in the DISCOVER: the PRL is what asks (RFC 7618 §8.1).
      const hinted = await discover(h.client, client({ prl: [1, 3, 6], portParams: { offset: 6, psidLength: 4, psid: 3 } }));
      expect(hasOption(hinted, 159)).toBe(false);
      expect(inRange(hinted.dhcpv4.yiaddr, "198.51.100.0", "198.51.100.255")).toBe(true);
    });

    it("stays silent when the PRL lacks 159 and only shared pools serve the client (RFC 7618 §8.1)", async () => {
      const c = client({ via: sharedOnly });
      expect(await ask(h.client, DhcpMessageType.DISCOVER, { ...c, prl: [1, 3, 6] }, SILENCE_MS)).toBeNull();
      expect(await ask(h.client, DhcpMessageType.DISCOVER, { ...c, prl: [] }, SILENCE_MS)).toBeNull();
      // The same client asking for 159 is served from that pool.
      const offer = await discover(h.client, { ...c, shared: true });
      expect(inRange(offer.dhcpv4.yiaddr, "192.0.2.32", "192.0.2.35")).toBe(true);
    });

    it("re-offers the same (address, PSID) to a client with a binding (RFC 7618 §8 step 1)", async () => {
      const c = client({ shared: true });
      const { grant } = await dora(h.client, c);
      // Other clients move the allocation cursor on.
      await discover(h.client, client({ shared: true }));
      const again = await discover(h.client, c);
      expect(grantOf(again)).toEqual(grant);
    });

    it("re-offers the pair of an expired binding while it is free, before and after the expiry sweep (RFC 7618 §8 step 2)", async () => {
      const a = client({ shared: true, via: short });
      const b = client({ shared: true, via: short });
      const ga = (await dora(h.client, a)).grant;
      const gb = (await dora(h.client, b)).grant;
      expect(slotText(ga)).not.toBe(slotText(gb));
      h.advance(1100); // both 1-second leases have expired
      // a: expired by time, not yet swept.
      expect(grantOf(await discover(h.client, a))).toEqual(ga);
      // b: swept to EXPIRED first.
      await h.server.allocator.sweep();
      expect((await leaseAt(h.db, gb.address, gb.params!.psid))?.state).toBe("EXPIRED");
      expect(grantOf(await discover(h.client, b))).toEqual(gb);
    });

    it("offers the pair asked for with option 50 + 159 when it is free (RFC 7618 §8 step 3)", async () => {
      const wanted: PortParams = { offset: 6, psidLength: 4, psid: 9 };
      const offer = await discover(h.client, client({ shared: true, requestedIp: ip("192.0.2.3"), portParams: wanted }));
      expect(offer.dhcpv4.yiaddr).toBe(ip("192.0.2.3"));
      expect(portParams(offer.dhcpv4)).toEqual(wanted);
      // Another client asking for the same pair gets another one.
      const other = await discover(h.client, client({ shared: true, requestedIp: ip("192.0.2.3"), portParams: wanted }));
      expect(slotText(grantOf(other))).not.toBe(slotText(grantOf(offer)));
    });

    it("fills a pool: never a port set with a reserved or well-known port, never one pair twice, addresses shared, one layout per address", async () => {
      const grants: Grant[] = [];
      const owners = new Map<string, string>();
      for (let i = 0; i < 20; i++) {
        const c = client({ shared: true, via: tiny });
        const offer = await ask(h.client, DhcpMessageType.DISCOVER, c, SILENCE_MS);
        if (!offer) break;
        const ack = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: offer.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: portParams(offer.dhcpv4) });
        expect(ack?.type).toBe(DhcpMessageType.ACK);
        const g = grantOf(ack!);
        expect(owners.has(slotText(g)), `pair ${slotText(g)} granted twice`).toBe(false);
        owners.set(slotText(g), hex(c.mac));
        grants.push(g);
      }
      // 2 addresses x 8 PSIDs, less the PSIDs whose port sets hold 1300 or 8080.
      const excluded = new Set<number>();
      for (let psid = 0; psid < 8; psid++) {
        if (portRanges({ offset: 6, psidLength: 3, psid }).some((r) => RESERVED.some((x) => overlaps(r, x)))) excluded.add(psid);
      }
      expect(excluded.size).toBeGreaterThan(0);
      expect(grants).toHaveLength(2 * (8 - excluded.size));
      for (const g of grants) {
        expect(g.params).toMatchObject({ offset: 6, psidLength: 3 });
        expect(excluded.has(g.params!.psid)).toBe(false);
        for (const range of portRanges(g.params!)) {
          for (const reserved of [...RESERVED, { first: 0, last: 1023 }]) expect(overlaps(range, reserved), `PSID ${g.params!.psid} ${range.first}-${range.last}`).toBe(false);
        }
      }
      // Several clients on one address, each with its own PSID.
      const perAddress = new Map<number, Set<number>>();
      for (const g of grants) perAddress.set(g.address, (perAddress.get(g.address) ?? new Set()).add(g.params!.psid));
      expect([...perAddress.values()].every((psids) => psids.size === 8 - excluded.size)).toBe(true);
      // The database agrees: one BOUND row per pair, each of a different client.
      const bound = (await leaseRows(h.db)).filter((r) => r.state === "BOUND" && inRange(r.address, "192.0.2.16", "192.0.2.17"));
      expect(bound).toHaveLength(grants.length);
      expect(new Set(bound.map((r) => r.clientId)).size).toBe(grants.length);
      // The pool is full: the next client is not offered anything from it.
      expect(await ask(h.client, DhcpMessageType.DISCOVER, client({ shared: true, via: tiny }), SILENCE_MS)).toBeNull();
    });
  });

  describe("DHCPREQUEST / DHCPACK", () => {
    it("ACKs with a 159 identical to the stored lease, echoes option 61, and keys the lease by client-id, address and PSID", async () => {
      const c = client({ shared: true });
      const { ack, grant } = await dora(h.client, c);
      const row = await leaseAt(h.db, grant.address, grant.params!.psid);
      expect(row?.state).toBe("BOUND");
      expect(row?.clientId).toBe(hex(rfc4361ClientIdOf(c.mac)));
      const pool = await h.db.pool.findUniqueOrThrow({ where: { id: row!.poolId } });
      expect(grant.params).toEqual({ offset: pool.psidOffset, psidLength: pool.psidLength, psid: row!.psid });
      expect(hex(clientIdentifier(ack.dhcpv4)!)).toBe(hex(rfc4361ClientIdOf(c.mac)));
    });

    it("ACKs a RENEWING and a REBINDING REQUEST carrying the right 159, with that 159", async () => {
      const c = client({ shared: true });
      const { grant } = await dora(h.client, c);
      for (const unicast of [true, false]) {
        const r = await renew(h.client, c, grant, { unicast });
        expect(r?.type, unicast ? "RENEWING" : "REBINDING").toBe(DhcpMessageType.ACK);
        expect(grantOf(r!)).toEqual(grant);
      }
    });

    it("NAKs a RENEWING or REBINDING REQUEST whose 159 names another PSID, a free one or another client's [design]", async () => {
      const c = client({ shared: true });
      const other = client({ shared: true });
      const { grant } = await dora(h.client, c);
      const hint = { ...grant.params!, psid: (grant.params!.psid + 1) % 16 };
      const { grant: otherGrant } = await dora(h.client, { ...other, requestedIp: grant.address, portParams: hint });
      expect(otherGrant.address).toBe(grant.address);
      const free = [...Array(16).keys()].find((p) => p !== grant.params!.psid && p !== otherGrant.params!.psid)!;
      for (const unicast of [true, false]) {
        for (const psid of [otherGrant.params!.psid, free]) {
          const r = await renew(h.client, c, { address: grant.address, params: { ...grant.params!, psid } }, { unicast });
          expect(r?.type, `${unicast ? "RENEWING" : "REBINDING"} with PSID ${psid}`).toBe(DhcpMessageType.NAK);
        }
      }
      // A wrong offset or PSID length is just as wrong.
      const badLayout = await renew(h.client, c, { address: grant.address, params: { ...grant.params!, psidLength: 5 } });
      expect(badLayout?.type).toBe(DhcpMessageType.NAK);
      // Neither lease changed hands.
      expect((await leaseAt(h.db, grant.address, grant.params!.psid))?.clientId).toBe(hex(rfc4361ClientIdOf(c.mac)));
      expect((await leaseAt(h.db, otherGrant.address, otherGrant.params!.psid))?.clientId).toBe(hex(rfc4361ClientIdOf(other.mac)));
      expect((await renew(h.client, c, grant))?.type).toBe(DhcpMessageType.ACK);
    });
  });

  describe("DHCPRELEASE / DHCPDECLINE / DHCPINFORM", () => {
    it("RELEASE with ciaddr + 159 frees exactly that pair, leaves the address's other PSIDs bound, and gets no reply", async () => {
      const a = client({ shared: true });
      const b = client({ shared: true });
      const ga = (await dora(h.client, a)).grant;
      const gb = (await dora(h.client, { ...b, requestedIp: ga.address, portParams: { ...ga.params!, psid: (ga.params!.psid + 1) % 16 } })).grant;
      expect(gb.address).toBe(ga.address);
      const release = await ask(h.client, DhcpMessageType.RELEASE, { ...a, ciaddr: ga.address, portParams: ga.params, serverId: TEST_SERVER_ID }, SILENCE_MS);
      expect(release).toBeNull();
      expect((await leaseAt(h.db, ga.address, ga.params!.psid))?.state).toBe("RELEASED");
      expect((await leaseAt(h.db, gb.address, gb.params!.psid))?.state).toBe("BOUND");
      expect((await renew(h.client, b, gb))?.type).toBe(DhcpMessageType.ACK);
      // The freed pair can be offered to someone else.
      const c = client({ shared: true, requestedIp: ga.address, portParams: ga.params });
      expect(grantOf(await discover(h.client, c))).toEqual(ga);
    });

    it("DECLINE quarantines only that pair, without a reply [design]", async () => {
      const a = client({ shared: true });
      const ga = (await dora(h.client, a)).grant;
      const decline = await ask(h.client, DhcpMessageType.DECLINE, { ...a, requestedIp: ga.address, portParams: ga.params, serverId: TEST_SERVER_ID }, SILENCE_MS);
      expect(decline).toBeNull();
      const row = await leaseAt(h.db, ga.address, ga.params!.psid);
      expect(row?.state).toBe("DECLINED");
      expect(row?.quarantineUntil?.getTime()).toBeGreaterThan(Date.now());
      // Asking for the declined pair gets another one; the address's other PSIDs are still handed out.
      const other = await discover(h.client, client({ shared: true, requestedIp: ga.address, portParams: ga.params }));
      expect(slotText(grantOf(other))).not.toBe(slotText(ga));
      // Offers of a single worker live in its memory only: ask it which pairs are held.
      const neighbour = { ...ga.params!, psid: [...Array(16).keys()].find((p) => !h.server.allocator.holderOf(ga.address, p))! };
      const sameAddress = await discover(h.client, client({ shared: true, requestedIp: ga.address, portParams: neighbour }));
      expect(sameAddress.dhcpv4.yiaddr).toBe(ga.address);
      expect(portParams(sameAddress.dhcpv4)).toEqual(neighbour);
      // The client that declined cannot renew it.
      expect((await renew(h.client, a, ga))?.type).toBe(DhcpMessageType.NAK);
    });

    it("answers INFORM from a shared-address client with an ACK without 51 and without 159 [design]", async () => {
      const a = client({ shared: true });
      const ga = (await dora(h.client, a)).grant;
      const before = (await leaseRows(h.db)).length;
      const r = await ask(h.client, DhcpMessageType.INFORM, { ...a, ciaddr: ga.address, prl: [1, 51, 159, 54] });
      expect(r?.type).toBe(DhcpMessageType.ACK);
      expect(hasOption(r!, 51)).toBe(false);
      expect(hasOption(r!, 159)).toBe(false);
      expect(r!.dhcpv4.yiaddr).toBe(0);
      expect((await leaseRows(h.db)).length).toBe(before);
    });
  });
});
