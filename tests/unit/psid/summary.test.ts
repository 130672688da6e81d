// Console summaries: the format "63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895".
import { describe, expect, it } from "vitest";
import {
  describePortExclusion,
  describePsidExclusions,
  describePsidLayout,
  formatPortRange,
  formatPsidRuns,
  summarizePortSet,
  summarizeUsablePsids,
  usablePsids,
} from "../../../server/psid";

describe("summarizePortSet", () => {
  it.each([
    [{ offset: 6, psidLength: 4, psid: 5 }, "63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895"],
    [{ offset: 6, psidLength: 8, psid: 0x34 }, "63 ranges of 4 ports, 252 ports, 1232-1235 ... 64720-64723"],
    [{ offset: 6, psidLength: 8, psid: 0 }, "63 ranges of 4 ports, 252 ports, 1024-1027 ... 64512-64515"],
    [{ offset: 0, psidLength: 6, psid: 1 }, "1 range of 1024 ports, 1024 ports, 1024-2047"],
    [{ offset: 0, psidLength: 4, psid: 5 }, "1 range of 4096 ports, 4096 ports, 20480-24575"],
    [{ offset: 4, psidLength: 4, psid: 3 }, "15 ranges of 256 ports, 3840 ports, 4864-5119 ... 62208-62463"],
    [{ offset: 2, psidLength: 2, psid: 1 }, "3 ranges of 4096 ports, 12288 ports, 20480-24575 ... 53248-57343"],
    [{ offset: 1, psidLength: 3, psid: 1 }, "1 range of 4096 ports, 4096 ports, 36864-40959"],
    [{ offset: 15, psidLength: 1, psid: 1 }, "32767 ranges of 1 port, 32767 ports, 3 ... 65535"],
    [{ offset: 0, psidLength: 16, psid: 80 }, "1 range of 1 port, 1 port, 80"],
    [{ offset: 6, psidLength: 0, psid: 0 }, "1 range of 65536 ports, 65536 ports, 0-65535"],
  ])("%o -> %s", (params, text) => {
    expect(summarizePortSet(params)).toBe(text);
  });

  it("can show more ranges at either end, and all of them when they fit", () => {
    const params = { offset: 6, psidLength: 8, psid: 0x34 };
    expect(summarizePortSet(params, { firstRanges: 3, lastRanges: 2 })).toBe(
      "63 ranges of 4 ports, 252 ports, 1232-1235, 2256-2259, 3280-3283 ... 63696-63699, 64720-64723",
    );
    expect(summarizePortSet({ offset: 2, psidLength: 2, psid: 1 }, { firstRanges: 2 })).toBe(
      "3 ranges of 4096 ports, 12288 ports, 20480-24575, 36864-40959, 53248-57343",
    );
    expect(summarizePortSet(params, { firstRanges: 0, lastRanges: 1 })).toBe("63 ranges of 4 ports, 252 ports, ... 64720-64723");
    expect(summarizePortSet(params, { firstRanges: 1, lastRanges: 0 })).toBe("63 ranges of 4 ports, 252 ports, 1232-1235 ...");
  });
});

describe("layout and exclusion descriptions", () => {
  it("describes a layout", () => {
    expect(describePsidLayout({ offset: 6, psidLength: 4 })).toBe(
      "offset 6, PSID length 4: 16 PSIDs (sharing ratio 16), 63 ranges of 64 ports, 4032 ports per PSID, ports 0-1023 in no port set (A = 0)",
    );
    expect(describePsidLayout({ offset: 0, psidLength: 6 })).toBe(
      "offset 0, PSID length 6: 64 PSIDs (sharing ratio 64), 1 range of 1024 ports, 1024 ports per PSID",
    );
    expect(describePsidLayout({ offset: 6, psidLength: 0 })).toBe(
      "offset 6, PSID length 0: full address, all 65536 ports (PSID length 0 ignores the PSID)",
    );
  });

  it("says which PSIDs each exclusion removes and why", () => {
    const usable = usablePsids(
      { offset: 0, psidLength: 6 },
      { reservedPorts: [{ first: 5060, last: 5061, label: "SIP" }, { first: 65535, last: 65535 }, { first: 1024, last: 3071 }] },
    );
    expect(describePsidExclusions(usable)).toEqual([
      "well-known ports 0-1023: excludes PSID 0 (1 of 64)",
      "reserved ports 5060-5061 (SIP): excludes PSID 4 (1 of 64)",
      "reserved port 65535: excludes PSID 63 (1 of 64)",
      "reserved ports 1024-3071: excludes PSIDs 1-2 (2 of 64)",
    ]);
    expect(summarizeUsablePsids(usable)).toBe("59 of 64 PSIDs usable, 5 excluded");

    const offsetSix = usablePsids({ offset: 6, psidLength: 8 }, { reservedPorts: [{ first: 8191, last: 8192 }] });
    expect(describePsidExclusions(offsetSix)).toEqual([
      "well-known ports 0-1023: excludes no PSID (no port set contains these ports)",
      "reserved ports 8191-8192: excludes PSIDs 0, 255 (2 of 256)",
    ]);
  });

  it("formats small pieces", () => {
    expect(formatPortRange({ first: 80, last: 80 })).toBe("80");
    expect(formatPortRange({ first: 0, last: 1023 })).toBe("0-1023");
    expect(formatPsidRuns([{ first: 7, last: 7 }])).toBe("PSID 7");
    expect(formatPsidRuns([{ first: 0, last: 3 }, { first: 60, last: 63 }])).toBe("PSIDs 0-3, 60-63");
    expect(describePortExclusion({ kind: "reserved", range: { first: 5060, last: 5060 }, label: "SIP" })).toBe(
      "reserved port 5060 (SIP)",
    );
  });
});
