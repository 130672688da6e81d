import { describe, expect, it } from "vitest";
import { describeFilter, leaseFilterSchema, leaseListSchema, leaseParamsFrom, parseIpv4Range, parseLeaseSearch } from "@/server/alloc/lease-filter";

const ip = (dotted: string) => dotted.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

describe("parseIpv4Range", () => {
  it("reads an address, a prefix, a range and the first octets", () => {
    expect(parseIpv4Range("192.0.2.7")).toEqual({ first: ip("192.0.2.7"), last: ip("192.0.2.7") });
    expect(parseIpv4Range("192.0.2.0/24")).toEqual({ first: ip("192.0.2.0"), last: ip("192.0.2.255") });
    expect(parseIpv4Range("0.0.0.0/0")).toEqual({ first: 0, last: 2 ** 32 - 1 });
    expect(parseIpv4Range("192.0.2.1 - 192.0.2.9")).toEqual({ first: ip("192.0.2.1"), last: ip("192.0.2.9") });
    expect(parseIpv4Range("10.1")).toEqual({ first: ip("10.1.0.0"), last: ip("10.1.255.255") });
    expect(parseIpv4Range("192.0.2.")).toEqual({ first: ip("192.0.2.0"), last: ip("192.0.2.255") });
    expect(parseIpv4Range("255.255.255")).toEqual({ first: ip("255.255.255.0"), last: 2 ** 32 - 1 });
  });

  it("says what is wrong", () => {
    expect(parseIpv4Range("192.0.2.1/24")).toEqual({ error: "192.0.2.1/24 has host bits set; the prefix is 192.0.2.0/24" });
    expect(parseIpv4Range("192.0.2.0/33")).toEqual({ error: 'Prefix length "33" is not 0..32' });
    expect(parseIpv4Range("192.0.2.9-192.0.2.1")).toEqual({ error: "The range ends (192.0.2.1) before it starts (192.0.2.9)" });
    expect(parseIpv4Range("192.0.2.256")).toMatchObject({ error: expect.stringContaining('"192.0.2.256" is not an IPv4 address') });
    expect(parseIpv4Range("01.2.3.4")).toMatchObject({ error: expect.any(String) });
  });
});

describe("parseLeaseSearch", () => {
  it("reads digits and dots as IPv4 only", () => {
    expect(parseLeaseSearch("192.0.2.1")).toEqual({ ok: true, terms: [{ kind: "ipv4", first: ip("192.0.2.1"), last: ip("192.0.2.1") }] });
    expect(parseLeaseSearch("192.0.2.300")).toMatchObject({ ok: false });
  });

  it("tries client id, MAC and IPv6 for hex with colons", () => {
    expect(parseLeaseSearch("02:00:00:00:00:A1")).toEqual({
      ok: true,
      terms: [
        { kind: "client", hex: "0200000000a1" },
        { kind: "mac", text: "02:00:00:00:00:a1" },
        { kind: "ipv6", text: "02:00:00:00:00:a1" },
      ],
    });
    // A full IPv6 address with "::" is an IPv6 address, in RFC 5952 form.
    expect(parseLeaseSearch("2001:DB8:0::1")).toEqual({ ok: true, terms: [{ kind: "ipv6", text: "2001:db8::1" }] });
    // Plain hex: client id, and a MAC typed without separators.
    expect(parseLeaseSearch("0200")).toEqual({ ok: true, terms: [{ kind: "client", hex: "0200" }, { kind: "mac", text: "02:00" }] });
    expect(parseLeaseSearch("abc")).toEqual({ ok: true, terms: [{ kind: "client", hex: "abc" }] });
  });

  it("narrows to the chosen field and explains a mismatch", () => {
    expect(parseLeaseSearch("02-00-5e", "mac")).toEqual({ ok: true, terms: [{ kind: "mac", text: "02:00:5e" }] });
    expect(parseLeaseSearch("2001:db8", "ipv6")).toEqual({ ok: true, terms: [{ kind: "ipv6", text: "2001:db8" }] });
    expect(parseLeaseSearch("ff 00 01", "client")).toEqual({ ok: true, terms: [{ kind: "client", hex: "ff0001" }] });
    expect(parseLeaseSearch("hello", "client")).toMatchObject({ ok: false, message: expect.stringContaining("is not a client identifier") });
    expect(parseLeaseSearch("2001:db8::1", "mac")).toMatchObject({ ok: false, message: expect.stringContaining("is not a MAC address") });
    expect(parseLeaseSearch("02:00", "ipv4")).toMatchObject({ ok: false });
    expect(parseLeaseSearch("hello world")).toMatchObject({ ok: false, message: expect.stringContaining("is not a client identifier (hex), an IPv4 address") });
    expect(parseLeaseSearch("   ")).toEqual({ ok: true, terms: [] });
  });
});

describe("lease filter schemas", () => {
  it("take URL text, drop empty values and resolve the search", () => {
    const parsed = leaseFilterSchema.parse(leaseParamsFrom(new URLSearchParams("q=192.0.2.0%2F30&field=&pool=shared-a&state=bound,offered&extra=1")));
    expect(parsed).toEqual({ q: "192.0.2.0/30", field: "any", pool: "shared-a", state: ["BOUND", "OFFERED"], terms: [{ kind: "ipv4", first: ip("192.0.2.0"), last: ip("192.0.2.3") }] });
    expect(describeFilter(parsed)).toEqual({ q: "192.0.2.0/30", pool: "shared-a", state: "bound,offered" });
    expect(leaseFilterSchema.parse({ state: "Live" }).state).toBe("LIVE");
  });

  it("default to newest first, and to ascending once a column is chosen", () => {
    expect(leaseListSchema.parse({})).toMatchObject({ sort: undefined, dir: "desc", page: 1, pageSize: 50 });
    expect(leaseListSchema.parse({ sort: "address", page: "3" })).toMatchObject({ sort: "address", dir: "asc", page: 3 });
    expect(leaseListSchema.parse({ sort: "address", dir: "DESC" })).toMatchObject({ dir: "desc" });
  });

  it("name the field in every message", () => {
    const issues = leaseListSchema.safeParse({ sort: "nope", dir: "up", page: "0" });
    expect(issues.success).toBe(false);
    const paths = issues.error!.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["sort", "dir", "page"]));
  });

  it("reads Next's searchParams objects too (first of repeated values)", () => {
    expect(leaseParamsFrom({ q: ["a1", "b2"], page: "2", pool: "" })).toEqual({ q: "a1", field: undefined, pool: undefined, state: undefined, sort: undefined, dir: undefined, page: "2" });
  });
});
