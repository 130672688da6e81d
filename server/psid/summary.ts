// Human-readable one-liners for the console and logs. Wording is plain English;
// numbers are printed without separators so they can be searched and copied.

import { isFullAddressLayout, offsetExcludedPorts, psidCount, type PortParams, type PsidLayout } from "./layout";
import { formatPortRange, type PortRange } from "./port-range";
import { portRangeAt, portRangeCount, portsPerPsid } from "./port-set";
import type { PortExclusion, PsidRun, UsablePsids } from "./usable";

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export interface PortSetSummaryOptions {
  /** How many ranges to show from the start (default 1). */
  readonly firstRanges?: number;
  /** How many ranges to show from the end (default 1). */
  readonly lastRanges?: number;
}

function shownCount(value: number | undefined): number {
  return value === undefined ? 1 : Math.max(0, Math.floor(value));
}

/**
 * The port set of a lease in one line, e.g. for a = 6, k = 4, PSID 5:
 * "63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895".
 * Shows the first and last ranges (1 each by default) and every range when
 * they all fit. Reads only the ranges it prints.
 */
export function summarizePortSet(params: PortParams, options: PortSetSummaryOptions = {}): string {
  const count = portRangeCount(params);
  const total = portsPerPsid(params);
  const size = total / count;
  const head = shownCount(options.firstRanges);
  const tail = shownCount(options.lastRanges);
  const describe = (index: number): string => formatPortRange(portRangeAt(params, index));

  let ranges: string;
  if (head + tail >= count) {
    ranges = Array.from({ length: count }, (_, index) => describe(index)).join(", ");
  } else {
    const first = Array.from({ length: head }, (_, index) => describe(index));
    const last = Array.from({ length: tail }, (_, index) => describe(count - tail + index));
    const pieces: string[] = [];
    if (head > 0) pieces.push(first.join(", "));
    pieces.push("...");
    if (tail > 0) pieces.push(last.join(", "));
    ranges = pieces.join(" ");
  }
  return `${plural(count, "range")} of ${plural(size, "port")}, ${plural(total, "port")}, ${ranges}`;
}

/**
 * The layout of a pool in one line, e.g.
 * "offset 6, PSID length 4: 16 PSIDs (sharing ratio 16), 63 ranges of 64 ports, 4032 ports per PSID, ports 0-1023 in no port set (A = 0)".
 */
export function describePsidLayout(layout: PsidLayout): string {
  const head = `offset ${layout.offset}, PSID length ${layout.psidLength}`;
  if (isFullAddressLayout(layout)) {
    // RFC 7618 §9: PSID-len 0 means the PSID is ignored, i.e. a full address.
    return `${head}: full address, all 65536 ports (PSID length 0 ignores the PSID)`;
  }
  const psids = psidCount(layout);
  const count = portRangeCount(layout);
  const total = portsPerPsid(layout);
  let text =
    `${head}: ${plural(psids, "PSID")} (sharing ratio ${psids}), ` +
    `${plural(count, "range")} of ${plural(total / count, "port")}, ${total} ports per PSID`;
  const unused = offsetExcludedPorts(layout);
  // RFC 7597 §5.1: A = 0 is never used, so the offset alone keeps this block out.
  if (unused) text += `, ports ${formatPortRange(unused)} in no port set (A = 0)`;
  return text;
}

/** "0-15" or "7" for a PSID run. */
export function formatPsidRun(run: PsidRun): string {
  return run.first === run.last ? String(run.first) : `${run.first}-${run.last}`;
}

/** "PSID 7", "PSIDs 0-15", "PSIDs 0-3, 60-63". */
export function formatPsidRuns(runs: readonly PsidRun[]): string {
  const only = runs[0];
  const single = runs.length === 1 && only !== undefined && only.first === only.last;
  return `${single ? "PSID" : "PSIDs"} ${runs.map(formatPsidRun).join(", ")}`;
}

/** "well-known ports 0-1023", "reserved port 5060 (SIP)". */
export function describePortExclusion(cause: PortExclusion): string {
  const range: PortRange = cause.range;
  const noun = range.first === range.last ? "port" : "ports";
  const label = cause.label ? ` (${cause.label})` : "";
  return `${cause.kind} ${noun} ${formatPortRange(range)}${label}`;
}

/**
 * One line per exclusion saying which PSIDs it removes and why, e.g.
 * "well-known ports 0-1023: excludes PSIDs 0-15 (16 of 64)".
 */
export function describePsidExclusions(usable: UsablePsids): string[] {
  return usable.exclusions.map((exclusion) => {
    const cause = describePortExclusion(exclusion.cause);
    if (exclusion.psidCount === 0) {
      return `${cause}: excludes no PSID (no port set contains these ports)`;
    }
    return `${cause}: excludes ${formatPsidRuns(exclusion.psids)} (${exclusion.psidCount} of ${usable.psidCount})`;
  });
}

/** "60 of 64 PSIDs usable, 4 excluded". */
export function summarizeUsablePsids(usable: UsablePsids): string {
  return `${usable.usableCount} of ${plural(usable.psidCount, "PSID")} usable, ${usable.excludedCount} excluded`;
}
