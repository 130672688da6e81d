// The console's formatters, checked without a browser (the Playwright runner runs plain tests too).
import { expect, test } from "@playwright/test";
import { auditChanges } from "../../components/format/audit-change";
import { formatSeconds } from "../../components/format/duration";
import { formatEndpoint } from "../../components/format/endpoint";
import { countIPv4Range, formatIPv4, formatIPv4Range } from "../../components/format/ipv4";
import { formatUtc } from "../../components/format/time";
import { humanize, plural } from "../../components/format/words";
import { safeNextPath } from "../../app/_auth/next-path";

test("IPv4 addresses stored as uint32 read as dotted quads", () => {
  expect(formatIPv4(0n)).toBe("0.0.0.0");
  expect(formatIPv4(3221225985n)).toBe("192.0.2.1");
  expect(formatIPv4(0xffffffffn)).toBe("255.255.255.255");
  expect(formatIPv4(3232235777)).toBe("192.168.1.1");
  expect(() => formatIPv4(-1n)).toThrow(RangeError);
  expect(() => formatIPv4(0x1_0000_0000n)).toThrow(RangeError);
  expect(formatIPv4Range(3221225984n, 3221226239n)).toBe("192.0.2.0 – 192.0.2.255");
  expect(formatIPv4Range(3221225985n, 3221225985n)).toBe("192.0.2.1");
  expect(countIPv4Range(3221225984n, 3221226239n)).toBe(256n);
});

test("lease times read in days, hours, minutes", () => {
  expect(formatSeconds(86_400)).toBe("1 d");
  expect(formatSeconds(5_400)).toBe("1 h 30 min");
  expect(formatSeconds(90_061)).toBe("1 d 1 h");
  expect(formatSeconds(45)).toBe("45 s");
  expect(formatSeconds(0)).toBe("0 s");
  expect(formatSeconds(-1)).toBe("—");
});

test("times, endpoints and words", () => {
  expect(formatUtc(new Date("2026-11-28T04:05:06.789Z"))).toBe("2026-11-28 04:05:06");
  expect(formatEndpoint("::1", 547)).toBe("[::1]:547");
  expect(formatEndpoint("192.0.2.1", 67)).toBe("192.0.2.1:67");
  expect(humanize("DEDICATED")).toBe("Dedicated");
  expect(humanize("not_found")).toBe("Not found");
  expect(plural(1, "lease")).toBe("1 lease");
  expect(plural(1200, "address", "addresses")).toBe("1,200 addresses");
});

test("the audit page shows what changed between before and after", () => {
  expect(auditChanges('{"role":"VIEWER","disabled":false}', '{"role":"ADMIN","disabled":false}')).toEqual([
    { field: "role", before: "VIEWER", after: "ADMIN" },
  ]);
  expect(auditChanges(null, '{"role":"VIEWER"}')).toEqual([{ field: "role", before: undefined, after: "VIEWER" }]);
  expect(auditChanges('{"enabled":true}', null)).toEqual([{ field: "enabled", before: "true", after: undefined }]);
  expect(auditChanges(null, null)).toEqual([]);
  expect(auditChanges(null, "not json")).toEqual([{ field: "value", before: undefined, after: "not json" }]);
});

test("the login page only returns to paths on this site", () => {
  expect(safeNextPath("/leases?page=2")).toBe("/leases?page=2");
  expect(safeNextPath(undefined)).toBe("/");
  expect(safeNextPath("https://evil.example/")).toBe("/");
  expect(safeNextPath("//evil.example/")).toBe("/");
  expect(safeNextPath("/\\evil.example")).toBe("/");
  expect(safeNextPath("/login?next=%2F")).toBe("/");
});
