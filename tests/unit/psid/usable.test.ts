// Usable PSIDs and pool arithmetic (protocol.md §5.5, RFC 7618 §8).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PortRangeError,
  PsidLayoutError,
  eachUsablePsid,
  exclusionCausesOf,
  forEachPortRange,
  isUsablePsid,
  nextUsablePsid,
  poolCapacity,
  psidsTouchingPortRange,
  usablePsidRuns,
  usablePsids,
  type PortRange,
  type PsidLayout,
  type ReservedPortRange,
} from "../../../server/psid";
import { layoutArb, portRangeArb } from "./helpers";

const runs = (...pairs: [number, number][]) => pairs.map(([first, last]) => ({ first, last }));

describe("protocol.md §5.5 pool arithmetic", () => {
  it("one address with PSID length k yields 2^k PSIDs; capacity = addresses × usable PSIDs", () => {
    const usable = usablePsids({ offset: 6, psidLength: 4 });
    expect(usable.psidCount).toBe(16);
    expect(usable.usableCount).toBe(16);
    expect(poolCapacity(usable, 254)).toEqual({
      sharingRatio: 16,
      psidsPerAddress: 16,
      usablePsidsPerAddress: 16,
      excludedPsidsPerAddress: 0,
      portsPerSubscriber: 4032,
      rangesPerSubscriber: 63,
      addressCount: 254,
      subscriberCapacity: 254 * 16,
    });
  });

  it("a > 0: every PSID is usable, the A = 0 block already holds the well-known ports", () => {
    for (const psidLength of [1, 4, 6, 8, 10]) {
      const usable = usablePsids({ offset: 6, psidLength });
      expect(usable.usableCount).toBe(2 ** psidLength);
      expect(usable.exclusions[0]?.psidCount).toBe(0);
    }
  });

  it("a = 0, k = 6 (m = 10), N = 1024: PSID 0 is unusable, 63 remain", () => {
    const usable = usablePsids({ offset: 0, psidLength: 6 });
    expect(usable.excludedRuns).toEqual(runs([0, 0]));
    expect(usable.usableCount).toBe(63);
    expect(isUsablePsid(usable, 0)).toBe(false);
    expect(isUsablePsid(usable, 1)).toBe(true);
    expect(exclusionCausesOf(usable, 0)).toEqual([{ kind: "well-known", range: { first: 0, last: 1023 } }]);
  });

  it("a = 0: PSIDs below ceil(N / 2^m) are forbidden (RFC 7597 App. B.1)", () => {
    for (let psidLength = 1; psidLength <= 16; psidLength++) {
      const m = 16 - psidLength;
      const forbidden = Math.ceil(1024 / 2 ** m);
      const usable = usablePsids({ offset: 0, psidLength });
      expect(usable.excludedCount, `k=${psidLength}`).toBe(forbidden);
      expect(usable.excludedRuns).toEqual(runs([0, forbidden - 1]));
    }
  });

  it("a > 0: a reserved single port (8080) hits one PSID only", () => {
    const usable = usablePsids({ offset: 6, psidLength: 8 }, { reservedPorts: [{ first: 8080, last: 8080, label: "proxy" }] });
    // m = 2: 8080 >> 2 = 2020, 2020 & 255 = 228.
    expect(usable.excludedRuns).toEqual(runs([228, 228]));
    expect(usable.usableCount).toBe(255);
    expect(exclusionCausesOf(usable, 228)).toEqual([{ kind: "reserved", range: { first: 8080, last: 8080 }, label: "proxy" }]);
    expect(exclusionCausesOf(usable, 227)).toEqual([]);
  });

  it("a reserved range spanning a block boundary wraps from the last PSID to PSID 0", () => {
    // a = 4, k = 8, m = 4: 8191 is in chunk 511 (PSID 255), 8192 in chunk 512 (PSID 0).
    expect(psidsTouchingPortRange({ offset: 4, psidLength: 8 }, { first: 8191, last: 8192 })).toEqual(runs([0, 0], [255, 255]));
  });

  it("a reserved range as long as a whole block excludes every PSID", () => {
    const usable = usablePsids({ offset: 6, psidLength: 4 }, { reservedPorts: [{ first: 5000, last: 6023 }] });
    expect(usable.usableCount).toBe(0);
    expect([...eachUsablePsid(usable)]).toEqual([]);
    expect(nextUsablePsid(usable, 0)).toBeUndefined();
  });

  it("a reserved range inside the A = 0 block excludes nothing", () => {
    const usable = usablePsids({ offset: 6, psidLength: 4 }, { reservedPorts: [{ first: 100, last: 1023 }] });
    expect(usable.usableCount).toBe(16);
    expect(usable.exclusions.map((exclusion) => exclusion.psidCount)).toEqual([0, 0]);
  });

  it("a >= 7 with the well-known exclusion loses every PSID (block A = 1 lies inside 0-1023)", () => {
    const usable = usablePsids({ offset: 7, psidLength: 4 });
    expect(usable.usableCount).toBe(0);
    expect(usablePsids({ offset: 7, psidLength: 4 }, { wellKnownPorts: null }).usableCount).toBe(16);
  });

  it("the operator can allow well-known ports explicitly (wellKnownPorts: null) or move the boundary", () => {
    expect(usablePsids({ offset: 0, psidLength: 6 }, { wellKnownPorts: null }).usableCount).toBe(64);
    expect(usablePsids({ offset: 0, psidLength: 6 }, { wellKnownPorts: { first: 0, last: 4095 } }).excludedRuns).toEqual(runs([0, 3]));
  });

  it("k = 0 (full address) has a single PSID that every exclusion hits", () => {
    expect(usablePsids({ offset: 6, psidLength: 0 }).usableCount).toBe(0);
    expect(usablePsids({ offset: 6, psidLength: 0 }, { wellKnownPorts: null }).usableCount).toBe(1);
    expect(poolCapacity(usablePsids({ offset: 0, psidLength: 0 }, { wellKnownPorts: null }), 10)).toMatchObject({
      sharingRatio: 1,
      portsPerSubscriber: 65536,
      rangesPerSubscriber: 1,
      subscriberCapacity: 10,
    });
  });

  it("excluded runs are merged and exclusions listed in input order", () => {
    const reserved: ReservedPortRange[] = [
      { first: 3000, last: 3100, label: "b" },
      { first: 1024, last: 2047, label: "a" },
    ];
    const usable = usablePsids({ offset: 0, psidLength: 6 }, { reservedPorts: reserved });
    expect(usable.exclusions.map((exclusion) => exclusion.cause.label)).toEqual([undefined, "b", "a"]);
    expect(usable.exclusions.map((exclusion) => exclusion.psids)).toEqual([runs([0, 0]), runs([2, 3]), runs([1, 1])]);
    expect(usable.excludedRuns).toEqual(runs([0, 3]));
    expect(usablePsidRuns(usable)).toEqual(runs([4, 63]));
    expect(nextUsablePsid(usable, 0)).toBe(4);
    expect(nextUsablePsid(usable, 10)).toBe(10);
    expect(nextUsablePsid(usable, 64)).toBeUndefined();
  });

  it("refuses malformed ranges and layouts with messages that say why", () => {
    expect(() => usablePsids({ offset: 0, psidLength: 6 }, { reservedPorts: [{ first: 10, last: 5, label: "x" }] })).toThrow(
      new PortRangeError("reserved port range 1 (x): port range 10-5 ends before it starts"),
    );
    expect(() => usablePsids({ offset: 0, psidLength: 6 }, { reservedPorts: [{ first: 0, last: 70000 }] })).toThrow(
      "reserved port range 1: last port 70000 is not a port number (0..65535)",
    );
    expect(() => usablePsids({ offset: 0, psidLength: 6 }, { wellKnownPorts: { first: -1, last: 3 } })).toThrow(
      "well-known port range: first port -1 is not a port number (0..65535)",
    );
    expect(() => usablePsids({ offset: 9, psidLength: 8 })).toThrow(PsidLayoutError);
    expect(() => poolCapacity(usablePsids({ offset: 6, psidLength: 4 }), -1)).toThrow(RangeError);
  });

  it("isUsablePsid is false for values that are not PSIDs of the layout", () => {
    const usable = usablePsids({ offset: 6, psidLength: 4 });
    expect(isUsablePsid(usable, 16)).toBe(false);
    expect(isUsablePsid(usable, -1)).toBe(false);
    expect(isUsablePsid(usable, 1.5)).toBe(false);
  });
});

/** Brute force: does the PSID's port set share a port with the range? */
function touches(layout: PsidLayout, psid: number, range: PortRange): boolean {
  let hit = false;
  forEachPortRange({ ...layout, psid }, (first, last) => {
    hit = first <= range.last && range.first <= last;
    return !hit;
  });
  return hit;
}

describe("usable-PSID properties (fast-check)", () => {
  const optionsArb = fc.record({
    wellKnownPorts: fc.oneof(fc.constant(undefined), fc.constant(null), portRangeArb),
    reservedPorts: fc.array(portRangeArb, { maxLength: 4 }),
  });

  it("no usable PSID's set touches an excluded port; every excluded PSID touches its causes, exactly", () => {
    const excludedPort = new Uint8Array(65536);
    fc.assert(
      fc.property(layoutArb, optionsArb, (layout, options) => {
        const usable = usablePsids(layout, options);
        const causes = usable.exclusions.map((exclusion) => exclusion.cause.range);
        excludedPort.fill(0);
        for (const range of causes) excludedPort.fill(1, range.first, range.last + 1);

        const problems: string[] = [];
        const perCause = causes.map(() => 0);
        let usableSeen = 0;
        for (let psid = 0; psid < usable.psidCount; psid++) {
          const hitBy = causes.map((range) => touches(layout, psid, range));
          hitBy.forEach((hit, index) => {
            if (hit) perCause[index]!++;
          });
          const expectedUsable = !hitBy.includes(true);
          if (isUsablePsid(usable, psid) !== expectedUsable) problems.push(`PSID ${psid} usable flag wrong`);
          const reported = exclusionCausesOf(usable, psid).map((cause) => cause.range);
          const expectedCauses = causes.filter((_, index) => hitBy[index]);
          if (JSON.stringify(reported) !== JSON.stringify(expectedCauses)) problems.push(`PSID ${psid} causes wrong`);
          if (expectedUsable) {
            usableSeen++;
            // The property as stated in the issue: a usable PSID touches no excluded port.
            forEachPortRange({ ...layout, psid }, (first, last) => {
              for (let port = first; port <= last; port++) {
                if (excludedPort[port]) {
                  problems.push(`usable PSID ${psid} holds excluded port ${port}`);
                  return false;
                }
              }
              return true;
            });
          }
          if (problems.length > 0) break;
        }
        expect(problems).toEqual([]);
        expect(usable.usableCount).toBe(usableSeen);
        expect(usable.excludedCount).toBe(usable.psidCount - usableSeen);
        expect(usable.exclusions.map((exclusion) => exclusion.psidCount)).toEqual(perCause);
      }),
      { numRuns: 150 },
    );
  });

  it("eachUsablePsid, usablePsidRuns, nextUsablePsid and excludedRuns agree", () => {
    fc.assert(
      fc.property(layoutArb, optionsArb, (layout, options) => {
        const usable = usablePsids(layout, options);
        const listed = [...eachUsablePsid(usable)];
        expect(listed).toHaveLength(usable.usableCount);
        const fromRuns = usablePsidRuns(usable).flatMap((run) =>
          Array.from({ length: run.last - run.first + 1 }, (_, index) => run.first + index),
        );
        expect(fromRuns).toEqual(listed);
        let cursor = nextUsablePsid(usable, 0);
        for (const psid of listed.slice(0, 200)) {
          expect(cursor).toBe(psid);
          cursor = nextUsablePsid(usable, psid + 1);
        }
        for (let index = 1; index < usable.excludedRuns.length; index++) {
          // non-adjacent, ascending
          expect(usable.excludedRuns[index]!.first).toBeGreaterThan(usable.excludedRuns[index - 1]!.last + 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
