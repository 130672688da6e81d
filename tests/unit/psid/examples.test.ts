// protocol.md §5.3 (worked examples) and §5.4 (membership vectors), row by row.
import { describe, expect, it } from "vitest";
import {
  portRangeAt,
  portRangeCount,
  portRanges,
  portSetContains,
  portSetOf,
  portsPerPsid,
  psidOfPort,
  rangeBits,
  summarizePortSet,
  type PortParams,
} from "../../../server/psid";

interface WorkedExample {
  row: number;
  offset: number;
  psidLength: number;
  psid: number;
  m: number;
  /** The option 159 value bytes as printed in §5.3 (offset, PSID-len, PSID left-aligned). */
  optionValue: string;
  ranges: number;
  ports: number;
  firstRanges: [number, number][];
  lastRanges: [number, number][];
}

// Transcribed from protocol.md §5.3.
const workedExamples: WorkedExample[] = [
  { row: 1, offset: 6, psidLength: 8, psid: 0x34, m: 2, optionValue: "06 08 34 00", ranges: 63, ports: 252,
    firstRanges: [[1232, 1235], [2256, 2259], [3280, 3283]], lastRanges: [[63696, 63699], [64720, 64723]] },
  { row: 2, offset: 6, psidLength: 6, psid: 0x34, m: 4, optionValue: "06 06 d0 00", ranges: 63, ports: 1008,
    firstRanges: [[1856, 1871], [2880, 2895], [3904, 3919]], lastRanges: [[64320, 64335], [65344, 65359]] },
  { row: 3, offset: 6, psidLength: 4, psid: 5, m: 6, optionValue: "06 04 50 00", ranges: 63, ports: 4032,
    firstRanges: [[1344, 1407], [2368, 2431], [3392, 3455]], lastRanges: [[63808, 63871], [64832, 64895]] },
  { row: 4, offset: 6, psidLength: 8, psid: 0, m: 2, optionValue: "06 08 00 00", ranges: 63, ports: 252,
    firstRanges: [[1024, 1027], [2048, 2051], [3072, 3075]], lastRanges: [[63488, 63491], [64512, 64515]] },
  { row: 5, offset: 0, psidLength: 6, psid: 0, m: 10, optionValue: "00 06 00 00", ranges: 1, ports: 1024,
    firstRanges: [[0, 1023]], lastRanges: [] },
  { row: 6, offset: 0, psidLength: 6, psid: 1, m: 10, optionValue: "00 06 04 00", ranges: 1, ports: 1024,
    firstRanges: [[1024, 2047]], lastRanges: [] },
  { row: 7, offset: 0, psidLength: 4, psid: 5, m: 12, optionValue: "00 04 50 00", ranges: 1, ports: 4096,
    firstRanges: [[20480, 24575]], lastRanges: [] },
  { row: 8, offset: 4, psidLength: 4, psid: 3, m: 8, optionValue: "04 04 30 00", ranges: 15, ports: 3840,
    firstRanges: [[4864, 5119], [8960, 9215], [13056, 13311]], lastRanges: [[58112, 58367], [62208, 62463]] },
];

const asRanges = (pairs: [number, number][]) => pairs.map(([first, last]) => ({ first, last }));

describe("protocol.md §5.3 worked examples", () => {
  describe.each(workedExamples)("row $row: a=$offset k=$psidLength PSID=$psid", (example) => {
    const params: PortParams = { offset: example.offset, psidLength: example.psidLength, psid: example.psid };

    it("table row is self-consistent (m and the left-aligned option 159 value)", () => {
      // protocol.md §4.2: field16 = psid << (16 - k); checks our transcription, not server/psid.
      const field16 = (example.psid << (16 - example.psidLength)) & 0xffff;
      const bytes = [example.offset, example.psidLength, field16 >> 8, field16 & 0xff]
        .map((byte) => byte.toString(16).padStart(2, "0"))
        .join(" ");
      expect(bytes).toBe(example.optionValue);
      expect(rangeBits(params)).toBe(example.m);
    });

    it("has the listed number of ranges and ports", () => {
      const set = portSetOf(params);
      expect(set.ranges).toHaveLength(example.ranges);
      expect(portRangeCount(params)).toBe(example.ranges);
      expect(set.portCount).toBe(example.ports);
      expect(portsPerPsid(params)).toBe(example.ports);
      expect(set.rangeSize).toBe(2 ** example.m);
    });

    it("starts and ends with the listed ranges", () => {
      const ranges = portRanges(params);
      expect(ranges.slice(0, example.firstRanges.length)).toEqual(asRanges(example.firstRanges));
      if (example.lastRanges.length > 0) {
        expect(ranges.slice(-example.lastRanges.length)).toEqual(asRanges(example.lastRanges));
      }
      expect(portRangeAt(params, 0)).toEqual(asRanges(example.firstRanges)[0]);
      expect(portRangeAt(params, example.ranges - 1)).toEqual(ranges[ranges.length - 1]);
    });

    it("every listed range is inside the set and its neighbours are not", () => {
      for (const [first, last] of [...example.firstRanges, ...example.lastRanges]) {
        expect(portSetContains(params, first)).toBe(true);
        expect(portSetContains(params, last)).toBe(true);
        expect(psidOfPort(params, first)).toBe(example.psid);
        if (first > 0) expect(portSetContains(params, first - 1)).toBe(false);
        if (last < 65535) expect(portSetContains(params, last + 1)).toBe(false);
      }
    });
  });

  it("row 3 step by step: A = 0 would give 320..383, which is excluded", () => {
    const params = { offset: 6, psidLength: 4, psid: 5 };
    expect(portSetContains(params, 320)).toBe(false);
    expect(portSetContains(params, 383)).toBe(false);
    expect(psidOfPort(params, 320)).toBeUndefined();
    expect(summarizePortSet(params)).toBe("63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895");
  });
});

interface MembershipVector {
  port: number;
  offset: number;
  psidLength: number;
  psid: number;
  /** psidOf(port) as printed in §5.4: the bare formula (p >> m) & (2^k - 1), A not checked. */
  psidOf: number;
  member: boolean;
  why: string;
}

// Transcribed from protocol.md §5.4.
const membershipVectors: MembershipVector[] = [
  { port: 1344, offset: 6, psidLength: 4, psid: 5, psidOf: 5, member: true, why: "first port of first range" },
  { port: 1407, offset: 6, psidLength: 4, psid: 5, psidOf: 5, member: true, why: "last port of first range" },
  { port: 1408, offset: 6, psidLength: 4, psid: 5, psidOf: 6, member: false, why: "next PSID" },
  { port: 2368, offset: 6, psidLength: 4, psid: 5, psidOf: 5, member: true, why: "A = 2" },
  { port: 320, offset: 6, psidLength: 4, psid: 5, psidOf: 5, member: false, why: "PSID bits match but A = 0" },
  { port: 1232, offset: 6, psidLength: 8, psid: 0x34, psidOf: 0x34, member: true, why: "RFC 7597 App. A first port" },
  { port: 1236, offset: 6, psidLength: 8, psid: 0x34, psidOf: 0x35, member: false, why: "one past the first range" },
  { port: 64723, offset: 6, psidLength: 8, psid: 0x34, psidOf: 0x34, member: true, why: "RFC 7597 App. A last port" },
  { port: 208, offset: 6, psidLength: 8, psid: 0x34, psidOf: 0x34, member: false, why: "A = 0" },
];

describe("protocol.md §5.4 membership vectors", () => {
  it.each(membershipVectors)("port $port, a=$offset k=$psidLength PSID $psid: $why", (vector) => {
    const params = { offset: vector.offset, psidLength: vector.psidLength, psid: vector.psid };
    expect(portSetContains(params, vector.port)).toBe(vector.member);

    // psidOfPort answers "which port set holds this port", so it returns undefined for
    // A = 0 ports where the §5.4 column shows the bare bit extraction.
    const blockA = vector.port >> (16 - vector.offset);
    expect(psidOfPort(params, vector.port)).toBe(blockA === 0 ? undefined : vector.psidOf);
    const bare = (vector.port >> rangeBits(params)) & (2 ** vector.psidLength - 1);
    expect(bare).toBe(vector.psidOf);

    const inRanges = portRanges(params).some((range) => vector.port >= range.first && vector.port <= range.last);
    expect(inRanges).toBe(vector.member);
  });
});
