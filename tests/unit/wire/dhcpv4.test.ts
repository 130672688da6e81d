/** DHCPv4 codec: header, cookie, pad/end, overload, RFC 3396 joining, validation, layout. */
import { describe, expect, test, vi } from "vitest";
import {
  DecodeError,
  EncodeError,
  createBootReply,
  decodeDhcpv4Message,
  dhcpMessageType,
  encodeDhcpv4Message,
  encodeDhcp4o6Response,
  encodeDhcpv6Message,
  getDhcpv4Option,
  hardwareAddress,
  leaseTimeOption,
  maxMessageSize,
  messageOption,
  messageText,
  messageTypeOption,
  parameterRequestListOption,
  portParams,
  removeDhcpv4Option,
  routers,
  routersOption,
  setDhcpv4Option,
  decodeDhcpv6Message,
  type Dhcpv4Message,
} from "../../../server/wire/index";
import { plain, toHex } from "./helpers";
import { rawDhcpv4 } from "./raw";
import { TV2, VECTORS } from "./vectors";

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

const base = (): Dhcpv4Message => decodeDhcpv4Message(rawDhcpv4([53, 1, 1, 255]));

describe("DHCPv4 decoding", () => {
  test("header fields and the hardware address", () => {
    const m = decodeDhcpv4Message(rawDhcpv4([255], (h) => h.set([0x80, 0x00, 0xc0, 0, 2, 1], 10)));
    expect(m.xid).toBe(0x12345678);
    expect(m.flags).toBe(0x8000);
    expect(m.ciaddr).toBe(0xc0000201);
    expect(toHex(hardwareAddress(m))).toBe("020000000001");
    expect(m.options).toEqual([]);
  });

  test("pad bytes are skipped and bytes after End ignored (RFC 2132 §3.1, §3.2)", () => {
    const m = decodeDhcpv4Message(rawDhcpv4([0, 0, 53, 1, 3, 0, 255, 53, 1, 7, 0xde, 0xad]));
    expect(m.options.map((o) => [o.code, toHex(o.data)])).toEqual([[53, "03"]]);
  });

  test("a missing End at the end of the options field is tolerated", () => {
    expect(dhcpMessageType(decodeDhcpv4Message(rawDhcpv4([53, 1, 5])))).toBe(5);
  });

  test("RFC 3396: instances of one option are joined in order, at the first one's place", () => {
    const m = decodeDhcpv4Message(rawDhcpv4([3, 4, 192, 0, 2, 1, 53, 1, 1, 3, 4, 192, 0, 2, 2, 255]));
    expect(m.options.map((o) => o.code)).toEqual([3, 53]);
    expect(routers(m)).toEqual([0xc0000201, 0xc0000202]);
  });

  test("RFC 3396: a value split across instances is validated after joining", () => {
    // 159 split 2 + 2 bytes is fine once joined; 53 twice joins to length 2, which is not.
    expect(portParams(decodeDhcpv4Message(rawDhcpv4([159, 2, 6, 4, 159, 2, 0x50, 0, 255])))).toEqual({ offset: 6, psidLength: 4, psid: 5 });
    const e = decodeError(() => decodeDhcpv4Message(rawDhcpv4([53, 1, 1, 53, 1, 3, 255])));
    expect(e.code).toBe("bad-length");
    expect(e.offset).toBe(240);
    expect(e.message).toContain("option 53 (DHCP Message Type)");
  });

  test("option overload 3: options field, then file, then sname (RFC 2131 §4.1)", () => {
    const bytes = rawDhcpv4([52, 1, 3, 53, 1, 1, 61, 2, 1, 0xaa, 255], (h) => {
      h.set([61, 1, 0xbb, 12, 3, 0x61, 0x62, 0x63, 255], 108); // file: 61 continued, 12 hostname
      h.set([61, 1, 0xcc, 51, 4, 0, 0, 0x0e, 0x10, 255], 44); // sname: 61 again, 51
    });
    const m = decodeDhcpv4Message(bytes);
    expect(m.options.map((o) => [o.code, toHex(o.data)])).toEqual([
      [53, "01"],
      [61, "01aabbcc"],
      [12, "616263"],
      [51, "00000e10"],
    ]);
    // Fields that carried options read as empty.
    expect(m.file.every((b) => b === 0) && m.sname.every((b) => b === 0)).toBe(true);
    expect(m.file).toHaveLength(128);
  });

  test("overload 1 parses only file; sname stays data", () => {
    const m = decodeDhcpv4Message(rawDhcpv4([52, 1, 1, 255], (h) => {
      h.set([53, 1, 2, 255], 108);
      h.set([0x68, 0x6f, 0x73, 0x74], 44);
    }));
    expect(dhcpMessageType(m)).toBe(2);
    expect(Buffer.from(m.sname.subarray(0, 4)).toString()).toBe("host");
  });

  test.each([
    ["option 52 inside file (would loop)", [52, 1, 1, 255], (h: Uint8Array) => h.set([52, 1, 3, 255], 108), "bad-overload", 108],
    ["option 52 inside sname", [52, 1, 2, 255], (h: Uint8Array) => h.set([52, 1, 2, 255], 44), "bad-overload", 44],
    ["overload value 0", [52, 1, 0, 255], undefined, "bad-overload", 240],
    ["overload value 4", [52, 1, 4, 255], undefined, "bad-overload", 240],
    ["overload length 2", [52, 2, 1, 1, 255], undefined, "bad-overload", 240],
    ["option 52 twice", [52, 1, 1, 52, 1, 1, 255], undefined, "bad-overload", 240],
    ["option in file crossing the field end", [52, 1, 1, 255], (h: Uint8Array) => h.set([12, 200], 108), "truncated", 108],
    ["option in sname without its length octet", [52, 1, 2, 255], (h: Uint8Array) => h.set([12], 107), "truncated", 107],
  ] as const)("%s", (_name, options, patch, code, offset) => {
    const e = decodeError(() => decodeDhcpv4Message(rawDhcpv4([...options], patch)));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  test.each([
    ["empty", new Uint8Array(0), "truncated", 0],
    ["235 bytes", new Uint8Array(235), "truncated", 0],
    ["header without cookie", new Uint8Array(236), "truncated", 236],
    ["bad cookie", rawDhcpv4([255], (h) => (h[239] = 0x64)), "bad-cookie", 236],
    ["hlen 17", rawDhcpv4([255], (h) => (h[2] = 17)), "bad-value", 2],
    ["option length past the end", rawDhcpv4([53, 1, 1, 61, 20, 1, 2]), "truncated", 243],
    ["length octet missing", rawDhcpv4([53]), "truncated", 240],
  ])("%s", (_name, bytes, code, offset) => {
    const e = decodeError(() => decodeDhcpv4Message(bytes));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  test.each([
    [53, [], "bad-length"],
    [53, [1, 2], "bad-length"],
    [50, [192, 0, 2], "bad-length"],
    [51, [0, 0, 0, 0, 0], "bad-length"],
    [54, [], "bad-length"],
    [1, [255, 255, 255], "bad-length"],
    [3, [192, 0, 2, 1, 0], "bad-length"],
    [6, [], "bad-length"],
    [55, [], "bad-length"],
    [57, [2], "bad-length"],
    [58, [1], "bad-length"],
    [59, [1], "bad-length"],
    [61, [1], "bad-length"],
    [109, new Array<number>(15).fill(0), "bad-length"],
    [159, [6, 4, 0x50], "bad-length"],
    [159, [16, 0, 0, 0], "bad-value"],
    [159, [6, 11, 0, 0], "bad-value"],
    [159, [0, 17, 0, 0], "bad-value"],
    [159, [6, 4, 0x50, 0x01], "bad-value"],
    [159, [0, 0, 0x80, 0], "bad-value"],
  ])("option %i with value %j -> %s", (code, value, expected) => {
    const e = decodeError(() => decodeDhcpv4Message(rawDhcpv4([12, 1, 0x41, code, value.length, ...value, 255])));
    expect(e.code).toBe(expected);
    expect(e.offset).toBe(243);
  });

  test("unknown options keep any length, zero included, and round-trip unchanged", () => {
    const bytes = rawDhcpv4([200, 0, 53, 1, 1, 254, 3, 1, 2, 3, 12, 1, 0x41, 255]);
    const m = decodeDhcpv4Message(bytes);
    expect(m.options.map((o) => [o.code, toHex(o.data)])).toEqual([[200, ""], [53, "01"], [254, "010203"], [12, "41"]]);
    expect(toHex(encodeDhcpv4Message(m))).toBe(toHex(bytes));
  });
});

describe("DHCPv4 encoding", () => {
  test("values longer than 255 bytes are split into consecutive instances (RFC 3396 §5)", () => {
    const m = base();
    const long = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    m.options.push({ code: 224, data: long });
    const bytes = encodeDhcpv4Message(m);
    expect([bytes[243], bytes[244]]).toEqual([224, 255]);
    expect([bytes[243 + 257], bytes[244 + 257]]).toEqual([224, 255]);
    expect([bytes[243 + 514], bytes[244 + 514]]).toEqual([224, 90]);
    expect(toHex(getDhcpv4Option(decodeDhcpv4Message(bytes), 224)!)).toBe(toHex(long));
  });

  test("a size limit moves options into file, then sname, with option 52 first", () => {
    const m = base();
    // 56 fits whole only in file; 224 then fills file and continues in sname (RFC 3396).
    m.options.push(messageOption("x".repeat(60)), { code: 224, data: new Uint8Array(100).fill(7) });
    const bytes = encodeDhcpv4Message(m, { maxLength: 300 });
    expect(bytes.length).toBeLessThanOrEqual(300);
    expect([...bytes.subarray(240, 243)]).toEqual([52, 1, 3]);
    expect(bytes[108]).not.toBe(0);
    expect(bytes[44]).not.toBe(0);
    expect(plain(decodeDhcpv4Message(bytes))).toEqual(plain({ ...m, sname: new Uint8Array(64), file: new Uint8Array(128) }));
  });

  test("without room even in file and sname: EncodeError too-long", () => {
    const m = base();
    m.options.push({ code: 224, data: new Uint8Array(255) });
    expect(() => encodeDhcpv4Message(m, { maxLength: 300 })).toThrow(EncodeError);
    m.file = new Uint8Array(128).fill(1);
    m.sname = new Uint8Array(64).fill(1);
    m.options = [{ code: 224, data: new Uint8Array(40) }];
    expect(() => encodeDhcpv4Message(m, { maxLength: 250 })).toThrow(/too|fit/);
  });

  test("minLength pads with zeros after End", () => {
    const bytes = encodeDhcpv4Message(base(), { minLength: 300 });
    expect(bytes.length).toBe(300);
    expect([...bytes.subarray(240, 244)]).toEqual([53, 1, 1, 255]);
    expect(bytes.subarray(244).every((b) => b === 0)).toBe(true);
  });

  test.each([
    ["code 0", (m: Dhcpv4Message) => m.options.push({ code: 0, data: new Uint8Array(0) })],
    ["code 52", (m: Dhcpv4Message) => m.options.push({ code: 52, data: Uint8Array.of(1) })],
    ["code 255", (m: Dhcpv4Message) => m.options.push({ code: 255, data: new Uint8Array(0) })],
    ["xid 2^32", (m: Dhcpv4Message) => (m.xid = 2 ** 32)],
    ["secs -1", (m: Dhcpv4Message) => (m.secs = -1)],
    ["hlen 17", (m: Dhcpv4Message) => (m.hlen = 17)],
    ["ciaddr 1.5", (m: Dhcpv4Message) => (m.ciaddr = 1.5)],
    ["chaddr 17 bytes", (m: Dhcpv4Message) => (m.chaddr = new Uint8Array(17))],
    ["file 129 bytes", (m: Dhcpv4Message) => (m.file = new Uint8Array(129))],
  ])("rejects %s with EncodeError", (_name, spoil) => {
    const m = base();
    spoil(m);
    expect(() => encodeDhcpv4Message(m)).toThrow(EncodeError);
  });

  test("short chaddr/sname/file are zero-padded; createBootReply copies Table 3 fields", () => {
    const request = decodeDhcpv4Message(rawDhcpv4([53, 1, 1, 255], (h) => {
      h.set([0x80, 0], 10);
      h.set([10, 0, 0, 1], 24);
    }));
    const reply = createBootReply(request, { yiaddr: 0xc000020a, options: [messageTypeOption(2), leaseTimeOption(60)] });
    const back = decodeDhcpv4Message(encodeDhcpv4Message(reply));
    expect(back).toMatchObject({ op: 2, htype: 1, hlen: 6, hops: 0, xid: 0x12345678, secs: 0, flags: 0x8000, giaddr: 0x0a000001, yiaddr: 0xc000020a, ciaddr: 0 });
    expect(toHex(back.chaddr)).toBe(toHex(request.chaddr));
    expect(back.sname.every((b) => b === 0) && back.file.every((b) => b === 0)).toBe(true);
  });

  test("every byte is written: encoders are right on a poisoned allocation pool", () => {
    const spy = vi.spyOn(Buffer, "allocUnsafe").mockImplementation((n: number) => Buffer.alloc(n, 0xa5));
    try {
      for (const bytes of Object.values(VECTORS)) {
        expect(toHex(encodeDhcpv6Message(decodeDhcpv6Message(bytes)))).toBe(toHex(bytes));
      }
      const m = base();
      m.options.push(messageOption("y".repeat(150)));
      const clean = decodeDhcpv4Message(encodeDhcpv4Message(m, { maxLength: 300, minLength: 300 }));
      expect(plain(clean)).toEqual(plain({ ...m, sname: new Uint8Array(64), file: new Uint8Array(128) }));
      const padded = encodeDhcpv4Message(base(), { minLength: 400 });
      expect(padded.subarray(244).every((b) => b === 0)).toBe(true);
      const tv2 = decodeDhcpv6Message(TV2);
      const offer = decodeDhcpv4Message((tv2 as { options: { data: Uint8Array }[] }).options[0]!.data);
      expect(toHex(encodeDhcp4o6Response({ dhcpv4: createBootReply(offer, { yiaddr: offer.yiaddr, options: offer.options }) }))).toBe(toHex(TV2));
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("DHCPv4 option accessors and editing", () => {
  test("set replaces every instance in place, remove deletes, builders validate", () => {
    const m = base();
    m.options.push(leaseTimeOption(1), routersOption([1]), leaseTimeOption(2));
    setDhcpv4Option(m, leaseTimeOption(3600));
    expect(m.options.map((o) => o.code)).toEqual([53, 51, 3]);
    expect(toHex(getDhcpv4Option(m, 51)!)).toBe("00000e10");
    setDhcpv4Option(m, messageOption("hi"));
    expect(messageText(m)).toBe("hi");
    removeDhcpv4Option(m, 3);
    expect(m.options.map((o) => o.code)).toEqual([53, 51, 56]);
    expect(() => leaseTimeOption(-1)).toThrow(EncodeError);
    expect(() => routersOption([])).toThrow(EncodeError);
    expect(() => parameterRequestListOption([0])).toThrow(EncodeError);
    expect(maxMessageSize(decodeDhcpv4Message(rawDhcpv4([57, 2, 0x05, 0xdc, 255])))).toBe(1500);
  });
});
