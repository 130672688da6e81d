// Which PSIDs of a layout may be handed out, and which are excluded and why.
//
// RFC 7618 §8: the server MUST be able to keep port ranges (e.g. 0-1023) out of
// allocation, and port sets containing the well-known ports MUST NOT be handed out
// unless the operator explicitly configured that. The client computes its ports
// from (a, k, PSID) alone (RFC 7618 §7), so a port set cannot be trimmed: a PSID
// whose set touches any excluded port is excluded as a whole (protocol.md §5.5).
//
// No enumeration of ports: the ports of a layout are cut into "chunks" of 2^m
// ports, chunk c = port >> m = A << k | PSID (RFC 7597 §5.1, Figure 2). A port range
// covers a contiguous run of chunks, and consecutive chunks carry consecutive PSIDs
// (mod 2^k), so the PSIDs one range hits form at most two runs, found in O(1).

import { assertPsidLayout, psidCount, rangeBits, type PsidLayout } from "./layout";
import { PortRangeError, WELL_KNOWN_PORTS, portRangeProblem, type PortRange } from "./port-range";

/** An operator-reserved port range, optionally named for the console ("SIP", "VPN"). */
export interface ReservedPortRange extends PortRange {
  readonly label?: string;
}

export type PortExclusionKind = "well-known" | "reserved";

/** One reason to exclude PSIDs: a port range kept out of allocation. */
export interface PortExclusion {
  readonly kind: PortExclusionKind;
  readonly range: PortRange;
  readonly label?: string;
}

/** An inclusive run of consecutive PSIDs. */
export interface PsidRun {
  readonly first: number;
  readonly last: number;
}

/** The PSIDs one exclusion knocks out. */
export interface PsidExclusion {
  readonly cause: PortExclusion;
  /** Ascending, disjoint runs; empty when the range hits no port set (e.g. it lies in the A = 0 block). */
  readonly psids: readonly PsidRun[];
  /** Number of PSIDs in `psids`. */
  readonly psidCount: number;
}

export interface PsidExclusionOptions {
  /**
   * Ports kept out under RFC 7618 §8. Default: WELL_KNOWN_PORTS (0-1023).
   * Pass null only when the operator explicitly allowed port sets containing them.
   */
  readonly wellKnownPorts?: PortRange | null;
  /** Operator-reserved ranges (RFC 7618 §8: configurable mechanism). */
  readonly reservedPorts?: readonly ReservedPortRange[];
}

/** Result of the usable-PSID computation for one layout (plain data, serialisable). */
export interface UsablePsids {
  readonly layout: PsidLayout;
  /** 2^k. */
  readonly psidCount: number;
  readonly usableCount: number;
  readonly excludedCount: number;
  /** One entry per exclusion in input order (well-known first), also those that exclude nothing. */
  readonly exclusions: readonly PsidExclusion[];
  /** Union of every excluded PSID: ascending, disjoint, non-adjacent runs. */
  readonly excludedRuns: readonly PsidRun[];
}

function runLength(run: PsidRun): number {
  return run.last - run.first + 1;
}

/**
 * The PSIDs whose port set shares at least one port with `range` (at most two
 * runs, ascending). The layout and range are assumed valid.
 */
function psidsTouching(layout: PsidLayout, range: PortRange): PsidRun[] {
  const count = psidCount(layout);
  // RFC 7618 §9 / protocol.md §9 row 12: k = 0 is a full address; its only
  // PSID (0) holds every port, so any range hits it.
  if (layout.psidLength === 0) return [{ first: 0, last: 0 }];
  const m = rangeBits(layout);
  let firstChunk = range.first >> m;
  const lastChunk = range.last >> m;
  // RFC 7597 §5.1: for a > 0, chunks with A = 0 (c < 2^k) belong to no port set.
  if (layout.offset !== 0 && firstChunk < count) firstChunk = count;
  if (lastChunk < firstChunk) return [];
  if (lastChunk - firstChunk + 1 >= count) return [{ first: 0, last: count - 1 }];
  const mask = count - 1;
  const from = firstChunk & mask;
  const to = lastChunk & mask;
  if (from <= to) return [{ first: from, last: to }];
  // The run wraps from PSID 2^k - 1 of one block to PSID 0 of the next.
  return [
    { first: 0, last: to },
    { first: from, last: mask },
  ];
}

/**
 * The PSIDs of the layout whose port set shares at least one port with `range`,
 * as ascending runs. O(1). Throws PsidLayoutError / PortRangeError on bad input.
 */
export function psidsTouchingPortRange(layout: PsidLayout, range: PortRange): PsidRun[] {
  assertPsidLayout(layout);
  const problem = portRangeProblem(range);
  if (problem) throw problem;
  return psidsTouching(layout, range);
}

function mergeRuns(runs: PsidRun[]): PsidRun[] {
  runs.sort((x, y) => x.first - y.first);
  const merged: { first: number; last: number }[] = [];
  for (const run of runs) {
    const previous = merged[merged.length - 1];
    if (previous && run.first <= previous.last + 1) {
      if (run.last > previous.last) previous.last = run.last;
    } else {
      merged.push({ first: run.first, last: run.last });
    }
  }
  return merged;
}

function exclusionCauses(options: PsidExclusionOptions): PortExclusion[] {
  const causes: PortExclusion[] = [];
  const wellKnown = options.wellKnownPorts === undefined ? WELL_KNOWN_PORTS : options.wellKnownPorts;
  if (wellKnown !== null) {
    const problem = portRangeProblem(wellKnown);
    if (problem) throw new PortRangeError(`well-known port range: ${problem.message}`);
    causes.push({ kind: "well-known", range: { first: wellKnown.first, last: wellKnown.last } });
  }
  (options.reservedPorts ?? []).forEach((reserved, index) => {
    const problem = portRangeProblem(reserved);
    if (problem) {
      const name = reserved.label ? ` (${reserved.label})` : "";
      throw new PortRangeError(`reserved port range ${index + 1}${name}: ${problem.message}`);
    }
    const range = { first: reserved.first, last: reserved.last };
    causes.push(
      reserved.label === undefined
        ? { kind: "reserved", range }
        : { kind: "reserved", range, label: reserved.label },
    );
  });
  return causes;
}

/**
 * The usable PSIDs of a layout once the well-known ports (0-1023 by default) and
 * the operator-reserved ranges are excluded (protocol.md §5.5), with, for each
 * excluded range, the PSIDs it knocked out. Cost O(e log e) for e exclusions;
 * independent of k and of the number of ports.
 */
export function usablePsids(layout: PsidLayout, options: PsidExclusionOptions = {}): UsablePsids {
  assertPsidLayout(layout);
  const causes = exclusionCauses(options);
  const exclusions: PsidExclusion[] = [];
  const all: PsidRun[] = [];
  for (const cause of causes) {
    const psids = psidsTouching(layout, cause.range);
    exclusions.push({ cause, psids, psidCount: psids.reduce((sum, run) => sum + runLength(run), 0) });
    all.push(...psids);
  }
  const excludedRuns = mergeRuns(all);
  const excludedCount = excludedRuns.reduce((sum, run) => sum + runLength(run), 0);
  const total = psidCount(layout);
  return {
    layout: { offset: layout.offset, psidLength: layout.psidLength },
    psidCount: total,
    usableCount: total - excludedCount,
    excludedCount,
    exclusions,
    excludedRuns,
  };
}

/** Index of the excluded run holding `psid`, or -1. Binary search, no allocation. */
function excludedRunIndex(usable: UsablePsids, psid: number): number {
  const runs = usable.excludedRuns;
  let low = 0;
  let high = runs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const run = runs[middle]!;
    if (psid < run.first) high = middle - 1;
    else if (psid > run.last) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** True when `psid` is a PSID of the layout and is not excluded. O(log runs). */
export function isUsablePsid(usable: UsablePsids, psid: number): boolean {
  if (!Number.isInteger(psid) || psid < 0 || psid >= usable.psidCount) return false;
  return excludedRunIndex(usable, psid) < 0;
}

/** The exclusions that knock out `psid` (empty when it is usable): the console's "why". */
export function exclusionCausesOf(usable: UsablePsids, psid: number): PortExclusion[] {
  const causes: PortExclusion[] = [];
  for (const exclusion of usable.exclusions) {
    if (exclusion.psids.some((run) => psid >= run.first && psid <= run.last)) causes.push(exclusion.cause);
  }
  return causes;
}

/** The smallest usable PSID >= `from`, or undefined when there is none. */
export function nextUsablePsid(usable: UsablePsids, from: number): number | undefined {
  if (Number.isNaN(from)) return undefined;
  let psid = Math.max(0, Math.ceil(from));
  const runIndex = excludedRunIndex(usable, psid);
  if (runIndex >= 0) psid = usable.excludedRuns[runIndex]!.last + 1;
  return psid < usable.psidCount ? psid : undefined;
}

/** Usable PSIDs in ascending order, walking the gaps between excluded runs. */
export function* eachUsablePsid(usable: UsablePsids): Generator<number, void, undefined> {
  let psid = 0;
  for (const run of usable.excludedRuns) {
    for (; psid < run.first; psid++) yield psid;
    psid = run.last + 1;
  }
  for (; psid < usable.psidCount; psid++) yield psid;
}

/** Usable PSIDs as ascending runs (the complement of excludedRuns). */
export function usablePsidRuns(usable: UsablePsids): PsidRun[] {
  const runs: PsidRun[] = [];
  let next = 0;
  for (const run of usable.excludedRuns) {
    if (run.first > next) runs.push({ first: next, last: run.first - 1 });
    next = run.last + 1;
  }
  if (next < usable.psidCount) runs.push({ first: next, last: usable.psidCount - 1 });
  return runs;
}
