// Inclusive port ranges, the unit in which port sets, well-known ports and
// operator-reserved ports are expressed.

/** An inclusive range of transport ports, first <= last, both in 0..65535. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export const MAX_PORT = 65535;

/**
 * System ("well-known") ports 0-1023. RFC 7618 §8: port sets containing them
 * MUST NOT be handed out unless the operator explicitly configured that; this is
 * the default exclusion of the usable-PSID computation (protocol.md §4.4, §5.5).
 */
export const WELL_KNOWN_PORTS: PortRange = Object.freeze({ first: 0, last: 1023 });

/** Thrown for a malformed port range (operator input); the message says why. */
export class PortRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PortRangeError";
  }
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_PORT;
}

/** Why `range` is not a valid port range, or null when it is. */
export function portRangeProblem(range: PortRange): PortRangeError | null {
  if (!isPort(range.first)) {
    return new PortRangeError(`first port ${String(range.first)} is not a port number (0..${MAX_PORT})`);
  }
  if (!isPort(range.last)) {
    return new PortRangeError(`last port ${String(range.last)} is not a port number (0..${MAX_PORT})`);
  }
  if (range.first > range.last) {
    return new PortRangeError(`port range ${range.first}-${range.last} ends before it starts`);
  }
  return null;
}

/** Throws PortRangeError unless `range` is a valid port range. */
export function assertPortRange(range: PortRange): void {
  const error = portRangeProblem(range);
  if (error) throw error;
}

/** Number of ports in an inclusive range. */
export function portRangeSize(range: PortRange): number {
  return range.last - range.first + 1;
}

/** True when the two inclusive ranges share at least one port. */
export function portRangesOverlap(x: PortRange, y: PortRange): boolean {
  return x.first <= y.last && y.first <= x.last;
}

/** "1344-1407", or "80" for a single port. */
export function formatPortRange(range: PortRange): string {
  return range.first === range.last ? String(range.first) : `${range.first}-${range.last}`;
}
