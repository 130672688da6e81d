// Port sets (protocol.md §5.2): edge cases, an exhaustive partition check over
// every valid (a, k), and fast-check properties against a bitwise oracle.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PsidLayoutError,
  forEachPortRange,
  portRangeAt,
  portRangeCount,
  portRanges,
  portSetContains,
  portSetOf,
  portsPerPsid,
  psidOfPort,
  type PsidLayout,
} from "../../../server/psid";
import { allValidLayouts, layoutArb, oraclePsid, portArb } from "./helpers";

const PORTS = 65536;

/** Ports that belong to some port set: A > 0, or all ports when a = 0 (or k = 0: full address). */
function inSomeSet(layout: PsidLayout, port: number): boolean {
  return layout.psidLength === 0 || layout.offset === 0 || port >> (16 - layout.offset) !== 0;
}

/**
 * Enumerate every PSID's ranges into one owner map and compare against the
 * formulas. Returns the first problem found (or null) instead of calling
 * expect() per port, to keep the exhaustive run fast.
 */
function partitionProblem(layout: PsidLayout, owner: Int32Array): string | null {
  owner.fill(-1);
  const psids = 2 ** layout.psidLength;
  const expectedCount = portsPerPsid(layout);
  const expectedRanges = portRangeCount(layout);
  for (let psid = 0; psid < psids; psid++) {
    let count = 0;
    let ranges = 0;
    let previousLast = -1;
    let problem: string | null = null;
    forEachPortRange({ ...layout, psid }, (first, last, index) => {
      if (index !== ranges) problem = `range index ${index}, expected ${ranges}`;
      if (first <= previousLast) problem = `ranges not ascending at ${first}`;
      if (last - first + 1 !== expectedCount / expectedRanges) problem = `range ${first}-${last} has wrong size`;
      previousLast = last;
      ranges++;
      for (let port = first; port <= last; port++) {
        if (owner[port] !== -1) problem = `port ${port} in PSID ${owner[port]} and PSID ${psid}`;
        owner[port] = psid;
        count++;
      }
      return problem === null;
    });
    if (problem) return `PSID ${psid}: ${problem}`;
    if (count !== expectedCount) return `PSID ${psid}: ${count} ports, predicted ${expectedCount}`;
    if (ranges !== expectedRanges) return `PSID ${psid}: ${ranges} ranges, predicted ${expectedRanges}`;
  }
  for (let port = 0; port < PORTS; port++) {
    const mapped = owner[port]!;
    if ((mapped !== -1) !== inSomeSet(layout, port)) return `port ${port}: owner ${mapped}`;
    const psid = psidOfPort(layout, port);
    if (psid !== (mapped === -1 ? undefined : mapped)) return `psidOfPort(${port}) = ${psid}, enumeration says ${mapped}`;
  }
  return null;
}

describe("port sets of every valid layout (exhaustive, 152 layouts × 65536 ports)", () => {
  it("partition the ports with A > 0 (all ports when a = 0), with the predicted counts, and psidOfPort agrees", () => {
    const owner = new Int32Array(PORTS);
    const problems: string[] = [];
    for (const layout of allValidLayouts()) {
      const problem = partitionProblem(layout, owner);
      if (problem) problems.push(`a=${layout.offset} k=${layout.psidLength}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it("port count matches 2^(16-k) - 2^m for a > 0 and 2^m for a = 0 (RFC 7597 §5.1), k > 0", () => {
    for (const layout of allValidLayouts()) {
      if (layout.psidLength === 0) continue;
      const m = 16 - layout.offset - layout.psidLength;
      const expected = layout.offset === 0 ? 2 ** m : 2 ** (16 - layout.psidLength) - 2 ** m;
      expect(portsPerPsid(layout), `a=${layout.offset} k=${layout.psidLength}`).toBe(expected);
    }
  });
});

describe("port-set properties (fast-check)", () => {
  const paramsArb = layoutArb.chain((layout) =>
    fc.record({
      offset: fc.constant(layout.offset),
      psidLength: fc.constant(layout.psidLength),
      psid: fc.integer({ min: 0, max: 2 ** layout.psidLength - 1 }),
    }),
  );

  it("the port sets of all PSIDs are pairwise disjoint, cover exactly the A > 0 ports, and have the predicted count", () => {
    const owner = new Int32Array(PORTS);
    fc.assert(
      fc.property(layoutArb, (layout) => {
        expect(partitionProblem(layout, owner)).toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it("membership and psidOfPort agree with a bit-by-bit oracle", () => {
    fc.assert(
      fc.property(paramsArb, fc.array(portArb, { minLength: 1, maxLength: 50 }), (params, ports) => {
        for (const port of ports) {
          const owner = oraclePsid(params, port);
          expect(psidOfPort(params, port)).toBe(owner === -1 ? undefined : owner);
          expect(portSetContains(params, port)).toBe(owner === params.psid);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("portRangeAt, portRanges and portSetOf describe the same ranges", () => {
    fc.assert(
      fc.property(paramsArb, (params) => {
        const ranges = portRanges(params);
        const set = portSetOf(params);
        expect(set.ranges).toEqual(ranges);
        expect(set.portCount).toBe(portsPerPsid(params));
        expect(ranges).toHaveLength(portRangeCount(params));
        const last = ranges.length - 1;
        expect(portRangeAt(params, 0)).toEqual(ranges[0]);
        expect(portRangeAt(params, last)).toEqual(ranges[last]);
        expect(portRangeAt(params, last >> 1)).toEqual(ranges[last >> 1]);
        for (const range of [ranges[0]!, ranges[last]!]) {
          expect(portSetContains(params, range.first)).toBe(true);
          expect(portSetContains(params, range.last)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("edge cases", () => {
  it("k = 0 is a full address: one range 0-65535 whatever the offset (RFC 7618 §9, protocol.md §9 row 12)", () => {
    for (const offset of [0, 6, 15]) {
      const params = { offset, psidLength: 0, psid: 0 };
      expect(portRanges(params)).toEqual([{ first: 0, last: 65535 }]);
      expect(portsPerPsid(params)).toBe(65536);
      expect(portSetContains(params, 0)).toBe(true);
      expect(portSetContains(params, 80)).toBe(true);
      expect(psidOfPort(params, 80)).toBe(0);
    }
  });

  it("a = 15, k = 1: 32767 single-port ranges, alternating PSIDs", () => {
    const params = { offset: 15, psidLength: 1, psid: 1 };
    expect(portRangeCount(params)).toBe(32767);
    expect(portRangeAt(params, 0)).toEqual({ first: 3, last: 3 });
    expect(portRangeAt(params, 32766)).toEqual({ first: 65535, last: 65535 });
    expect(psidOfPort(params, 1)).toBeUndefined();
    expect(psidOfPort(params, 2)).toBe(0);
    expect(psidOfPort(params, 3)).toBe(1);
  });

  it("a = 0, k = 16: every port is its own PSID", () => {
    expect(portRanges({ offset: 0, psidLength: 16, psid: 5060 })).toEqual([{ first: 5060, last: 5060 }]);
    expect(psidOfPort({ offset: 0, psidLength: 16 }, 0)).toBe(0);
    expect(psidOfPort({ offset: 0, psidLength: 16 }, 65535)).toBe(65535);
  });

  it("values that are not ports belong to no set", () => {
    const params = { offset: 0, psidLength: 4, psid: 0 };
    for (const port of [-1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(portSetContains(params, port)).toBe(false);
      expect(psidOfPort(params, port)).toBeUndefined();
    }
  });

  it("portRangeAt refuses indexes outside the set", () => {
    const params = { offset: 6, psidLength: 4, psid: 5 };
    expect(() => portRangeAt(params, 63)).toThrow(RangeError);
    expect(() => portRangeAt(params, -1)).toThrow("port range index -1 is outside 0..62");
    expect(() => portRangeAt({ offset: 0, psidLength: 4, psid: 5 }, 1)).toThrow(RangeError);
  });

  it("forEachPortRange stops when the visitor returns false", () => {
    const seen: number[] = [];
    forEachPortRange({ offset: 6, psidLength: 4, psid: 5 }, (first, _last, index) => {
      seen.push(first);
      return index < 2;
    });
    expect(seen).toEqual([1344, 2368, 3392]);
  });

  it("invalid parameters throw PsidLayoutError rather than computing nonsense", () => {
    expect(() => portRanges({ offset: 10, psidLength: 8, psid: 0 })).toThrow(PsidLayoutError);
    expect(() => portSetContains({ offset: 6, psidLength: 4, psid: 16 }, 1344)).toThrow(PsidLayoutError);
    expect(() => psidOfPort({ offset: 16, psidLength: 0 }, 1344)).toThrow(PsidLayoutError);
    expect(() => portsPerPsid({ offset: 6, psidLength: 11 })).toThrow(PsidLayoutError);
  });
});
