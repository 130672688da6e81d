/** Typed DHCPv6 options: ORO, 88, softwire options of RFC 7598 / RFC 8539, relay port. */
import { describe, expect, test } from "vitest";
import {
  DecodeError,
  EncodeError,
  clientDuid,
  clientIdOption,
  serverDuid,
  serverIdOption,
  decodeDhcp4oDhcp6Servers,
  decodeDhcpv6Message,
  decodeOptionRequest,
  decodeRelayPort,
  decodeS46BindIpv6Prefix,
  decodeS46Br,
  decodeS46ContLw,
  decodeS46PortParams,
  decodeS46V4V6Bind,
  dhcp4oDhcp6ServerOption,
  encodeDhcpv6Message,
  formatIpv6,
  optionRequestOption,
  parseIpv6,
  relayPortOption,
  s46BindIpv6PrefixOption,
  s46BrOption,
  s46ContLwOption,
  s46PortParamsOption,
  s46V4V6BindOption,
} from "../../../server/wire/index";
import { plain, toHex } from "./helpers";
import { rawQuery, v6Option } from "./raw";

const BR = parseIpv6("2001:db8:ffff::1")!;

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

describe("typed DHCPv6 options", () => {
  test("ORO (6)", () => {
    const o = optionRequestOption([90, 137]);
    expect(toHex(o.data)).toBe("005a0089");
    expect(decodeOptionRequest(o.data)).toEqual([90, 137]);
    expect(() => decodeOptionRequest(Uint8Array.of(0))).toThrow(DecodeError);
  });

  test("4o6 server list (88), empty included (RFC 7341 §7.2)", () => {
    expect(decodeDhcp4oDhcp6Servers(dhcp4oDhcp6ServerOption([]).data)).toEqual([]);
    const two = dhcp4oDhcp6ServerOption([BR, parseIpv6("2001:db8::4")!]);
    expect(decodeDhcp4oDhcp6Servers(two.data).map(formatIpv6)).toEqual(["2001:db8:ffff::1", "2001:db8::4"]);
  });

  test("S46_BR (90) and S46_PORTPARAMS (93)", () => {
    expect(formatIpv6(decodeS46Br(s46BrOption(BR).data))).toBe("2001:db8:ffff::1");
    expect(() => s46BrOption(new Uint8Array(4))).toThrow(EncodeError);
    const pp = s46PortParamsOption({ offset: 6, psidLength: 8, psid: 0x34 });
    expect(toHex(pp.data)).toBe("06083400");
    expect(decodeS46PortParams(pp.data)).toEqual({ offset: 6, psidLength: 8, psid: 0x34 });
  });

  test("S46_BIND_IPV6_PREFIX (137): ceil(len/8) prefix bytes (RFC 8539 §6.1)", () => {
    const p = parseIpv6("2001:db8:2::")!;
    expect(toHex(s46BindIpv6PrefixOption({ prefixLength: 64, prefix: p }).data)).toBe("4020010db800020000");
    expect(toHex(s46BindIpv6PrefixOption({ prefixLength: 0, prefix: p }).data)).toBe("00");
    expect(toHex(s46BindIpv6PrefixOption({ prefixLength: 57, prefix: p }).data)).toBe("3920010db80002000000".slice(0, 18));
    const back = decodeS46BindIpv6Prefix(Buffer.from("3820010db8000200", "hex"));
    expect(back.prefixLength).toBe(56);
    expect(formatIpv6(back.prefix)).toBe("2001:db8:2::");
    expect(decodeError(() => decodeS46BindIpv6Prefix(Buffer.from("8100", "hex"))).code).toBe("bad-value");
    expect(decodeError(() => decodeS46BindIpv6Prefix(Buffer.from("4020010db8", "hex"))).code).toBe("truncated");
    expect(decodeError(() => decodeS46BindIpv6Prefix(Buffer.from("0800ff", "hex"))).code).toBe("bad-length");
    expect(decodeError(() => decodeS46BindIpv6Prefix(new Uint8Array(0))).code).toBe("bad-length");
  });

  test("S46_V4V6BIND (92) with a 93 sub-option and S46_CONT_LW (96)", () => {
    const bind = s46V4V6BindOption({
      ipv4Address: 0xc0000201,
      prefixLength: 64,
      prefix: parseIpv6("2001:db8:2::")!,
      options: [s46PortParamsOption({ offset: 0, psidLength: 6, psid: 1 })],
    });
    expect(toHex(bind.data)).toBe("c0000201" + "40" + "20010db800020000" + "005d0004" + "00060400");
    const back = decodeS46V4V6Bind(bind.data);
    expect(back.ipv4Address).toBe(0xc0000201);
    expect(decodeS46PortParams(back.options[0]!.data)).toEqual({ offset: 0, psidLength: 6, psid: 1 });
    const cont = s46ContLwOption([bind, s46BrOption(BR)]);
    expect(plain(decodeS46ContLw(cont.data))).toEqual(plain([bind, s46BrOption(BR)]));
    expect(() => s46ContLwOption([bind])).toThrow(EncodeError);
    expect(() => s46ContLwOption([bind, bind, s46BrOption(BR)])).toThrow(EncodeError);
  });

  test.each([
    ["96 without a BR", v6Option(96, []), "missing-option", 4],
    ["96 with two 92", v6Option(96, [...v6Option(92, [192, 0, 2, 1, 0]), ...v6Option(92, [192, 0, 2, 1, 0]), ...v6Option(90, BR)]), "duplicate-option", 4],
    ["96 with a short BR", v6Option(96, v6Option(90, [1, 2])), "bad-length", 8],
    ["92 too short", v6Option(92, [192, 0, 2, 1]), "bad-length", 4],
    ["92 prefix past the end", v6Option(92, [192, 0, 2, 1, 64, 0x20]), "truncated", 12],
    ["92 with a bad 93", v6Option(92, [192, 0, 2, 1, 0, ...v6Option(93, [6, 4, 0x50, 1])]), "bad-value", 13],
    ["92 sub-option past the end", v6Option(92, [192, 0, 2, 1, 0, 0, 93, 0, 9]), "truncated", 13],
    ["93 of 3 bytes", v6Option(93, [6, 4, 0x50]), "bad-length", 4],
    ["90 of 4 bytes", v6Option(90, [1, 2, 3, 4]), "bad-length", 4],
  ])("validated when a message is decoded: %s", (_name, option, code, offset) => {
    const e = decodeError(() => decodeDhcpv6Message(rawQuery(option)));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  test("containers nested in themselves are capped (too-deep), not a stack overflow", () => {
    const nest = (n: number) => {
      let inner: number[] = v6Option(90, BR);
      for (let i = 0; i < n; i++) inner = v6Option(96, [...inner, ...v6Option(90, BR)]);
      return rawQuery(inner);
    };
    expect(decodeDhcpv6Message(nest(4)).kind).toBe("4o6");
    expect(decodeError(() => decodeDhcpv6Message(nest(5))).code).toBe("too-deep");
    // 15,000 headers of option 96, each holding the rest: 60,000 bytes, 15,000 levels.
    const levels = 15000;
    const deep = new Uint8Array(levels * 4);
    for (let i = 0; i < levels; i++) deep.set([0, 96, (((levels - 1 - i) * 4) >> 8) & 0xff, ((levels - 1 - i) * 4) & 0xff], i * 4);
    expect(decodeError(() => decodeDhcpv6Message(rawQuery(deep))).code).toBe("too-deep");
  });

  test("client and server DUIDs (1, 2)", () => {
    const duid = Uint8Array.of(0, 3, 0, 1, 2, 0, 0, 0, 0, 1);
    const m = decodeDhcpv6Message(encodeDhcpv6Message({ kind: "client-server", msgType: 1, transactionId: 7, options: [clientIdOption(duid), serverIdOption(duid.subarray(2))] }));
    expect(toHex(clientDuid(m)!)).toBe(toHex(duid));
    expect(toHex(serverDuid(m)!)).toBe("0001020000000001");
  });

  test("sub-options are validated like top-level ones, so typed decoders never throw on them", () => {
    const bad137 = v6Option(92, [192, 0, 2, 1, 0, ...v6Option(137, [200])]);
    const e = decodeError(() => decodeDhcpv6Message(rawQuery(v6Option(96, [...bad137, ...v6Option(90, BR)]))));
    expect(e.code).toBe("bad-value");
    expect(e.offset).toBe(4 + 4 + 4 + 5 + 4); // the prefix-length field of the 137
    const good = v6Option(92, [192, 0, 2, 1, 0, ...v6Option(137, [0]), ...v6Option(93, [0, 4, 0x50, 0])]);
    const m = decodeDhcpv6Message(rawQuery(v6Option(96, [...good, ...v6Option(90, BR)])));
    const cont = decodeS46ContLw(m.options[0]!.data);
    expect(cont.map((o) => o.code)).toEqual([92, 90]);
    expect(decodeS46V4V6Bind(cont[0]!.data).options.map((o) => o.code)).toEqual([137, 93]);
  });

  test("relay port (135)", () => {
    expect(decodeRelayPort(relayPortOption(1547).data)).toBe(1547);
    expect(() => relayPortOption(70000)).toThrow(EncodeError);
  });

  test("unknown options round-trip unchanged", () => {
    const bytes = rawQuery([...v6Option(0xfff0, [1, 2, 3]), ...v6Option(0, []), ...v6Option(39, [0])]);
    expect(toHex(encodeDhcpv6Message(decodeDhcpv6Message(bytes)))).toBe(toHex(bytes));
  });
});
