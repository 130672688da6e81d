// protocol.md §7.8, the DHCPv4 message-handling checklist (RFC 2131, RFC 2132, RFC 6842 in the
// 4o6 context): reply headers and options per RFC 2131 Table 3, the REQUEST states, NAK,
// DECLINE, RELEASE, INFORM, and parsing robustness of the embedded DHCPv4 message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DhcpMessageType,
  clientIdentifier,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  getDhcpv4Option,
  leaseTime,
  maxMessageSizeOption,
  portParams,
  serverIdentifier,
  type Dhcp4o6Message,
} from "@/server/wire";
import { testBackends } from "../support/databases";
import { dhcpv4Query, dhcpv4Request, ip, macOf, rfc4361ClientIdOf, type Response } from "../../support/test-client";
import {
  Harness,
  SILENCE_MS,
  TEST_SERVER_ID,
  ask,
  discover,
  dora,
  exchange,
  grantOf,
  hasOption,
  hex,
  leaseAt,
  leaseRows,
  optionCodes,
  renew,
  selectingRequest,
  type Ask,
} from "./harness";

const backends = await testBackends();

const POOLS = [
  {
    name: "dedicated", kind: "dedicated", range: "198.51.100.16-198.51.100.200", subnetMask: 24, routers: ["198.51.100.1"],
    dnsServers: ["198.51.100.2", "198.51.100.3"], leaseTime: 3600,
  },
  { name: "shared", kind: "shared", range: "192.0.2.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
];

const inDedicated = (a: number) => a >= ip("198.51.100.16") && a <= ip("198.51.100.200");
const OTHER_SERVER = ip("192.0.2.253");

/** A DHCPV4-QUERY around a hand-written DHCPv4 message: header of a DISCOVER, then `options` after the cookie. */
function rawQuery(mac: Uint8Array, options: number[], fields: { file?: number[]; sname?: number[] } = {}): Dhcp4o6Message {
  const header = encodeDhcpv4Message({ ...dhcpv4Request({ type: DhcpMessageType.DISCOVER, mac }), options: [] }).subarray(0, 240);
  const v4 = new Uint8Array(240 + options.length);
  v4.set(header);
  if (fields.sname) v4.set(fields.sname, 44);
  if (fields.file) v4.set(fields.file, 108);
  v4.set(options, 240);
  return { kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(v4)] };
}

const tlv = (code: number, bytes: readonly number[]) => [code, bytes.length, ...bytes];

/** RFC 2131 Table 3: options a reply never carries. */
function expectNoForbiddenOptions(r: Response) {
  for (const code of [50, 55, 57]) expect(hasOption(r, code), `option ${code} in a reply`).toBe(false);
}

describe.each(backends)("DHCPv4 message handling (protocol.md §7.8) on %s", (backend) => {
  let h: Harness;
  let n = 5000;
  const client = (extra: Partial<Ask> = {}): Ask => ({ mac: macOf(n++), ...extra });

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe("DHCPDISCOVER → DHCPOFFER", () => {
    it("builds the OFFER header per Table 3: op 2; xid, flags, giaddr, chaddr, htype, hlen copied; hops, secs, ciaddr 0; yiaddr set", async () => {
      const c = client();
      const request = dhcpv4Request({ type: DhcpMessageType.DISCOVER, ...c, xid: 0xdeadbeef });
      Object.assign(request, { flags: 0x8000, giaddr: ip("10.1.2.3"), hops: 3, secs: 9 });
      const r = await exchange(h.client, dhcpv4Query(request));
      expect(r?.type).toBe(DhcpMessageType.OFFER);
      const v4 = r!.dhcpv4;
      expect(v4).toMatchObject({ op: 2, htype: 1, hlen: 6, hops: 0, secs: 0, xid: 0xdeadbeef, flags: 0x8000, giaddr: ip("10.1.2.3"), ciaddr: 0, siaddr: 0 });
      expect(hex(v4.chaddr)).toBe(hex(request.chaddr));
      expect(inDedicated(v4.yiaddr)).toBe(true);
    });

    it("carries 53 = 2, 54 and 51, echoes option 61 byte-identical, and has no 61 when none was sent", async () => {
      const c = client();
      const r = await discover(h.client, c);
      expect(getDhcpv4Option(r.dhcpv4, 53)?.[0]).toBe(DhcpMessageType.OFFER);
      expect(serverIdentifier(r.dhcpv4)).toBe(TEST_SERVER_ID);
      expect(leaseTime(r.dhcpv4)).toBeGreaterThan(0);
      expect(hex(clientIdentifier(r.dhcpv4)!)).toBe(hex(rfc4361ClientIdOf(c.mac)));
      // A legacy client (RFC 9928 4o6 relay) without option 61: served by chaddr, no 61 back (RFC 6842 §3).
      const legacy = await discover(h.client, client({ clientId: null }));
      expect(hasOption(legacy, 61)).toBe(false);
    });

    it("never puts 50, 55 or 57 in a reply, even when the request carries them", async () => {
      const c = client({ requestedIp: ip("198.51.100.150"), extraOptions: [maxMessageSizeOption(1500)] });
      const offer = await discover(h.client, c);
      expectNoForbiddenOptions(offer);
      const ack = await selectingRequest(h.client, { ...c, extraOptions: [maxMessageSizeOption(1500)] }, offer);
      expect(ack?.type).toBe(DhcpMessageType.ACK);
      expectNoForbiddenOptions(ack!);
    });

    it("returns requested options in the order of the PRL, keeping the subnet mask before the router (RFC 2132 §9.8, §3.3)", async () => {
      const position = (r: Response, code: number) => optionCodes(r).indexOf(code);
      const inOrder = await discover(h.client, client({ prl: [6, 1, 3] }));
      expect([6, 1, 3].map((code) => position(inOrder, code))).toEqual([...[6, 1, 3].map((code) => position(inOrder, code))].sort((a, b) => a - b));
      expect(position(inOrder, 6)).toBeGreaterThanOrEqual(0);
      const reversed = await discover(h.client, client({ prl: [6, 3] }));
      expect(position(reversed, 6)).toBeLessThan(position(reversed, 3));
      // The PRL puts the router first, but the mask MUST come before it.
      const routerFirst = await discover(h.client, client({ prl: [3, 6, 1] }));
      expect(position(routerFirst, 1)).toBeGreaterThanOrEqual(0);
      expect(position(routerFirst, 1)).toBeLessThan(position(routerFirst, 3));
      expect(position(routerFirst, 3)).toBeLessThan(position(routerFirst, 6));
      // Shared offers: 159 takes its PRL place too.
      const shared = await discover(h.client, client({ prl: [159, 6, 1], shared: true }));
      expect(position(shared, 159)).toBeLessThan(position(shared, 1));
      // Nothing that was not asked for beyond the lease essentials: no DNS without 6 in the PRL.
      const noDns = await discover(h.client, client({ prl: [1] }));
      expect(hasOption(noDns, 6)).toBe(false);
    });
  });

  describe("DHCPREQUEST", () => {
    it("SELECTING for another server: no reply, and the offer is released for others (RFC 2131 §3.1 item 4)", async () => {
      const c = client();
      const offer = await discover(h.client, c);
      const r = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: offer.dhcpv4.yiaddr, serverId: OTHER_SERVER }, SILENCE_MS);
      expect(r).toBeNull();
      // A single worker keeps offers in memory: there is no row, and the address is free again.
      expect(await leaseAt(h.db, offer.dhcpv4.yiaddr, 0)).toBeUndefined();
      const other = await discover(h.client, client({ requestedIp: offer.dhcpv4.yiaddr }));
      expect(other.dhcpv4.yiaddr).toBe(offer.dhcpv4.yiaddr);
    });

    it("INIT-REBOOT: silence for an unknown client, ACK for the right address, NAK for a wrong one or another network (RFC 2131 §4.3.2)", async () => {
      const stranger = client();
      expect(await ask(h.client, DhcpMessageType.REQUEST, { ...stranger, requestedIp: ip("198.51.100.180") }, SILENCE_MS)).toBeNull();

      const c = client();
      const { grant } = await dora(h.client, c);
      const right = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: grant.address });
      expect(right?.type).toBe(DhcpMessageType.ACK);
      expect(right!.dhcpv4.yiaddr).toBe(grant.address);
      const wrong = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: grant.address === ip("198.51.100.181") ? ip("198.51.100.182") : ip("198.51.100.181") });
      expect(wrong?.type).toBe(DhcpMessageType.NAK);
      const otherNetwork = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: ip("203.0.113.7") });
      expect(otherNetwork?.type).toBe(DhcpMessageType.NAK);
      // The NAKs changed nothing: the lease is still the client's.
      expect((await leaseAt(h.db, grant.address, 0))?.state).toBe("BOUND");
    });

    it("INIT-REBOOT of a shared lease: ACK with the stored 159, NAK without 159 or with another PSID (protocol.md §4.4)", async () => {
      const c = client({ shared: true });
      const { grant } = await dora(h.client, c);
      const right = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: grant.address, portParams: grant.params });
      expect(right?.type).toBe(DhcpMessageType.ACK);
      expect(portParams(right!.dhcpv4)).toEqual(grant.params);
      const without = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: grant.address });
      expect(without?.type).toBe(DhcpMessageType.NAK);
      const otherPsid = await ask(h.client, DhcpMessageType.REQUEST, { ...c, requestedIp: grant.address, portParams: { ...grant.params!, psid: (grant.params!.psid + 5) % 16 } });
      expect(otherPsid?.type).toBe(DhcpMessageType.NAK);
    });

    it("tells RENEWING (U = 1) from REBINDING (U = 0) by the U flag: an unknown lease is NAKed when renewing, not answered when rebinding (RFC 7341 §8)", async () => {
      const stranger = client();
      const grant = { address: ip("198.51.100.190"), params: undefined };
      const renewing = await renew(h.client, stranger, grant, { unicast: true });
      expect(renewing?.type).toBe(DhcpMessageType.NAK);
      expect(await renew(h.client, stranger, grant, { unicast: false, timeoutMs: SILENCE_MS })).toBeNull();
      // A known client is ACKed in both states, with ciaddr kept in the ACK (Table 3).
      const c = client();
      const { grant: mine } = await dora(h.client, c);
      for (const unicast of [true, false]) {
        const r = await renew(h.client, c, mine, { unicast });
        expect(r?.type).toBe(DhcpMessageType.ACK);
        expect(r!.dhcpv4.ciaddr).toBe(mine.address);
        expect(r!.dhcpv4.yiaddr).toBe(mine.address);
      }
    });

    it("builds a DHCPNAK with yiaddr = ciaddr = siaddr = 0, 53 = 6, 54, no 51, 61 echoed, and nothing else but a message", async () => {
      const c = client();
      const nak = await renew(h.client, c, { address: ip("198.51.100.191"), params: undefined });
      expect(nak?.type).toBe(DhcpMessageType.NAK);
      expect(nak!.dhcpv4).toMatchObject({ op: 2, yiaddr: 0, ciaddr: 0, siaddr: 0 });
      expect(serverIdentifier(nak!.dhcpv4)).toBe(TEST_SERVER_ID);
      expect(hasOption(nak!, 51)).toBe(false);
      expect(hex(clientIdentifier(nak!.dhcpv4)!)).toBe(hex(rfc4361ClientIdOf(c.mac)));
      for (const code of optionCodes(nak!)) expect([53, 54, 56, 61]).toContain(code);
    });
  });

  describe("DHCPDECLINE / DHCPRELEASE / DHCPINFORM", () => {
    it("DECLINE: the address is quarantined, no reply (RFC 2131 §4.3.3)", async () => {
      const c = client();
      const { grant } = await dora(h.client, c);
      expect(await ask(h.client, DhcpMessageType.DECLINE, { ...c, requestedIp: grant.address, serverId: TEST_SERVER_ID }, SILENCE_MS)).toBeNull();
      const row = await leaseAt(h.db, grant.address, 0);
      expect(row?.state).toBe("DECLINED");
      expect(row?.quarantineUntil?.getTime()).toBeGreaterThan(Date.now());
      const other = await discover(h.client, client({ requestedIp: grant.address }));
      expect(other.dhcpv4.yiaddr).not.toBe(grant.address);
    });

    it("RELEASE: the address is freed, no reply (RFC 2131 §4.3.4)", async () => {
      const c = client();
      const { grant } = await dora(h.client, c);
      expect(await ask(h.client, DhcpMessageType.RELEASE, { ...c, ciaddr: grant.address, serverId: TEST_SERVER_ID }, SILENCE_MS)).toBeNull();
      expect((await leaseAt(h.db, grant.address, 0))?.state).toBe("RELEASED");
      const other = await discover(h.client, client({ requestedIp: grant.address }));
      expect(other.dhcpv4.yiaddr).toBe(grant.address);
    });

    it("INFORM: ACK with the configuration, without 51, yiaddr 0, and no lease row created (RFC 2131 §3.4, §4.3.5)", async () => {
      const before = await leaseRows(h.db);
      const c = client({ ciaddr: ip("198.51.100.199"), prl: [1, 3, 6, 51] });
      const r = await ask(h.client, DhcpMessageType.INFORM, c);
      expect(r?.type).toBe(DhcpMessageType.ACK);
      expect(r!.dhcpv4.yiaddr).toBe(0);
      expect(r!.dhcpv4.ciaddr).toBe(ip("198.51.100.199"));
      expect(hasOption(r!, 51)).toBe(false);
      expect(serverIdentifier(r!.dhcpv4)).toBe(TEST_SERVER_ID);
      expect(hasOption(r!, 1) && hasOption(r!, 3) && hasOption(r!, 6)).toBe(true);
      expectNoForbiddenOptions(r!);
      expect(await leaseRows(h.db)).toEqual(before);
    });
  });

  describe("parsing robustness", () => {
    const clientIdBytes = (mac: Uint8Array) => [...rfc4361ClientIdOf(mac)];

    it("skips Pad between options and ignores whatever follows End (RFC 2132 §3.1, §3.2)", async () => {
      const mac = macOf(n++);
      const options = [...tlv(53, [1]), 0, 0, 0, ...tlv(55, [1, 3, 159]), 0, ...tlv(61, clientIdBytes(mac)), 255, ...tlv(53, [7]), 1, 2, 3];
      const r = await exchange(h.client, rawQuery(mac, options));
      expect(r?.type).toBe(DhcpMessageType.OFFER);
      expect(portParams(r!.dhcpv4)).toBeDefined();
      expect(hex(clientIdentifier(r!.dhcpv4)!)).toBe(hex(rfc4361ClientIdOf(mac)));
    });

    it("reads overloaded options in the order options, file, sname (option 52 = 1, 2, 3; RFC 2131 §4.1)", async () => {
      for (const overload of [1, 2, 3]) {
        const mac = macOf(n++);
        const prl = [...tlv(55, [1, 159]), 255];
        const id = [...tlv(61, clientIdBytes(mac)), 255];
        const fields =
          overload === 1 ? { file: [...tlv(55, [1, 159]), ...tlv(61, clientIdBytes(mac)), 255] } : overload === 2 ? { sname: [...prl.slice(0, -1), ...id] } : { file: prl, sname: id };
        const r = await exchange(h.client, rawQuery(mac, [...tlv(53, [1]), ...tlv(52, [overload]), 255], fields));
        expect(r?.type, `overload ${overload}`).toBe(DhcpMessageType.OFFER);
        expect(portParams(r!.dhcpv4), `overload ${overload}: 159 asked for in the overloaded PRL`).toBeDefined();
        expect(hex(clientIdentifier(r!.dhcpv4)!)).toBe(hex(rfc4361ClientIdOf(mac)));
      }
    });

    it("drops a message whose option runs past the end, or that has no option 53 [design]", async () => {
      const mac = macOf(n++);
      expect(await exchange(h.client, rawQuery(mac, [...tlv(53, [1]), 61, 200, 255, 1, 2]), SILENCE_MS)).toBeNull();
      expect(await exchange(h.client, rawQuery(mac, [...tlv(55, [1, 3]), ...tlv(61, clientIdBytes(mac)), 255]), SILENCE_MS)).toBeNull();
      // The well-formed message from the same client is answered.
      expect((await exchange(h.client, rawQuery(mac, [...tlv(53, [1]), ...tlv(61, clientIdBytes(mac)), 255])))?.type).toBe(DhcpMessageType.OFFER);
    });
  });

  it("a dedicated DORA grants a whole address without 159, with the pool's mask and router (full DORA, dedicated)", async () => {
    const c = client();
    const { offer, ack, grant } = await dora(h.client, c);
    expect(grantOf(offer)).toEqual(grant);
    expect(grant.params).toBeUndefined();
    expect(inDedicated(grant.address)).toBe(true);
    expect([...getDhcpv4Option(ack.dhcpv4, 1)!]).toEqual([255, 255, 255, 0]);
    expect([...getDhcpv4Option(ack.dhcpv4, 3)!]).toEqual([198, 51, 100, 1]);
    const row = await leaseAt(h.db, grant.address, 0);
    expect(row).toMatchObject({ state: "BOUND", clientId: hex(rfc4361ClientIdOf(c.mac)) });
  });
});
