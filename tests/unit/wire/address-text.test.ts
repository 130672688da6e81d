import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, test } from "vitest";
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6, parseIpv6Prefix } from "../../../server/wire/index";
import { toHex } from "./helpers";

describe("address text", () => {
  test("IPv4 dotted quad <-> uint32", () => {
    expect(formatIpv4(0xc0000201)).toBe("192.0.2.1");
    expect(formatIpv4(0xffffffff)).toBe("255.255.255.255");
    expect(parseIpv4("192.0.2.10")).toBe(0xc000020a);
    expect(parseIpv4("0.0.0.0")).toBe(0);
    for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "0x1.2.3.4", "1.2.3.4 ", "-1.2.3.4"]) {
      expect(parseIpv4(bad)).toBeUndefined();
    }
  });

  test.each([
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000010000000000000001", "2001:db8:0:1::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["20010db8000100000000000000000001", "2001:db8:1::1"],
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["fe800000000000000000000000000001", "fe80::1"],
    ["20010db8000200000000c000020a0005", "2001:db8:2::c000:20a:5"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
    ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
  ])("RFC 5952: %s -> %s", (hex, text) => {
    const b = Buffer.from(hex, "hex");
    expect(formatIpv6(b)).toBe(text);
    expect(toHex(parseIpv6(text)!)).toBe(hex);
  });

  test("RFC 5952 text agrees with ipaddr.js for any address (runs of zero groups favoured)", () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        fc.pre(!mapped); // ipaddr.js writes those in hex; RFC 5952 §5 (and formatIpv6) keeps the dotted quad
        expect(formatIpv6(bytes)).toBe((ipaddr.fromByteArray([...bytes]) as ipaddr.IPv6).toRFC5952String());
      }),
      { numRuns: 5000 },
    );
  });

  test("IPv6 parsing rejects junk and zones; prefixes are masked", () => {
    expect(parseIpv6("2001:db8::g")).toBeUndefined();
    expect(parseIpv6("fe80::1%eth0")).toBeUndefined();
    expect(parseIpv6("1.2.3.4")).toBeUndefined();
    const p = parseIpv6Prefix("2001:db8:ffff:ffff::/33")!;
    expect(p.prefixLength).toBe(33);
    expect(formatIpv6(p.prefix)).toBe("2001:db8:8000::");
    expect(parseIpv6Prefix("2001:db8::/129")).toBeUndefined();
    expect(parseIpv6Prefix("2001:db8::")).toBeUndefined();
  });
});
