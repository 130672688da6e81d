/**
 * protocol.md §8: every test vector decodes to the annotated values and encodes back to
 * the same bytes.
 */
import { describe, expect, test } from "vitest";
import {
  clientIdentifier,
  createBootReply,
  decodeDhcp4o6Request,
  decodeDhcp4oDhcp6Servers,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  decodeS46BindIpv6Prefix,
  decodeS46Br,
  dhcpMessageType,
  domainNameServers,
  encodeDhcp4o6Response,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  formatIpv4,
  formatIpv6,
  getDhcpv4Option,
  getDhcpv6Option,
  interfaceId,
  leaseTime,
  parameterRequestList,
  portParams,
  rebindingTime,
  renewalTime,
  requestedIpAddress,
  requestedOptions,
  requestsDhcpv6Option,
  requestsOption,
  rfc4361ClientId,
  serverIdentifier,
  softwireSource,
  subnetMask,
  wrapInRelayReplies,
  type Dhcp4o6Message,
  type Dhcpv4Message,
  type Dhcpv6Message,
  type RelayMessage,
} from "../../../server/wire/index";
import { toHex } from "./helpers";
import { TV1, TV10, TV2, TV3, TV4, TV5, TV6, TV7, TV8, TV9, VECTORS } from "./vectors";

// type 255, IAID 1, DUID-LL Ethernet 02:00:00:00:00:01 (§8.1)
const CLIENT_ID = "ff" + "00000001" + "0003" + "0001" + "020000000001";
const CHADDR = "02000000000100000000000000000000";
const SOFTWIRE_SOURCE = "2001:db8:2::c000:20a:5";

function as4o6(m: Dhcpv6Message): Dhcp4o6Message {
  expect(m.kind).toBe("4o6");
  return m as Dhcp4o6Message;
}

function asRelay(m: Dhcpv6Message): RelayMessage {
  expect(m.kind).toBe("relay");
  return m as RelayMessage;
}

function inner4(m: Dhcp4o6Message): Dhcpv4Message {
  const all = m.options.filter((o) => o.code === 87);
  expect(all).toHaveLength(1);
  return decodeDhcpv4Message(all[0]!.data);
}

/** Header fields common to every vector's DHCPv4 message (§8.1). */
function expectCommonHeader(v4: Dhcpv4Message, op: 1 | 2, xid: number): void {
  expect(v4.op).toBe(op);
  expect(v4.htype).toBe(1);
  expect(v4.hlen).toBe(6);
  expect(v4.hops).toBe(0);
  expect(v4.xid).toBe(xid);
  expect(v4.secs).toBe(0);
  expect(v4.flags).toBe(0);
  expect(v4.siaddr).toBe(0);
  expect(v4.giaddr).toBe(0);
  expect(toHex(v4.chaddr)).toBe(CHADDR);
  expect(v4.sname.every((b) => b === 0)).toBe(true);
  expect(v4.file.every((b) => b === 0)).toBe(true);
  expect(v4.sname).toHaveLength(64);
  expect(v4.file).toHaveLength(128);
}

function expectDiscover(v4: Dhcpv4Message): void {
  expectCommonHeader(v4, 1, 0x12345678);
  expect(v4.ciaddr).toBe(0);
  expect(v4.yiaddr).toBe(0);
  expect(v4.options.map((o) => o.code)).toEqual([53, 61, 55]);
  expect(dhcpMessageType(v4)).toBe(1);
  expect(toHex(clientIdentifier(v4)!)).toBe(CLIENT_ID);
  expect([...parameterRequestList(v4)!]).toEqual([1, 3, 6, 159]);
  expect(requestsOption(v4, 159)).toBe(true);
  const id = rfc4361ClientId(clientIdentifier(v4)!)!;
  expect(id.iaid).toBe(1);
  expect(toHex(id.duid)).toBe("00030001020000000001");
}

/** The reply options of TV2 / TV8 up to 159 (§8.3, §8.9). */
function expectReplyOptions(v4: Dhcpv4Message, type: number): void {
  expectCommonHeader(v4, 2, 0x12345678);
  expect(v4.ciaddr).toBe(0);
  expect(formatIpv4(v4.yiaddr)).toBe("192.0.2.10");
  expect(dhcpMessageType(v4)).toBe(type);
  expect(formatIpv4(serverIdentifier(v4)!)).toBe("192.0.2.1");
  expect(leaseTime(v4)).toBe(3600);
  expect(renewalTime(v4)).toBe(1800);
  expect(rebindingTime(v4)).toBe(3150);
  expect(subnetMask(v4)).toBe(0xffffffff);
  expect(domainNameServers(v4)!.map(formatIpv4)).toEqual(["192.0.2.53"]);
  expect(toHex(clientIdentifier(v4)!)).toBe(CLIENT_ID);
  expect(portParams(v4)).toEqual({ offset: 6, psidLength: 4, psid: 5 });
  expect(toHex(getDhcpv4Option(v4, 159)!)).toBe("06045000");
}

describe("protocol.md §8 test vectors", () => {
  test.each(Object.entries(VECTORS))("%s encodes back to the same bytes", (_name, bytes) => {
    expect(toHex(encodeDhcpv6Message(decodeDhcpv6Message(bytes)))).toBe(toHex(bytes));
  });

  test("the embedded DHCPv4 messages encode back to the same bytes", () => {
    for (const bytes of [TV1, TV2, TV5, TV7, TV8]) {
      const data = getDhcpv6Option(as4o6(decodeDhcpv6Message(bytes)), 87)!;
      expect(toHex(encodeDhcpv4Message(decodeDhcpv4Message(data)))).toBe(toHex(data));
    }
  });

  test("TV1: DHCPV4-QUERY / DHCPDISCOVER, U = 0 (§8.2)", () => {
    expect(TV1).toHaveLength(275);
    const m = as4o6(decodeDhcpv6Message(TV1));
    expect(m.msgType).toBe(20);
    expect(m.unicast).toBe(false);
    expect(m.mbzFlags).toBe(0);
    expect(m.options.map((o) => [o.code, o.data.length])).toEqual([[87, 267]]);
    expectDiscover(inner4(m));
  });

  test("TV2: DHCPV4-RESPONSE / DHCPOFFER with 159 (§8.3)", () => {
    expect(TV2).toHaveLength(311);
    const m = as4o6(decodeDhcpv6Message(TV2));
    expect(m.msgType).toBe(21);
    expect(m.unicast).toBe(false);
    expect(m.mbzFlags).toBe(0);
    expect(m.options.map((o) => [o.code, o.data.length])).toEqual([[87, 303]]);
    const v4 = inner4(m);
    expect(v4.options.map((o) => o.code)).toEqual([53, 54, 51, 58, 59, 1, 6, 61, 159]);
    expectReplyOptions(v4, 2);
  });

  test("TV3: TV1 relayed in a RELAY-FORW with Interface-Id (§8.4)", () => {
    expect(TV3).toHaveLength(323);
    const r = asRelay(decodeDhcpv6Message(TV3));
    expect(r.msgType).toBe(12);
    expect(r.hopCount).toBe(0);
    expect(formatIpv6(r.linkAddress)).toBe("2001:db8:1::1");
    expect(formatIpv6(r.peerAddress)).toBe("fe80::1");
    expect(r.options.map((o) => o.code)).toEqual([18]);
    expect(r.relayMessageIndex).toBe(1);
    expect(Buffer.from(interfaceId(r)!).toString("latin1")).toBe("ifid-1");
    expect(toHex(encodeDhcpv6Message(r.message))).toBe(toHex(TV1));
    expectDiscover(inner4(as4o6(r.message)));
  });

  test("TV4: TV2 relayed back in a RELAY-REPL echoing Interface-Id (§8.5)", () => {
    expect(TV4).toHaveLength(359);
    const r = asRelay(decodeDhcpv6Message(TV4));
    expect(r.msgType).toBe(13);
    expect(r.hopCount).toBe(0);
    expect(formatIpv6(r.linkAddress)).toBe("2001:db8:1::1");
    expect(formatIpv6(r.peerAddress)).toBe("fe80::1");
    expect(toHex(interfaceId(r)!)).toBe("696669642d31");
    expect(toHex(encodeDhcpv6Message(r.message))).toBe(toHex(TV2));
  });

  test("TV5: DHCPREQUEST in RENEWING, U = 1, with 159 and 109 (§8.6)", () => {
    expect(TV5).toHaveLength(299);
    const m = as4o6(decodeDhcpv6Message(TV5));
    expect(m.msgType).toBe(20);
    expect(m.unicast).toBe(true);
    expect(m.mbzFlags).toBe(0);
    const v4 = inner4(m);
    expectCommonHeader(v4, 1, 0x9abcdef0);
    expect(formatIpv4(v4.ciaddr)).toBe("192.0.2.10");
    expect(v4.options.map((o) => o.code)).toEqual([53, 61, 55, 159, 109]);
    expect(dhcpMessageType(v4)).toBe(3);
    expect(requestedIpAddress(v4)).toBeUndefined();
    expect(serverIdentifier(v4)).toBeUndefined();
    expect(portParams(v4)).toEqual({ offset: 6, psidLength: 4, psid: 5 });
    expect(formatIpv6(softwireSource(v4)!)).toBe(SOFTWIRE_SOURCE);
  });

  test("TV6: DHCPv6 REPLY with option 88 (§8.7)", () => {
    const m = decodeDhcpv6Message(TV6);
    expect(m).toMatchObject({ kind: "client-server", msgType: 7, transactionId: 0xabcdef });
    const servers = decodeDhcp4oDhcp6Servers(getDhcpv6Option(m, 88)!);
    expect(servers.map(formatIpv6)).toEqual(["2001:db8::4"]);
  });

  test("TV7: DHCPREQUEST (SELECTING) with ORO [90, 137], 50, 54, 159, 109 (§8.8)", () => {
    expect(TV7).toHaveLength(319);
    const m = as4o6(decodeDhcpv6Message(TV7));
    expect(m.unicast).toBe(false);
    expect(m.options.map((o) => o.code)).toEqual([6, 87]);
    expect(requestedOptions(m)).toEqual([90, 137]);
    expect(requestsDhcpv6Option(m, 90)).toBe(true);
    expect(requestsDhcpv6Option(m, 88)).toBe(false);
    const v4 = inner4(m);
    expectCommonHeader(v4, 1, 0x12345678);
    expect(v4.options.map((o) => o.code)).toEqual([53, 61, 55, 50, 54, 159, 109]);
    expect(dhcpMessageType(v4)).toBe(3);
    expect(formatIpv4(requestedIpAddress(v4)!)).toBe("192.0.2.10");
    expect(formatIpv4(serverIdentifier(v4)!)).toBe("192.0.2.1");
    expect(portParams(v4)).toEqual({ offset: 6, psidLength: 4, psid: 5 });
    expect(formatIpv6(softwireSource(v4)!)).toBe(SOFTWIRE_SOURCE);
  });

  test("TV8: DHCPACK with 159 and 109, plus DHCPv6 options 90 and 137 (§8.9)", () => {
    expect(TV8).toHaveLength(362);
    const m = as4o6(decodeDhcpv6Message(TV8));
    expect(m.msgType).toBe(21);
    expect(m.options.map((o) => [o.code, o.data.length])).toEqual([[87, 321], [90, 16], [137, 9]]);
    expect(formatIpv6(decodeS46Br(getDhcpv6Option(m, 90)!))).toBe("2001:db8:ffff::1");
    const prefix = decodeS46BindIpv6Prefix(getDhcpv6Option(m, 137)!);
    expect(prefix.prefixLength).toBe(64);
    expect(formatIpv6(prefix.prefix)).toBe("2001:db8:2::");
    const v4 = inner4(m);
    expect(v4.options.map((o) => o.code)).toEqual([53, 54, 51, 58, 59, 1, 6, 61, 159, 109]);
    expectReplyOptions(v4, 5);
    expect(formatIpv6(softwireSource(v4)!)).toBe(SOFTWIRE_SOURCE);
  });

  test("TV9: two relays, hop-count 1 outside 0 inside (§8.10)", () => {
    expect(TV9).toHaveLength(361);
    const outer = asRelay(decodeDhcpv6Message(TV9));
    expect(outer.msgType).toBe(12);
    expect(outer.hopCount).toBe(1);
    expect(formatIpv6(outer.linkAddress)).toBe("::");
    expect(formatIpv6(outer.peerAddress)).toBe("2001:db8:1::1");
    expect(outer.options).toEqual([]);
    expect(toHex(encodeDhcpv6Message(outer.message))).toBe(toHex(TV3));
  });

  test("TV10: two RELAY-REPL layers around TV4's response (§8.10)", () => {
    expect(TV10).toHaveLength(397);
    const outer = asRelay(decodeDhcpv6Message(TV10));
    expect(outer.msgType).toBe(13);
    expect(outer.hopCount).toBe(1);
    expect(formatIpv6(outer.linkAddress)).toBe("::");
    expect(formatIpv6(outer.peerAddress)).toBe("2001:db8:1::1");
    expect(toHex(encodeDhcpv6Message(outer.message))).toBe(toHex(TV4));
  });
});

describe("the server's hot path reproduces the vectors", () => {
  test("decodeDhcp4o6Request(TV3) gives the relay chain, the query and the DISCOVER", () => {
    const req = decodeDhcp4o6Request(TV3);
    expect(req.relays).toHaveLength(1);
    expect(formatIpv6(req.relays[0]!.peerAddress)).toBe("fe80::1");
    expect(req.query.msgType).toBe(20);
    expect(req.query.unicast).toBe(false);
    expectDiscover(req.dhcpv4);
  });

  test("decodeDhcp4o6Request(TV9) lists relays innermost first", () => {
    const req = decodeDhcp4o6Request(TV9);
    expect(req.relays.map((r) => r.hopCount)).toEqual([0, 1]);
    expect(req.relays.map((r) => formatIpv6(r.peerAddress))).toEqual(["fe80::1", "2001:db8:1::1"]);
    expect(req.relays.map((r) => formatIpv6(r.linkAddress))).toEqual(["2001:db8:1::1", "::"]);
  });

  test("decodeDhcp4o6Request(TV5) reads U = 1", () => {
    expect(decodeDhcp4o6Request(TV5).query.unicast).toBe(true);
  });

  const offerOf = (bytes: Uint8Array) => inner4(as4o6(decodeDhcpv6Message(bytes)));

  test("an OFFER built from TV1's DISCOVER encodes to TV2, and relayed to TV4 and TV10", () => {
    const req = decodeDhcp4o6Request(TV1);
    const offer = createBootReply(req.dhcpv4, { yiaddr: 0xc000020a, options: offerOf(TV2).options });
    expect(toHex(encodeDhcp4o6Response({ dhcpv4: offer, relays: req.relays }))).toBe(toHex(TV2));
    const relayed = decodeDhcp4o6Request(TV3);
    expect(toHex(encodeDhcp4o6Response({ dhcpv4: offer, relays: relayed.relays }))).toBe(toHex(TV4));
    const twice = decodeDhcp4o6Request(TV9);
    expect(toHex(encodeDhcp4o6Response({ dhcpv4: offer, relays: twice.relays }))).toBe(toHex(TV10));
  });

  test("the generic relay-reply builder gives the same bytes", () => {
    const twice = decodeDhcp4o6Request(TV9);
    const response = as4o6(decodeDhcpv6Message(TV2));
    expect(toHex(encodeDhcpv6Message(wrapInRelayReplies(twice.relays, response)))).toBe(toHex(TV10));
  });

  test("TV8 from the ACK plus options 90 and 137", () => {
    const m = as4o6(decodeDhcpv6Message(TV8));
    const ack = inner4(m);
    const bytes = encodeDhcp4o6Response({ dhcpv4: ack, options: m.options.filter((o) => o.code !== 87) });
    expect(toHex(bytes)).toBe(toHex(TV8));
  });
});
