/** DHCPv6 framing: 4o6 flags, relay nesting and its cap, option 9 rules, the exchange API. */
import { describe, expect, test } from "vitest";
import {
  DecodeError,
  EncodeError,
  MAX_RELAY_DEPTH,
  decodeDhcp4o6Request,
  decodeDhcpv6Message,
  encodeDhcp4o6Response,
  encodeDhcpv6Message,
  interfaceId,
  relayPort,
  relayReplyFor,
  type Dhcp4o6Message,
  type Dhcpv6Message,
  type RelayMessage,
} from "../../../server/wire/index";
import { plain, toHex } from "./helpers";
import { nestedRelays, rawQuery, rawRelay, v6Option } from "./raw";
import { TV1, TV3 } from "./vectors";

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

const dhcpv4OfTv1 = TV1.subarray(8);

describe("DHCPV4-QUERY / DHCPV4-RESPONSE header (RFC 7341 §6)", () => {
  test.each([
    [[0x80, 0, 0], true, 0],
    [[0x00, 0, 0], false, 0],
    [[0xff, 0xff, 0xff], true, 0x7fffff],
    [[0x01, 0x02, 0x03], false, 0x010203],
  ])("flags %j -> unicast %s, MBZ bits %i, and back", (flags, unicast, mbz) => {
    const bytes = rawQuery(v6Option(87, dhcpv4OfTv1), flags);
    const m = decodeDhcpv6Message(bytes) as Dhcp4o6Message;
    expect(m).toMatchObject({ kind: "4o6", msgType: 20, unicast, mbzFlags: mbz });
    expect(toHex(encodeDhcpv6Message(m))).toBe(toHex(bytes));
    // MBZ bits are ignored by the receiver: the request still decodes.
    expect(decodeDhcp4o6Request(bytes).query.unicast).toBe(unicast);
  });

  test("responses always leave with flags 000000 (RFC 7341 §6.4)", () => {
    const req = decodeDhcp4o6Request(rawQuery(v6Option(87, dhcpv4OfTv1), [0x80, 0, 0]));
    const out = encodeDhcp4o6Response({ dhcpv4: req.dhcpv4 });
    expect([...out.subarray(0, 4)]).toEqual([21, 0, 0, 0]);
  });

  test.each([
    ["empty", new Uint8Array(0), "truncated", 0],
    ["msg-type only", Uint8Array.of(20), "truncated", 0],
    ["3 bytes", Uint8Array.of(1, 2, 3), "truncated", 0],
    ["half an option header", Uint8Array.of(20, 0, 0, 0, 0, 87), "truncated", 4],
    ["option length past the end", rawQuery([0, 87, 0, 10, 1, 2]), "truncated", 4],
    ["odd ORO", rawQuery(v6Option(6, [0, 90, 0])), "bad-length", 4],
    ["option 88 of 15 bytes", rawQuery(v6Option(88, new Array<number>(15).fill(0))), "bad-length", 4],
  ])("%s", (_name, bytes, code, offset) => {
    const e = decodeError(() => decodeDhcpv6Message(bytes));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });
});

describe("relay messages (RFC 8415 §9, §19)", () => {
  test("unknown relay options are kept in order, with the position of option 9", () => {
    const bytes = rawRelay(12, 3, [...v6Option(37, [1, 2, 3]), ...v6Option(9, TV1), ...v6Option(18, [0x61]), ...v6Option(135, [0x12, 0x34])]);
    const r = decodeDhcpv6Message(bytes) as RelayMessage;
    expect(r.options.map((o) => o.code)).toEqual([37, 18, 135]);
    expect(r.relayMessageIndex).toBe(1);
    expect(relayPort(r)).toBe(0x1234);
    expect(toHex(interfaceId(r)!)).toBe("61");
    expect(toHex(encodeDhcpv6Message(r))).toBe(toHex(bytes));
  });

  test("the reply echoes 18 and 135 only, keeping their place around option 9", () => {
    const bytes = rawRelay(12, 3, [...v6Option(37, [1, 2, 3]), ...v6Option(9, TV1), ...v6Option(18, [0x61]), ...v6Option(135, [0x12, 0x34])]);
    const req = decodeDhcp4o6Request(bytes);
    const out = encodeDhcp4o6Response({ dhcpv4: req.dhcpv4, relays: req.relays });
    const rep = decodeDhcpv6Message(out) as RelayMessage;
    expect(rep).toMatchObject({ kind: "relay", msgType: 13, hopCount: 3, relayMessageIndex: 0 });
    expect(rep.options.map((o) => o.code)).toEqual([18, 135]);
    const generic = relayReplyFor(req.relays[0]!, (decodeDhcpv6Message(out) as RelayMessage).message);
    expect(toHex(encodeDhcpv6Message(generic))).toBe(toHex(out));
  });

  test(`${MAX_RELAY_DEPTH} nested relays decode; one more is too deep; 40 too`, () => {
    const ok = decodeDhcp4o6Request(nestedRelays(TV1, MAX_RELAY_DEPTH));
    expect(ok.relays).toHaveLength(MAX_RELAY_DEPTH);
    expect(ok.relays[0]!.hopCount).toBe(0);
    const reply = encodeDhcp4o6Response({ dhcpv4: ok.dhcpv4, relays: ok.relays });
    expect(decodeDhcpv6Message(reply).kind).toBe("relay");
    for (const depth of [MAX_RELAY_DEPTH + 1, 40, 1000]) {
      const e = decodeError(() => decodeDhcpv6Message(nestedRelays(TV1, depth)));
      expect(e.code).toBe("too-deep");
      // The 33rd layer from the outside starts 38 bytes (header + option 9 header) further in.
      expect(e.offset).toBe(MAX_RELAY_DEPTH * 38);
    }
  });

  test("encoders refuse more than the decoder accepts", () => {
    let m: Dhcpv6Message = decodeDhcpv6Message(TV1);
    for (let i = 0; i <= MAX_RELAY_DEPTH; i++) m = relayReplyFor({ hopCount: 0, linkAddress: new Uint8Array(16), peerAddress: new Uint8Array(16), options: [], relayMessageIndex: 0 }, m);
    expect(() => encodeDhcpv6Message(m)).toThrow(EncodeError);
  });

  test.each([
    ["no option 9", rawRelay(12, 0, v6Option(18, [1])), "missing-option", 0],
    ["two options 9", rawRelay(12, 0, [...v6Option(9, TV1), ...v6Option(9, TV1)]), "duplicate-option", 34 + 4 + TV1.length],
    ["33-byte relay header", rawRelay(12, 0, []).subarray(0, 33), "truncated", 0],
    ["relay header only", rawRelay(12, 0, []), "missing-option", 0],
    ["empty relayed message", rawRelay(12, 0, v6Option(9, [])), "truncated", 38],
    ["option 9 past the end", rawRelay(12, 0, [0, 9, 1, 0, 20]), "truncated", 34],
    ["bad inner message", rawRelay(12, 0, v6Option(9, [20, 0, 0, 0, 0, 87, 0, 5])), "truncated", 42],
    ["relay port of 3 bytes", rawRelay(12, 0, [...v6Option(135, [1, 2, 3]), ...v6Option(9, TV1)]), "bad-length", 34],
  ])("%s", (_name, bytes, code, offset) => {
    const e = decodeError(() => decodeDhcpv6Message(bytes));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });
});

describe("decodeDhcp4o6Request: what a server accepts (protocol.md §3.5)", () => {
  test.each([
    ["no option 87", rawQuery(v6Option(6, [0, 90])), "missing-option", 0],
    ["two options 87", rawQuery([...v6Option(87, dhcpv4OfTv1), ...v6Option(87, dhcpv4OfTv1)]), "duplicate-option", 4 + 4 + dhcpv4OfTv1.length],
    ["DHCPV4-RESPONSE", Uint8Array.of(21, ...TV1.subarray(1)), "unexpected-message", 0],
    ["a Solicit", Uint8Array.of(1, 0, 0, 1), "unexpected-message", 0],
    ["a relayed Solicit", rawRelay(12, 0, v6Option(9, [1, 0, 0, 1])), "unexpected-message", 38],
    ["a RELAY-REPL", rawRelay(13, 0, v6Option(9, TV1)), "unexpected-message", 0],
    ["a short DHCPv4 message", rawQuery(v6Option(87, dhcpv4OfTv1.subarray(0, 239))), "truncated", 8 + 236],
    ["a bad cookie", rawQuery(v6Option(87, Uint8Array.from(dhcpv4OfTv1, (b, i) => (i === 236 ? 0 : b)))), "bad-cookie", 8 + 236],
  ])("%s", (_name, bytes, code, offset) => {
    const e = decodeError(() => decodeDhcp4o6Request(bytes));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  test("DHCPv4 errors inside a relayed query report offsets in the UDP payload", () => {
    const spoiled = Uint8Array.from(TV3);
    spoiled[48 + 8 + 240 + 1] = 0x20; // option 53's length, inside TV1 inside TV3
    const e = decodeError(() => decodeDhcp4o6Request(spoiled));
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(48 + 8 + 240); // the option, counted in the UDP payload
  });

  test("the request keeps the whole message too", () => {
    const req = decodeDhcp4o6Request(TV3);
    expect(plain(req.message)).toEqual(plain(decodeDhcpv6Message(TV3)));
    expect(req.relays[0]).toBe(req.message);
  });
});
