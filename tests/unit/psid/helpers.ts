// Shared helpers for the PSID suites: every valid layout, fast-check arbitraries,
// and a brute-force port-set oracle written straight from RFC 7597 §5.1 bit
// arithmetic (independent of server/psid's range construction).
import fc from "fast-check";
import type { PortRange, PsidLayout } from "../../../server/psid";

/** Every (a, k) accepted by protocol.md §9 row 6: a 0..15, k 0..16, a + k <= 16 (152 pairs). */
export function allValidLayouts(): PsidLayout[] {
  const layouts: PsidLayout[] = [];
  for (let psidLength = 0; psidLength <= 16; psidLength++) {
    for (let offset = 0; offset <= Math.min(15, 16 - psidLength); offset++) {
      layouts.push({ offset, psidLength });
    }
  }
  return layouts;
}

export const layoutArb: fc.Arbitrary<PsidLayout> = fc
  .integer({ min: 0, max: 16 })
  .chain((psidLength) =>
    fc.record({
      offset: fc.integer({ min: 0, max: Math.min(15, 16 - psidLength) }),
      psidLength: fc.constant(psidLength),
    }),
  );

export const portArb = fc.integer({ min: 0, max: 65535 });

/** A port range biased towards both single ports and wide spans. */
export const portRangeArb: fc.Arbitrary<PortRange> = fc.oneof(
  portArb.map((port) => ({ first: port, last: port })),
  fc.tuple(portArb, fc.integer({ min: 0, max: 64 })).map(([first, width]) => ({
    first,
    last: Math.min(65535, first + width),
  })),
  fc.tuple(portArb, portArb).map(([x, y]) => ({ first: Math.min(x, y), last: Math.max(x, y) })),
);

/**
 * Oracle: the PSID owning `port` under (a, k), or -1 when no port set holds it,
 * decided bit by bit from the port number (RFC 7597 §5.1 Figure 2), with k = 0
 * meaning a full address (RFC 7618 §9).
 */
export function oraclePsid(layout: PsidLayout, port: number): number {
  if (layout.psidLength === 0) return 0;
  const bits = port.toString(2).padStart(16, "0");
  const blockA = layout.offset === 0 ? "" : bits.slice(0, layout.offset);
  if (layout.offset > 0 && !blockA.includes("1")) return -1;
  return parseInt(bits.slice(layout.offset, layout.offset + layout.psidLength), 2);
}
