// The pool definition: parsing, defaults, the rules between fields, the messages an operator
// reads, the console's preview figures, and the row conversions the allocator relies on.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Pool as PoolRow } from "@/server/db/generated/sqlite/client";
import {
  DEFAULT_SHARED_PSID_OFFSET,
  MAX_POOL_SLOTS,
  changedPoolFields,
  describePoolPlan,
  formatIpv4,
  parseIpv4,
  poolFieldErrors,
  poolFromRow,
  poolInputSchema,
  poolSlotCapacity,
  poolToInput,
  poolToRow,
  poolUsablePsids,
  type PoolSpec,
} from "@/server/alloc/pool-spec";

const shared = { name: "shared-a", kind: "shared", range: "192.0.2.0/24", psidOffset: 6, psidLength: 4, leaseTime: 3600 };
const dedicated = { name: "full-a", kind: "dedicated", range: "198.51.100.0/26", leaseTime: 3600 };

function spec(input: Record<string, unknown>): PoolSpec {
  const result = poolInputSchema.safeParse(input);
  if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return result.data;
}

/** The issues of a refused input as "path: message". */
function issues(input: Record<string, unknown>): string[] {
  const result = poolInputSchema.safeParse(input);
  expect(result.success, "input should be refused").toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

const ip = (text: string) => parseIpv4(text)!;

describe("IPv4 text", () => {
  it("parses strict dotted quads and formats them back", () => {
    expect(parseIpv4("192.0.2.1")).toBe(0xc0000201);
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
    expect(formatIpv4(0xc0000201)).toBe("192.0.2.1");
    expect(formatIpv4(0xffffffff)).toBe("255.255.255.255");
    for (const bad of ["192.0.2", "192.0.2.256", "192.0.2.010", "0xc0.0.2.1", "3221225985", " 192.0.2.1", ""]) expect(parseIpv4(bad), bad).toBeNull();
  });
});

describe("address ranges", () => {
  it("reads a CIDR prefix as every address of a shared pool", () => {
    const pool = spec(shared);
    expect([pool.firstAddress, pool.lastAddress]).toEqual([ip("192.0.2.0"), ip("192.0.2.255")]);
  });

  it("reads first-last and a single address, with spaces around the dash", () => {
    const range = spec({ ...shared, range: "192.0.2.10 - 192.0.2.200" });
    expect([range.firstAddress, range.lastAddress]).toEqual([ip("192.0.2.10"), ip("192.0.2.200")]);
    const one = spec({ ...shared, range: "192.0.2.7" });
    expect([one.firstAddress, one.lastAddress]).toEqual([ip("192.0.2.7"), ip("192.0.2.7")]);
  });

  it("leaves the network and broadcast addresses out of a dedicated CIDR pool (RFC 1122 §3.2.1.3)", () => {
    const pool = spec(dedicated);
    expect([formatIpv4(pool.firstAddress), formatIpv4(pool.lastAddress)]).toEqual(["198.51.100.1", "198.51.100.62"]);
    expect(pool.subnetMask).toBe(ip("255.255.255.192"));
    // /31 and /32 have no network or broadcast address (RFC 3021).
    const p2p = spec({ ...dedicated, range: "198.51.100.0/31" });
    expect([p2p.firstAddress, p2p.lastAddress]).toEqual([ip("198.51.100.0"), ip("198.51.100.1")]);
    // A shared pool with an explicit /24 mask follows the same rule.
    const masked = spec({ ...shared, subnetMask: 24 });
    expect([formatIpv4(masked.firstAddress), formatIpv4(masked.lastAddress)]).toEqual(["192.0.2.1", "192.0.2.254"]);
  });

  it.each([
    ["192.0.2.5/24", "range: 192.0.2.5/24 has host bits set; the prefix is 192.0.2.0/24"],
    ["192.0.2.0/33", 'range: Prefix length "33" is not 0..32'],
    ["192.0.2.200-192.0.2.10", "range: The range ends (192.0.2.10) before it starts (192.0.2.200)"],
    ["192.0.2.300-192.0.2.310", 'range: "192.0.2.300" is not an IPv4 address (a dotted quad such as 192.0.2.1)'],
    ["192.0.2.1-192.0.2.5-192.0.2.9", 'range: "192.0.2.1-192.0.2.5-192.0.2.9" is not an address range. Use a prefix such as 192.0.2.0/24 or a range such as 192.0.2.10-192.0.2.200'],
    ["", "range: Enter the addresses. Use a prefix such as 192.0.2.0/24 or a range such as 192.0.2.10-192.0.2.200"],
    ["224.0.0.0/28", "range: Range 224.0.0.0-224.0.0.15 includes multicast addresses (224.0.0.0/4)"],
    ["127.0.0.0/30", "range: Range 127.0.0.0-127.0.0.3 includes loopback addresses (127.0.0.0/8)"],
    ["0.0.0.0/30", 'range: Range 0.0.0.0-0.0.0.3 includes "this network" addresses (0.0.0.0/8, RFC 1122 §3.2.1.3)'],
    ["255.255.255.255", "range: Range 255.255.255.255 includes reserved and broadcast addresses (240.0.0.0/4)"],
  ])("refuses %s", (range, message) => {
    expect(issues({ ...shared, range })).toContain(message);
  });

  it("refuses first-last ranges that hold the network or broadcast address, or span subnets of the mask", () => {
    expect(issues({ ...dedicated, range: "198.51.100.0-198.51.100.20", subnetMask: "255.255.255.0" })).toEqual([
      "range: Range includes 198.51.100.0, the network address of 198.51.100.0/24 (see the subnet mask); start at 198.51.100.1",
    ]);
    expect(issues({ ...dedicated, range: "198.51.100.200-198.51.100.255", subnetMask: 24 })).toEqual([
      "range: Range includes 198.51.100.255, the broadcast address of 198.51.100.0/24 (see the subnet mask); end at 198.51.100.254",
    ]);
    expect(issues({ ...dedicated, range: "10.0.0.10-10.0.1.10", subnetMask: "/24" })).toEqual([
      "range: Range 10.0.0.10-10.0.1.10 spans more than one /24 subnet (see the subnet mask); a pool lies inside one subnet",
    ]);
  });

  it("refuses pools beyond the slot limit, naming the field to shrink", () => {
    expect(issues({ ...shared, range: "10.0.0.0/12", psidLength: 6 })).toEqual([
      `psidLength: The pool would hold 67108864 slots (1048576 addresses × 64 port sets); one pool holds at most ${MAX_POOL_SLOTS}: use a smaller range or PSID length, or several pools`,
    ]);
    expect(issues({ ...dedicated, range: "16.0.0.0/7", subnetMask: 32 })).toEqual([
      `range: The pool would hold 33554432 addresses; one pool holds at most ${MAX_POOL_SLOTS}: use a smaller range, or several pools`,
    ]);
  });
});

describe("defaults", () => {
  it("shared pool: offset 6 (RFC 7597 §5.1), mask /32 and no router (protocol.md §4.4), T1 0.5 / T2 0.875 (RFC 2131 §4.4.5)", () => {
    const pool = spec({ name: "s", kind: "shared", range: "192.0.2.0/24", psidLength: 4, leaseTime: 3600 });
    expect(pool).toMatchObject({
      kind: "SHARED",
      psidOffset: DEFAULT_SHARED_PSID_OFFSET,
      psidLength: 4,
      subnetMask: 0xffffffff,
      routers: [],
      dnsServers: [],
      reservedPorts: [],
      allowWellKnown: false,
      renewTime: 1800,
      rebindTime: 3150,
      enabled: true,
      linkAddressPrefix: null,
      interfaceId: null,
      sourcePrefix: null,
      brAddress: null,
      bindPrefix: null,
    });
    expect(DEFAULT_SHARED_PSID_OFFSET).toBe(6);
  });

  it("dedicated pool: no PSID layout; the CIDR's mask, or none for first-last", () => {
    expect(spec(dedicated)).toMatchObject({ kind: "DEDICATED", psidOffset: 0, psidLength: 0, subnetMask: ip("255.255.255.192") });
    expect(spec({ ...dedicated, range: "198.51.100.10-198.51.100.20" }).subnetMask).toBeNull();
    expect(spec({ ...dedicated, psidOffset: 0, psidLength: 0 }).psidLength).toBe(0);
  });

  it("rounds T1 and T2 down to whole seconds", () => {
    expect(spec({ ...shared, leaseTime: 61 })).toMatchObject({ renewTime: 30, rebindTime: 53 });
  });

  it("accepts kind in any case, digit strings for numbers, and blank optional fields", () => {
    expect(spec({ ...shared, kind: "SHARED" }).kind).toBe("SHARED");
    expect(spec({ ...dedicated, kind: "Dedicated" }).kind).toBe("DEDICATED");
    expect(spec({ ...shared, leaseTime: "7200", psidLength: "5", renewTime: "" })).toMatchObject({ leaseTime: 7200, psidLength: 5, renewTime: 3600 });
    expect(spec({ ...shared, subnetMask: null, routers: null, interfaceId: "" })).toMatchObject({ subnetMask: 0xffffffff, routers: [], interfaceId: null });
  });
});

describe("lease timers (RFC 2131 §4.4.5: T1 < T2 < lease time)", () => {
  it("accepts explicit T1 and T2 in order", () => {
    expect(spec({ ...shared, renewTime: 1000, rebindTime: 2000 })).toMatchObject({ renewTime: 1000, rebindTime: 2000 });
    expect(spec({ ...shared, renewTime: 3000 })).toMatchObject({ renewTime: 3000, rebindTime: 3150 });
  });

  it.each([
    [{ renewTime: 3600 }, "renewTime: Renew time (T1) 3600 must be shorter than the lease time 3600"],
    [{ rebindTime: 4000 }, "rebindTime: Rebind time (T2) 4000 must be shorter than the lease time 3600"],
    [{ renewTime: 2000, rebindTime: 2000 }, "renewTime: Renew time (T1) 2000 must be shorter than the rebind time (T2) 2000"],
    [{ renewTime: 3200 }, "renewTime: Renew time (T1) 3200 must be shorter than the rebind time (T2) 3150 (7/8 of the lease time by default)"],
    [{ rebindTime: 1000 }, "rebindTime: Rebind time (T2) 1000 must be longer than the renew time (T1) 1800, half the lease time by default; set a renew time too"],
    [{ leaseTime: 59 }, "leaseTime: Lease time must be at least 60 seconds"],
    [{ leaseTime: 31_536_001 }, "leaseTime: Lease time must be at most 31536000 seconds"],
    [{ leaseTime: 90.5 }, "leaseTime: Lease time must be a whole number of seconds"],
    [{ leaseTime: undefined }, "leaseTime: Lease time is required"],
    [{ renewTime: 0 }, "renewTime: Renew time (T1) must be at least 1 second"],
  ])("refuses %o", (change, message) => {
    expect(issues({ ...shared, ...change })).toContain(message);
  });
});

describe("PSID layout", () => {
  it.each([
    [{ psidOffset: 10, psidLength: 8 }, "psidLength: PSID offset 10 plus PSID length 8 exceeds 16 bits"],
    [{ psidOffset: 16 }, "psidOffset: PSID offset must be at most 15"],
    [{ psidLength: 17 }, "psidLength: PSID length must be at most 16"],
    [{ psidLength: undefined }, "psidLength: A shared pool needs a PSID length of 1..16 (2^k subscribers share each address)"],
    [{ psidLength: 0 }, "psidLength: PSID length 0 gives each subscriber the whole address; use 1..16, or a dedicated pool"],
  ])("refuses shared %o", (change, message) => {
    expect(issues({ ...shared, ...change })).toEqual([message]);
  });

  it("refuses PSID fields, reserved ports and well-known ports on a dedicated pool", () => {
    expect(issues({ ...dedicated, psidOffset: 6, psidLength: 4, reservedPorts: ["5060"], allowWellKnown: true })).toEqual([
      "psidOffset: Leave the PSID offset empty: a dedicated pool hands out whole addresses, with every port",
      "psidLength: Leave the PSID length empty: a dedicated pool hands out whole addresses, with every port",
      "reservedPorts: Reserved ports apply to shared pools only: a dedicated pool hands out whole addresses, with every port",
      "allowWellKnown: Well-known ports apply to shared pools only: a dedicated pool hands out whole addresses, with every port",
    ]);
  });

  it("refuses an offset above 6 while well-known ports are kept out: no PSID would be usable", () => {
    for (let psidOffset = 7; psidOffset <= 15; psidOffset++) {
      const [message] = issues({ ...shared, psidOffset, psidLength: 1 });
      expect(message).toMatch(new RegExp(`^psidOffset: PSID offset ${psidOffset} leaves no usable PSID: well-known ports 0-1023: excludes PSIDs 0-1 \\(2 of 2\\)\\.`));
      expect(message).toContain(`Only ports 0-${2 ** (16 - psidOffset) - 1} stay outside every port set`);
      expect(message).toContain("use an offset of 6 or less, or allow well-known ports");
    }
    // RFC 7618 §8: the operator may explicitly allow port sets with well-known ports.
    expect(spec({ ...shared, psidOffset: 7, psidLength: 4, allowWellKnown: true }).psidOffset).toBe(7);
  });

  it("refuses reserved ports that leave no PSID, saying which exclusion removes which PSIDs", () => {
    expect(issues({ ...shared, psidOffset: 0, psidLength: 1, reservedPorts: ["32768-65535"] })).toEqual([
      "reservedPorts: No usable PSID is left: well-known ports 0-1023: excludes PSID 0 (1 of 2); reserved ports 32768-65535: excludes PSID 1 (1 of 2). Reserve fewer ports",
    ]);
  });

  it("reads reserved ports as strings, numbers or {first, last}, and stores them sorted and merged", () => {
    const pool = spec({ ...shared, reservedPorts: ["8080", { first: 8000, last: 8079 }, 5060, " 9000 - 9001 ", "8081-8099"] });
    expect(pool.reservedPorts).toEqual([
      { first: 5060, last: 5060 },
      { first: 8000, last: 8099 },
      { first: 9000, last: 9001 },
    ]);
  });

  it.each([
    [["80-"], 'reservedPorts.0: "80-" is not a port or port range such as 8080 or 8000-8099'],
    [["5060", "70000"], "reservedPorts.1: First port 70000 is not a port number (0..65535)"],
    [[{ first: 9, last: 3 }], "reservedPorts.0: Port range 9-3 ends before it starts"],
    [[true], "reservedPorts.0: Write a reserved port as 8080, a range as 8000-8099, or {first, last}"],
    ["5060", 'reservedPorts: Reserved ports must be a list such as ["5060", "8000-8099"]'],
  ])("refuses reserved ports %j", (reservedPorts, message) => {
    expect(issues({ ...shared, reservedPorts })).toEqual([message]);
  });
});

describe("options and 4o6 selection scope", () => {
  it("reads subnet masks as a prefix length or a dotted quad", () => {
    for (const mask of [24, "24", "/24", "255.255.255.0"]) expect(spec({ ...dedicated, range: "198.51.100.10-198.51.100.20", subnetMask: mask }).subnetMask).toBe(ip("255.255.255.0"));
    expect(issues({ ...shared, subnetMask: "255.0.255.0" })).toEqual(["subnetMask: 255.0.255.0 is not a contiguous subnet mask"]);
    expect(issues({ ...shared, subnetMask: 33 })).toEqual(["subnetMask: Subnet mask /33 is not /1../32"]);
    expect(issues({ ...shared, subnetMask: true })).toEqual(["subnetMask: Subnet mask must be a prefix length such as 24, or a mask such as 255.255.255.0"]);
  });

  it("keeps routers and DNS servers in order, outside the handed-out range and inside the subnet", () => {
    const pool = spec({ ...dedicated, routers: ["198.51.100.0"], dnsServers: ["192.0.2.53", "198.51.100.63"] });
    expect(pool.routers).toEqual([ip("198.51.100.0")]);
    expect(pool.dnsServers).toEqual([ip("192.0.2.53"), ip("198.51.100.63")]);
    expect(issues({ ...dedicated, routers: ["198.51.100.1"] })).toEqual([
      "routers.0: Router 198.51.100.1 lies inside the pool's range and would be handed out to a subscriber",
    ]);
    expect(issues({ ...dedicated, routers: ["198.51.100.0", "192.0.2.1"] })).toEqual(["routers.1: Router 192.0.2.1 is outside the pool's subnet 198.51.100.0/26"]);
    expect(issues({ ...shared, dnsServers: ["192.0.2.53", "dns.example"] })).toEqual([
      'dnsServers.1: "dns.example" is not an IPv4 address (a dotted quad such as 192.0.2.1)',
    ]);
    expect(issues({ ...shared, routers: Array.from({ length: 17 }, (_, i) => `203.0.113.${i + 1}`) })).toEqual(["routers: At most 16 routers"]);
  });

  it("normalises IPv6 prefixes (RFC 5952) and refuses host bits, IPv4 and zone indexes", () => {
    const pool = spec({ ...shared, linkAddressPrefix: "2001:DB8:1:0::/48", sourcePrefix: "2001:db8:0:0:0:0:0:5", bindPrefix: "2001:db8:100::/56" });
    expect(pool).toMatchObject({ linkAddressPrefix: "2001:db8:1::/48", sourcePrefix: "2001:db8::5/128", bindPrefix: "2001:db8:100::/56" });
    expect(issues({ ...shared, linkAddressPrefix: "2001:db8:1::1/48" })).toEqual([
      "linkAddressPrefix: 2001:db8:1::1/48 has bits set past the prefix length; the prefix is 2001:db8:1::/48",
    ]);
    expect(issues({ ...shared, sourcePrefix: "192.0.2.0/24" })).toEqual(["sourcePrefix: 192.0.2.0/24 is IPv4; this field matches IPv6 addresses (such as 2001:db8:1::/48)"]);
    expect(issues({ ...shared, sourcePrefix: "fe80::1%eth0" })).toEqual(["sourcePrefix: fe80::1%eth0 has a zone index; use a global prefix"]);
    expect(issues({ ...shared, linkAddressPrefix: "2001:db8::/129" })).toEqual(['linkAddressPrefix: "2001:db8::/129" is not an IPv6 prefix (such as 2001:db8:1::/48)']);
  });

  it("takes the BR address as one global unicast IPv6 address (RFC 8539 option 90)", () => {
    expect(spec({ ...shared, brAddress: "2001:DB8::0:1" }).brAddress).toBe("2001:db8::1");
    expect(issues({ ...shared, brAddress: "2001:db8::/64" })).toEqual(["brAddress: Enter one IPv6 address without a prefix length, such as 2001:db8::1"]);
    expect(issues({ ...shared, brAddress: "ff02::1" })).toEqual(["brAddress: ff02::1 is a multicast address; the BR needs a global unicast address"]);
    expect(issues({ ...shared, brAddress: "br.example" })).toEqual(['brAddress: "br.example" is not an IPv6 address (such as 2001:db8::1)']);
  });

  it("stores the Interface-Id as lowercase hex: text as UTF-8 bytes, hex: as bytes", () => {
    expect(spec({ ...shared, interfaceId: "Gi0/0/1" }).interfaceId).toBe(Buffer.from("Gi0/0/1").toString("hex"));
    expect(spec({ ...shared, interfaceId: "hex:0A:0b 0C" }).interfaceId).toBe("0a0b0c");
    expect(issues({ ...shared, interfaceId: "hex:abc" })).toEqual(['interfaceId: "hex:abc" is not hex bytes; write hex:0a0b0c, or the Interface-Id as plain text']);
    expect(issues({ ...shared, interfaceId: "x".repeat(129) })).toEqual(["interfaceId: The Interface-Id is 129 bytes long; at most 128"]);
  });
});

describe("messages name their field", () => {
  it.each([
    [{ name: undefined }, "name", "Name is required"],
    [{ name: "" }, "name", "Name is required"],
    [{ name: "pool a" }, "name", "Name may use letters, digits, dot, dash and underscore"],
    [{ name: "p".repeat(65) }, "name", "Name is at most 64 characters"],
    [{ kind: "nat44" }, "kind", 'Kind must be "shared" (address + port set) or "dedicated" (whole address)'],
    [{ kind: undefined }, "kind", 'Kind must be "shared" or "dedicated"'],
    [{ range: undefined }, "range", "Range is required, such as 192.0.2.0/24 or 192.0.2.10-192.0.2.200"],
    [{ psidOffset: -1 }, "psidOffset", "PSID offset must be at least 0"],
    [{ psidOffset: "six" }, "psidOffset", "PSID offset must be a number"],
    [{ allowWellKnown: "yes" }, "allowWellKnown", "Allow well-known ports must be true or false"],
    [{ enabled: 1 }, "enabled", "Enabled must be true or false"],
    [{ routers: "192.0.2.1" }, "routers", "Routers must be a list of IPv4 addresses"],
    [{ leaseTime: "1h" }, "leaseTime", "Lease time must be a number of seconds"],
  ])("%o → %s", (change, field, message) => {
    const result = poolInputSchema.safeParse({ ...shared, ...change });
    expect(result.success).toBe(false);
    expect(poolFieldErrors(result.error!)).toMatchObject({ [field]: message });
  });

  it("refuses unknown fields, so a typo in the pool file is not ignored", () => {
    expect(issues({ ...shared, leasetime: 60 })).toEqual([': Unknown field "leasetime"']);
  });

  it("every refusal of a corrupted valid input names a field", () => {
    const keys = ["name", "kind", "range", "psidOffset", "psidLength", "reservedPorts", "leaseTime", "renewTime", "rebindTime", "subnetMask", "routers", "interfaceId", "sourcePrefix"];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant([-1])), (key, value) => {
        const result = poolInputSchema.safeParse({ ...shared, [key]: value });
        if (result.success) return;
        for (const issue of result.error.issues) {
          expect(issue.path.length, issue.message).toBeGreaterThan(0);
          expect(issue.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("describePoolPlan (the console's live preview)", () => {
  it("/24 with a = 6, k = 4: 256 addresses × 16 port sets of 63 ranges × 64 ports (protocol.md §5.3 row 3)", () => {
    const plan = describePoolPlan(spec(shared));
    expect(plan).toMatchObject({
      kind: "SHARED",
      range: "192.0.2.0-192.0.2.255",
      addressCount: 256,
      subscribersPerAddress: 16,
      usablePsidsPerAddress: 16,
      excludedPsidsPerAddress: 0,
      // (2^6 - 1) × 2^6 = 2^(16-4) - 2^6 (RFC 7597 §5.1).
      portsPerSubscriber: 4032,
      rangesPerSubscriber: 63,
      totalCapacity: 4096,
      samplePsid: 0,
      samplePortSet: "PSID 0: 63 ranges of 64 ports, 4032 ports, 1024-1087 ... 64512-64575",
      subnetMask: "255.255.255.255 (/32)",
      leaseTime: 3600,
      renewTime: 1800,
      rebindTime: 3150,
    });
    expect(plan.layout).toBe("offset 6, PSID length 4: 16 PSIDs (sharing ratio 16), 63 ranges of 64 ports, 4032 ports per PSID, ports 0-1023 in no port set (A = 0)");
    // With a = 6 the offset alone keeps 0-1023 out (RFC 7597 §5.1), so no PSID is lost to it.
    expect(plan.exclusions).toEqual(["well-known ports 0-1023: excludes no PSID (no port set contains these ports)"]);
  });

  it("lists the PSIDs that reserved ports exclude, with the reason, and counts capacity without them", () => {
    const plan = describePoolPlan(spec({ ...shared, psidLength: 6, reservedPorts: ["5060", "8000-8099"] }));
    expect(plan.exclusions).toEqual([
      "well-known ports 0-1023: excludes no PSID (no port set contains these ports)",
      // 5060 = 4·1024 + 964; m = 4, so PSID = 964 >> 4 = 60.
      "reserved port 5060: excludes PSID 60 (1 of 64)",
      // 8000-8099: 7·1024 + 832 .. 7·1024 + 931 → PSIDs 52..58.
      "reserved ports 8000-8099: excludes PSIDs 52-58 (7 of 64)",
    ]);
    expect(plan).toMatchObject({ subscribersPerAddress: 64, usablePsidsPerAddress: 56, excludedPsidsPerAddress: 8, portsPerSubscriber: 1008, totalCapacity: 256 * 56 });
  });

  it("a = 0: the well-known ports remove the low PSIDs (protocol.md §5.5: k = 6 leaves 63)", () => {
    const plan = describePoolPlan(spec({ ...shared, psidOffset: 0, psidLength: 6 }));
    expect(plan.exclusions).toEqual(["well-known ports 0-1023: excludes PSID 0 (1 of 64)"]);
    expect(plan).toMatchObject({ usablePsidsPerAddress: 63, portsPerSubscriber: 1024, rangesPerSubscriber: 1, samplePsid: 1, samplePortSet: "PSID 1: 1 range of 1024 ports, 1024 ports, 1024-2047" });
  });

  it("dedicated pools: one subscriber per address, every port", () => {
    expect(describePoolPlan(spec(dedicated))).toMatchObject({
      kind: "DEDICATED",
      range: "198.51.100.1-198.51.100.62",
      addressCount: 62,
      subscribersPerAddress: 1,
      portsPerSubscriber: 65536,
      totalCapacity: 62,
      layout: null,
      samplePsid: null,
      exclusions: [],
      subnetMask: "255.255.255.192 (/26)",
    });
    expect(poolSlotCapacity(spec(dedicated))).toBe(62);
    expect(poolSlotCapacity(spec(shared))).toBe(4096);
  });
});

describe("rows and round trips", () => {
  const stored = (pool: PoolSpec, extra: Partial<PoolRow> = {}): PoolRow => ({
    ...poolToRow(pool),
    id: 7,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    updatedAt: new Date("2026-01-02T00:00:00Z"),
    ...extra,
  });

  const full = spec({
    name: "metro-1",
    kind: "shared",
    range: "203.0.113.0/26",
    psidOffset: 4,
    psidLength: 6,
    reservedPorts: ["5060", "8000-8099"],
    leaseTime: 7200,
    renewTime: 1000,
    rebindTime: 5000,
    subnetMask: "255.255.255.128",
    routers: ["203.0.113.126"],
    dnsServers: ["192.0.2.53", "192.0.2.54"],
    linkAddressPrefix: "2001:db8:1::/48",
    interfaceId: "ge-0/0/1.100",
    sourcePrefix: "2001:db8:ff::/64",
    brAddress: "2001:db8::1",
    bindPrefix: "2001:db8:100::/56",
    enabled: false,
  });

  it("writes addresses as BigInt and lists as JSON text, and reads them back", () => {
    const row = poolToRow(full);
    // 203.0.113.0 is the network address of the /25 mask, so the CIDR range starts at .1.
    expect([row.firstAddress, row.lastAddress]).toEqual([BigInt(ip("203.0.113.1")), BigInt(ip("203.0.113.63"))]);
    expect(row.subnetMask).toBe(BigInt(ip("255.255.255.128")));
    expect(JSON.parse(row.reservedPorts)).toEqual([
      { first: 5060, last: 5060 },
      { first: 8000, last: 8099 },
    ]);
    expect(JSON.parse(row.routers)).toEqual(["203.0.113.126"]);
    const pool = poolFromRow(stored(full));
    expect(pool).toEqual({ ...full, id: 7, createdAt: new Date("2026-01-01T00:00:00Z"), updatedAt: new Date("2026-01-02T00:00:00Z") });
    expect(changedPoolFields(pool, full)).toEqual([]);
  });

  it("is total on damaged rows: unreadable reserved ports reserve every port, unreadable lists are dropped, missing T1/T2 defaulted", () => {
    const pool = poolFromRow(stored(spec(shared), { reservedPorts: "not json", routers: '["192.0.2.1", 5, "x"]', dnsServers: "{", renewTime: null, rebindTime: null }));
    expect(pool.reservedPorts).toEqual([{ first: 0, last: 65535 }]);
    expect(poolUsablePsids(pool).usableCount).toBe(0);
    expect(pool.routers).toEqual([ip("192.0.2.1")]);
    expect(pool.dnsServers).toEqual([]);
    expect([pool.renewTime, pool.rebindTime]).toEqual([1800, 3150]);
    expect(poolFromRow(stored(spec(shared), { reservedPorts: '[{"first": 9, "last": 3}]' })).reservedPorts).toEqual([{ first: 0, last: 65535 }]);
  });

  it("poolToInput gives operator input that parses to the same definition", () => {
    for (const pool of [full, spec(shared), spec(dedicated), spec({ ...dedicated, range: "198.51.100.10-198.51.100.20" }), spec({ ...shared, allowWellKnown: true, psidOffset: 0 })]) {
      const input = poolToInput(pool);
      expect(changedPoolFields(spec(input as Record<string, unknown>), pool), JSON.stringify(input)).toEqual([]);
    }
    expect(poolToInput(spec(dedicated))).toEqual({ name: "full-a", kind: "dedicated", range: "198.51.100.1-198.51.100.62", leaseTime: 3600, subnetMask: "255.255.255.192", enabled: true });
    expect(poolToInput(full)).toMatchObject({ interfaceId: `hex:${Buffer.from("ge-0/0/1.100").toString("hex")}`, renewTime: 1000, rebindTime: 5000 });
  });

  it("changedPoolFields names what differs", () => {
    const before = spec(shared);
    expect(changedPoolFields(before, spec({ ...shared, leaseTime: 7200 }))).toEqual(["leaseTime", "renewTime", "rebindTime"]);
    expect(changedPoolFields(before, spec({ ...shared, reservedPorts: ["5060"], range: "192.0.2.0/25" }))).toEqual(["lastAddress", "reservedPorts"]);
  });
});
