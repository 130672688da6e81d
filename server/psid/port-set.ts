// The port set of one PSID: its ranges, its size, membership, and the reverse
// mapping port -> PSID. Implements protocol.md §5.2 exactly (RFC 7597 §5.1).
//
// Everything here is O(1) per call except the functions that return or visit
// every range (at most 2^a - 1 <= 32767 of them); the allocator's hot path should
// use portSetContains / psidOfPort / portRangeAt / forEachPortRange, which
// allocate nothing (portRangeAt allocates one small object).

import {
  PORT_BITS,
  assertPortParams,
  assertPsidLayout,
  rangeBits,
  type PortParams,
  type PsidLayout,
} from "./layout";
import { MAX_PORT, type PortRange } from "./port-range";

/** The complete port set of one lease. */
export interface PortSet {
  readonly params: PortParams;
  /** Ascending, disjoint and non-adjacent (ranges of one PSID are 2^(16-a) apart). */
  readonly ranges: readonly PortRange[];
  /** Ports per range, 2^m (65536 for a full address). */
  readonly rangeSize: number;
  /** Total ports, ranges.length * rangeSize. */
  readonly portCount: number;
}

const FULL_RANGE: PortRange = Object.freeze({ first: 0, last: MAX_PORT });

/**
 * Number of ranges in every port set of the layout:
 * 1 when a = 0 (a single block, RFC 7597 App. B.1), 2^a - 1 otherwise (A runs
 * 1 .. 2^a - 1, RFC 7597 §5.1). k = 0 is a full address: one range 0-65535
 * (RFC 7618 §9, protocol.md §5.2 and §9 row 12).
 */
export function portRangeCount(layout: PsidLayout): number {
  assertPsidLayout(layout);
  return rangeCountOf(layout);
}

/**
 * Number of ports in every port set of the layout (it does not depend on the PSID):
 * 2^m when a = 0, (2^a - 1) * 2^m = 2^(16-k) - 2^m otherwise (RFC 7597 §5.1);
 * 65536 for k = 0 (full address).
 */
export function portsPerPsid(layout: PsidLayout): number {
  assertPsidLayout(layout);
  if (layout.psidLength === 0) return MAX_PORT + 1;
  const size = 2 ** rangeBits(layout);
  return layout.offset === 0 ? size : (2 ** layout.offset - 1) * size;
}

// Hot-path arithmetic uses shifts: every quantity fits in 17 bits
// (1 << 16 = 65536), well inside the 32-bit range of JS bitwise operators.

/** Number of ranges of a valid layout (see portRangeCount). */
function rangeCountOf(layout: PsidLayout): number {
  return layout.psidLength === 0 || layout.offset === 0 ? 1 : (1 << layout.offset) - 1;
}

/** First port of range `index` (0-based) of a valid, shared (k > 0) layout. */
function rangeStart(params: PortParams, index: number): number {
  const m = PORT_BITS - params.offset - params.psidLength;
  if (params.offset === 0) {
    // RFC 7597 App. B.1: a single block, PSID p covers p * 2^m .. p * 2^m + 2^m - 1.
    return params.psid << m;
  }
  // RFC 7597 §5.1: port = A << (16 - a) | PSID << m | j, with A = 1 .. 2^a - 1.
  return ((index + 1) << (PORT_BITS - params.offset)) | (params.psid << m);
}

/**
 * Range number `index` (0-based, ascending) of the PSID's port set.
 * Throws RangeError when index is outside 0 .. portRangeCount - 1.
 */
export function portRangeAt(params: PortParams, index: number): PortRange {
  assertPortParams(params);
  const count = rangeCountOf(params);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`port range index ${index} is outside 0..${count - 1}`);
  }
  if (params.psidLength === 0) return FULL_RANGE;
  const first = rangeStart(params, index);
  return { first, last: first + (1 << (PORT_BITS - params.offset - params.psidLength)) - 1 };
}

/**
 * Visit every range of the PSID's port set in ascending order without
 * allocating. Returning `false` from the visitor stops the walk early.
 */
export function forEachPortRange(
  params: PortParams,
  visit: (first: number, last: number, index: number) => boolean | void,
): void {
  assertPortParams(params);
  if (params.psidLength === 0) {
    visit(0, MAX_PORT, 0);
    return;
  }
  const lastOffset = (1 << (PORT_BITS - params.offset - params.psidLength)) - 1;
  const count = rangeCountOf(params);
  // RFC 7597 §5.1: successive ranges of one PSID start 2^(16 - a) apart.
  const step = params.offset === 0 ? 0 : 1 << (PORT_BITS - params.offset);
  let first = rangeStart(params, 0);
  for (let index = 0; index < count; index++) {
    if (visit(first, first + lastOffset, index) === false) return;
    first += step;
  }
}

/** All ranges of the PSID's port set, ascending (protocol.md §5.2 `ranges`). */
export function portRanges(params: PortParams): PortRange[] {
  const ranges: PortRange[] = [];
  forEachPortRange(params, (first, last) => {
    ranges.push({ first, last });
  });
  return ranges;
}

/** The PSID's port set: ranges, range size and port count. */
export function portSetOf(params: PortParams): PortSet {
  const ranges = portRanges(params);
  const size = params.psidLength === 0 ? MAX_PORT + 1 : 2 ** rangeBits(params);
  return {
    params: { offset: params.offset, psidLength: params.psidLength, psid: params.psid },
    ranges,
    rangeSize: size,
    portCount: ranges.length * size,
  };
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= MAX_PORT;
}

/**
 * The PSID whose port set holds `port`, or undefined when no port set does:
 * for a > 0 that is the A = 0 block (RFC 7597 §5.1: A MUST be > 0), and any
 * value that is not a port number. For k = 0 (full address) every port is PSID 0.
 * protocol.md §5.2: psidOf(p) = (p >> m) & (2^k - 1).
 */
export function psidOfPort(layout: PsidLayout, port: number): number | undefined {
  assertPsidLayout(layout);
  if (!isPort(port)) return undefined;
  if (layout.psidLength === 0) return 0;
  if (layout.offset !== 0 && port >> (PORT_BITS - layout.offset) === 0) return undefined;
  return (port >> (PORT_BITS - layout.offset - layout.psidLength)) & ((1 << layout.psidLength) - 1);
}

/**
 * Membership test of protocol.md §5.2:
 * member(p) = psidOf(p) == psid && (a == 0 || (p >> (16 - a)) != 0).
 * The "not operator-reserved" clause of §5.2 is not applied here: a PSID whose
 * set touches a reserved port is never handed out at all (see usable.ts), because
 * the client derives its ports from (a, k, PSID) alone (RFC 7618 §7) and cannot be
 * told to skip single ports.
 */
export function portSetContains(params: PortParams, port: number): boolean {
  assertPortParams(params);
  if (!isPort(port)) return false;
  if (params.psidLength === 0) return true;
  if (params.offset !== 0 && port >> (PORT_BITS - params.offset) === 0) return false;
  return ((port >> (PORT_BITS - params.offset - params.psidLength)) & ((1 << params.psidLength) - 1)) === params.psid;
}
