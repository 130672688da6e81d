/**
 * Independent check of server/wire: messages built by our encoders are written to pcap
 * files and dissected by tshark; its field values must be what we meant to encode.
 * protocol.md §8.11 gives the field names (tshark 4.0.17). tshark does not dissect the
 * payload of option 87, so the DHCPv4 message is extracted and dissected on its own
 * (IPv4/UDP 67/68), as in §8.11.
 *
 * Without tshark: skipped locally, a failure under CI (process.env.CI).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  clientIdentifierOption,
  createBootReply,
  messageOption,
  decodeDhcp4o6Request,
  dhcpv4MsgOption,
  domainNameServersOption,
  encodeDhcp4o6Response,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  interfaceIdOption,
  leaseTimeOption,
  messageTypeOption,
  optionRequestOption,
  parameterRequestListOption,
  parseIpv6,
  portParamsOption,
  relayPortOption,
  renewalTimeOption,
  s46BindIpv6PrefixOption,
  s46BrOption,
  s46ContLwOption,
  s46PortParamsOption,
  s46V4V6BindOption,
  serverIdentifierOption,
  softwireSourceOption,
  subnetMaskOption,
  type Dhcpv4Message,
  type Dhcpv6Message,
  type PortParams,
} from "../../server/wire/index";

function findTshark(): string | undefined {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return "tshark";
  } catch {
    return undefined;
  }
}

const TSHARK = findTshark();
if (TSHARK === undefined && process.env.CI) {
  throw new Error("tshark is required under CI for tests/integration/wire-tshark.test.ts (apt-get install tshark)");
}
if (TSHARK === undefined) console.warn("wire-tshark: tshark not found, skipping (install it with apt-get install tshark)");

// ---------------------------------------------------------------------------------------
// pcap writing: LINKTYPE_RAW (101), each record one IPv4 or IPv6 packet carrying UDP.

const ip6 = (text: string) => parseIpv6(text)!;

function checksum16(parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i += 2) sum += (p[i]! << 8) | (p[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff || 0xffff;
}

function udp(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + payload.length);
  const v = new DataView(u.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint16(4, u.length);
  u.set(payload, 8);
  return u;
}

function ipv6Packet(src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const u = udp(srcPort, dstPort, payload);
  const s = ip6(src);
  const d = ip6(dst);
  const pseudo = new Uint8Array(40);
  pseudo.set(s, 0);
  pseudo.set(d, 16);
  new DataView(pseudo.buffer).setUint32(32, u.length);
  pseudo[39] = 17;
  new DataView(u.buffer).setUint16(6, checksum16([pseudo, u.length % 2 ? Uint8Array.from([...u, 0]) : u]));
  const p = new Uint8Array(40 + u.length);
  const v = new DataView(p.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, u.length);
  p[6] = 17;
  p[7] = 64;
  p.set(s, 8);
  p.set(d, 24);
  p.set(u, 40);
  return p;
}

function ipv4Packet(src: number, dst: number, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const u = udp(srcPort, dstPort, payload); // UDP checksum 0: none (allowed over IPv4)
  const p = new Uint8Array(20 + u.length);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, p.length);
  v.setUint8(8, 64);
  v.setUint8(9, 17);
  v.setUint32(12, src);
  v.setUint32(16, dst);
  v.setUint16(10, checksum16([p.subarray(0, 20)]));
  p.set(u, 20);
  return p;
}

function pcap(packets: Uint8Array[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const g = new DataView(new ArrayBuffer(24));
  g.setUint32(0, 0xa1b2c3d4, true);
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setUint32(16, 65535, true);
  g.setUint32(20, 101, true); // LINKTYPE_RAW
  chunks.push(new Uint8Array(g.buffer));
  packets.forEach((p, i) => {
    const h = new DataView(new ArrayBuffer(16));
    h.setUint32(0, 1_700_000_000 + i, true);
    h.setUint32(8, p.length, true);
    h.setUint32(12, p.length, true);
    chunks.push(new Uint8Array(h.buffer), p);
  });
  return Buffer.concat(chunks);
}

const dir = mkdtempSync(join(tmpdir(), "wire-tshark-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Dissects `packets` and returns, per packet, each field's value (multiple occurrences joined by ","). */
function dissect(name: string, packets: Uint8Array[], fields: string[]): Record<string, string>[] {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcap(packets));
  const args = ["-r", file, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"];
  for (const f of fields) args.push("-e", f);
  const out = execFileSync(TSHARK!, args, { encoding: "utf8" });
  const rows = out.split("\n").filter((l) => l.length > 0);
  expect(rows).toHaveLength(packets.length);
  return rows.map((row) => Object.fromEntries(row.split("\t").map((v, i) => [fields[i]!, v])));
}

// ---------------------------------------------------------------------------------------
// Messages, built with the codec's own builders.

const CLIENT_ID = Uint8Array.of(0xff, 0, 0, 0, 1, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1);
const SOFTWIRE = ip6("2001:db8:2::c000:20a:5");

function request(type: number, extra: Dhcpv4Message["options"] = [], ciaddr = 0): Dhcpv4Message {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, 0, 0, 0, 1]);
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x12345678, secs: 0, flags: 0,
    ciaddr, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr, sname: new Uint8Array(64), file: new Uint8Array(128),
    options: [messageTypeOption(type), clientIdentifierOption(CLIENT_ID), parameterRequestListOption([1, 3, 6, 159]), ...extra],
  };
}

function reply(req: Dhcpv4Message, type: number, pp: PortParams | undefined, extra: Dhcpv4Message["options"] = []): Dhcpv4Message {
  return createBootReply(req, {
    yiaddr: 0xc000020a,
    options: [
      messageTypeOption(type),
      serverIdentifierOption(0xc0000201),
      leaseTimeOption(3600),
      renewalTimeOption(1800),
      subnetMaskOption(0xffffffff),
      domainNameServersOption([0xc0000235]),
      clientIdentifierOption(CLIENT_ID),
      ...(pp ? [portParamsOption(pp)] : []),
      ...extra,
    ],
  });
}

/** Deterministic port parameters with k >= 1 (k = 0 carries no PSID to compare). */
function samplePortParams(n: number): PortParams[] {
  let s = 0x7618;
  const next = (m: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % m;
  };
  const out: PortParams[] = [];
  for (let i = 0; i < n; i++) {
    const offset = next(16);
    const psidLength = 1 + next(16 - offset);
    out.push({ offset, psidLength, psid: next(2 ** psidLength) });
  }
  return out;
}

/** The value of the single option 87 of a 4o6 message at `at` in `bytes` (parsed by hand). */
function option87At(bytes: Uint8Array, at: number): Uint8Array {
  expect(bytes[at + 4]! * 256 + bytes[at + 5]!).toBe(87);
  const length = bytes[at + 6]! * 256 + bytes[at + 7]!;
  return bytes.subarray(at + 8, at + 8 + length);
}

const leftAligned = (p: PortParams) => ((p.psid << (16 - p.psidLength)) & 0xffff).toString(16).padStart(4, "0");

describe.skipIf(TSHARK === undefined)("tshark dissects what server/wire encodes", () => {
  const discover = request(1);
  const renew = request(3, [portParamsOption({ offset: 6, psidLength: 4, psid: 5 }), softwireSourceOption(SOFTWIRE)], 0xc000020a);
  const queryDirect = encodeDhcpv6Message({ kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(discover))] });
  const queryRenew = encodeDhcpv6Message({
    kind: "4o6", msgType: 20, unicast: true, mbzFlags: 0,
    options: [optionRequestOption([90, 137]), dhcpv4MsgOption(encodeDhcpv4Message(renew))],
  });
  const relayedQuery = encodeDhcpv6Message({
    kind: "relay", msgType: 12, hopCount: 1, linkAddress: new Uint8Array(16), peerAddress: ip6("2001:db8:1::1"),
    options: [relayPortOption(1547)], relayMessageIndex: 1,
    message: {
      kind: "relay", msgType: 12, hopCount: 0, linkAddress: ip6("2001:db8:1::1"), peerAddress: ip6("fe80::1"),
      options: [interfaceIdOption(Buffer.from("ifid-1"))], relayMessageIndex: 1,
      message: { kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(discover))] },
    } satisfies Dhcpv6Message,
  });
  const req = decodeDhcp4o6Request(relayedQuery);
  const offer = reply(req.dhcpv4, 2, { offset: 6, psidLength: 4, psid: 5 });
  const relayedOffer = encodeDhcp4o6Response({ dhcpv4: offer, relays: req.relays });
  const ack = reply(decodeDhcp4o6Request(queryRenew).dhcpv4, 5, { offset: 6, psidLength: 4, psid: 5 }, [softwireSourceOption(SOFTWIRE)]);
  const bind = s46V4V6BindOption({ ipv4Address: 0xc000020a, prefixLength: 64, prefix: ip6("2001:db8:2::"), options: [s46PortParamsOption({ offset: 6, psidLength: 8, psid: 0x34 })] });
  const ackWithSoftwire = encodeDhcp4o6Response({
    dhcpv4: ack,
    options: [
      s46BrOption(ip6("2001:db8:ffff::1")),
      s46BindIpv6PrefixOption({ prefixLength: 64, prefix: ip6("2001:db8:2::") }),
      s46ContLwOption([bind, s46BrOption(ip6("2001:db8:ffff::2"))]),
      // Not something the server sends at top level; here only to check one more PSID layout.
      s46V4V6BindOption({ ipv4Address: 0xc000020b, prefixLength: 0, prefix: new Uint8Array(16), options: [s46PortParamsOption({ offset: 0, psidLength: 4, psid: 5 })] }),
    ],
  });
  const samples = samplePortParams(24);
  const sampleOffers = samples.map((pp) => encodeDhcp4o6Response({ dhcpv4: reply(discover, 2, pp) }));
  // An OFFER squeezed into 300 bytes: options overflow into file and sname (option 52),
  // and a 300-byte value split in two instances (RFC 3396).
  const bigOffer = reply(discover, 2, { offset: 0, psidLength: 6, psid: 1 }, [{ code: 224, data: new Uint8Array(300).fill(0x41) }]);
  const squeezed = reply(discover, 2, { offset: 0, psidLength: 6, psid: 1 }, [messageOption("served by portshare"), { code: 224, data: new Uint8Array(150).fill(0x42) }]);
  const overloaded = encodeDhcpv4Message(squeezed, { maxLength: 300 });
  const split = encodeDhcpv4Message(bigOffer);

  test("DHCPv6 level: message types, flags, options, relay fields", () => {
    const rows = dissect("v6", [
      ipv6Packet("fe80::1", "ff02::1:2", 546, 547, queryDirect),
      ipv6Packet("fe80::1", "ff02::1:2", 546, 547, queryRenew),
      ipv6Packet("2001:db8:1::1", "2001:db8::4", 547, 547, relayedQuery),
      ipv6Packet("2001:db8::4", "2001:db8:1::1", 547, 1547, relayedOffer),
      ipv6Packet("2001:db8::4", "fe80::1", 547, 546, ackWithSoftwire),
    ], [
      "dhcpv6.msgtype", "dhcpv6.xid", "dhcpv6.option.type", "dhcpv6.option.length", "dhcpv6.hopcount", "dhcpv6.linkaddr",
      "dhcpv6.peeraddr", "dhcpv6.interface_id", "dhcpv6.relay_port", "dhcpv6.requested_option_code", "dhcpv6.s46_br.address",
      "dhcpv6.s46_portparam.offset", "dhcpv6.s46_portparam.psid_len", "dhcpv6.s46_portparam.psid", "dhcpv6.s46_v4v6bind.ipv4_address",
    ]);
    const [direct, renewRow, fwd, repl, softwire] = rows as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    expect(direct["dhcpv6.msgtype"]).toBe("20");
    expect(direct["dhcpv6.xid"]).toBe("0x000000");
    expect(direct["dhcpv6.option.type"]).toBe("87");
    expect(direct["dhcpv6.option.length"]).toBe(String(option87At(queryDirect, 0).length));

    expect(renewRow["dhcpv6.msgtype"]).toBe("20");
    expect(renewRow["dhcpv6.xid"]).toBe("0x800000"); // U = 1
    expect(renewRow["dhcpv6.option.type"]).toBe("6,87");
    expect(renewRow["dhcpv6.requested_option_code"]).toBe("90,137");

    expect(fwd["dhcpv6.msgtype"]).toBe("12,12,20");
    expect(fwd["dhcpv6.hopcount"]).toBe("1,0");
    expect(fwd["dhcpv6.linkaddr"]).toBe("::,2001:db8:1::1");
    expect(fwd["dhcpv6.peeraddr"]).toBe("2001:db8:1::1,fe80::1");
    expect(fwd["dhcpv6.option.type"]).toBe("135,9,18,9,87");
    expect(fwd["dhcpv6.interface_id"]).toBe("696669642d31");
    expect(fwd["dhcpv6.relay_port"]).toBe("1547");

    expect(repl["dhcpv6.msgtype"]).toBe("13,13,21");
    expect(repl["dhcpv6.xid"]).toBe("0x000000");
    expect(repl["dhcpv6.hopcount"]).toBe("1,0");
    expect(repl["dhcpv6.linkaddr"]).toBe("::,2001:db8:1::1");
    expect(repl["dhcpv6.peeraddr"]).toBe("2001:db8:1::1,fe80::1");
    expect(repl["dhcpv6.option.type"]).toBe("135,9,18,9,87");
    expect(repl["dhcpv6.interface_id"]).toBe("696669642d31");
    expect(repl["dhcpv6.relay_port"]).toBe("1547");
    const lengths = repl["dhcpv6.option.length"]!.split(",").map(Number);
    expect(lengths.at(-1)).toBe(encodeDhcpv4Message(offer).length);

    expect(softwire["dhcpv6.msgtype"]).toBe("21");
    expect(softwire["dhcpv6.option.type"]).toBe("87,90,137,96,92,93,90,92,93");
    expect(softwire["dhcpv6.s46_br.address"]).toBe("2001:db8:ffff::1,2001:db8:ffff::2");
    expect(softwire["dhcpv6.s46_v4v6bind.ipv4_address"]).toBe("192.0.2.10,192.0.2.11");
    expect(softwire["dhcpv6.s46_portparam.offset"]).toBe("6,0");
    expect(softwire["dhcpv6.s46_portparam.psid_len"]).toBe("8,4");
    // For option 93 tshark 4.0.17 prints the numeric PSID (0x34, 5), while for 159 it prints
    // the raw left-aligned field: on the wire both are left-aligned (3400, 5000).
    expect(softwire["dhcpv6.s46_portparam.psid"]).toBe("52,5");
  });

  test("DHCPv4 level (payload of option 87): message type, client id, 159, and friends", () => {
    const payloads = [
      option87At(queryDirect, 0),
      option87At(queryRenew, 8),
      option87At(relayedOffer, relayedOffer.length - encodeDhcpv4Message(offer).length - 8),
      option87At(ackWithSoftwire, 0),
    ];
    const rows = dissect("v4", [
      ipv4Packet(0, 0xffffffff, 68, 67, payloads[0]!),
      ipv4Packet(0xc000020a, 0xc0000201, 68, 67, payloads[1]!),
      ipv4Packet(0xc0000201, 0xc000020a, 67, 68, payloads[2]!),
      ipv4Packet(0xc0000201, 0xc000020a, 67, 68, payloads[3]!),
    ], [
      "dhcp.type", "dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.ip.client", "dhcp.ip.your", "dhcp.cookie", "dhcp.option.type",
      "dhcp.client_id.iaid", "dhcp.client_id.duid_type", "dhcp.client_id.link_layer_address", "dhcp.option.request_list_item",
      "dhcp.option.dhcp_server_id", "dhcp.option.ip_address_lease_time", "dhcp.option.portparams.offset",
      "dhcp.option.portparams.psid_length", "dhcp.option.portparams.psid", "dhcp.option.end",
    ]);
    const [disc, ren, off, ackRow] = rows as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    for (const r of rows) {
      expect(r["dhcp.hw.mac_addr"]).toBe("02:00:00:00:00:01");
      expect(r["dhcp.cookie"]).toBe("99.130.83.99");
      expect(r["dhcp.client_id.iaid"]).toBe("00000001");
      expect(r["dhcp.client_id.duid_type"]).toBe("3");
      expect(r["dhcp.client_id.link_layer_address"]).toBe("02:00:00:00:00:01");
      expect(r["dhcp.option.end"]).toBe("255");
    }
    expect(disc["dhcp.type"]).toBe("1");
    expect(disc["dhcp.option.dhcp"]).toBe("1");
    expect(disc["dhcp.option.type"]).toBe("53,61,55,0"); // End prints as 0 in this field (§8.11)
    expect(disc["dhcp.option.request_list_item"]).toBe("1,3,6,159");

    expect(ren["dhcp.option.dhcp"]).toBe("3");
    expect(ren["dhcp.ip.client"]).toBe("192.0.2.10");
    expect(ren["dhcp.option.type"]).toBe("53,61,55,159,109,0");
    expect([ren["dhcp.option.portparams.offset"], ren["dhcp.option.portparams.psid_length"], ren["dhcp.option.portparams.psid"]]).toEqual(["6", "4", "5000"]);

    for (const [row, type] of [[off, "2"], [ackRow, "5"]] as const) {
      expect(row["dhcp.type"]).toBe("2");
      expect(row["dhcp.option.dhcp"]).toBe(type);
      expect(row["dhcp.ip.your"]).toBe("192.0.2.10");
      expect(row["dhcp.option.dhcp_server_id"]).toBe("192.0.2.1");
      expect(row["dhcp.option.ip_address_lease_time"]).toBe("3600");
      expect([row["dhcp.option.portparams.offset"], row["dhcp.option.portparams.psid_length"], row["dhcp.option.portparams.psid"]]).toEqual(["6", "4", "5000"]);
    }
    expect(off["dhcp.option.type"]).toBe("53,54,51,58,1,6,61,159,0");
    expect(ackRow["dhcp.option.type"]).toBe("53,54,51,58,1,6,61,159,109,0");
  });

  test(`option 159 for ${samples.length} sampled port parameters: offset, PSID length, left-aligned PSID`, () => {
    const rows = dissect("psid", sampleOffers.map((b) => ipv4Packet(0xc0000201, 0xc000020a, 67, 68, option87At(b, 0))), [
      "dhcp.option.dhcp", "dhcp.option.portparams.offset", "dhcp.option.portparams.psid_length", "dhcp.option.portparams.psid",
    ]);
    rows.forEach((row, i) => {
      const pp = samples[i]!;
      expect(row).toEqual({
        "dhcp.option.dhcp": "2",
        "dhcp.option.portparams.offset": String(pp.offset),
        "dhcp.option.portparams.psid_length": String(pp.psidLength),
        "dhcp.option.portparams.psid": leftAligned(pp),
      });
    });
  });

  test("option overload (52) and RFC 3396 split options as tshark sees them", () => {
    const rows = dissect("layout", [ipv4Packet(0xc0000201, 0xc000020a, 67, 68, overloaded), ipv4Packet(0xc0000201, 0xc000020a, 67, 68, split)], [
      "dhcp.option.type", "dhcp.option.length", "dhcp.option.dhcp", "dhcp.option.portparams.psid",
    ]);
    const [ov, sp] = rows as [Record<string, string>, Record<string, string>];
    expect(overloaded.length).toBeLessThanOrEqual(300);
    const types = ov["dhcp.option.type"]!.split(",").filter((t) => t !== "0").map(Number);
    // 52 first; every option of the reply shows up once the file and sname fields are read.
    expect(types[0]).toBe(52);
    expect(new Set(types)).toEqual(new Set([52, 53, 54, 51, 58, 1, 6, 61, 159, 56, 224]));
    expect(overloaded[242]).toBe(3); // both file and sname carry options
    expect(ov["dhcp.option.dhcp"]).toBe("2");
    expect(ov["dhcp.option.portparams.psid"]).toBe("0400");
    // 224 with 300 bytes: two instances, 255 + 45.
    const spTypes = sp["dhcp.option.type"]!.split(",");
    const spLengths = sp["dhcp.option.length"]!.split(",");
    const idx = spTypes.flatMap((t, i) => (t === "224" ? [i] : []));
    expect(idx).toHaveLength(2);
    expect(idx.map((i) => spLengths[i])).toEqual(["255", "45"]);
  });
});
