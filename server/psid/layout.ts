// PSID layout: the (offset a, PSID length k) pair shared by every client of one
// shared IPv4 address, plus the per-lease PSID. Pure arithmetic, no I/O.
//
// RFC 7597 §5.1, Figure 2: a 16-bit port number is split into
//   A (a bits) | PSID (k bits) | j (m bits),   a + k + m = 16.
// RFC 7597 §5.1: all CEs sharing one address MUST use the same a and k, so (a, k)
// belongs to the address (or pool) and only the PSID belongs to the lease.

import type { PortRange } from "./port-range";

/** Offset and PSID length of a shared address (or of every address of a pool). */
export interface PsidLayout {
  /** a: number of offset bits ("PSID offset"), 0..15. */
  readonly offset: number;
  /** k: number of PSID bits, 0..16; the sharing ratio is 2^k. */
  readonly psidLength: number;
}

/**
 * The port parameters of one lease. `psid` is the numeric PSID (0 .. 2^k - 1),
 * not the left-aligned 16-bit field of option 159 / option 93: the wire layer
 * converts (protocol.md §4.2, §9 row 7).
 */
export interface PortParams extends PsidLayout {
  readonly psid: number;
}

/** Largest accepted offset: RFC 7618 §9 / RFC 7598 §4.5 allow 0..15 (protocol.md §9 row 6). */
export const MAX_PSID_OFFSET = 15;
/** Largest accepted PSID length: the PSID field is 16 bits wide (protocol.md §9 row 6). */
export const MAX_PSID_LENGTH = 16;
/** Number of bits in a transport port. */
export const PORT_BITS = 16;
/** RFC 7597 §5.1: default offset a = 6 for MAP (excludes ports 0-1023). */
export const DEFAULT_MAP_PSID_OFFSET = 6;

export type PsidLayoutField = "offset" | "psidLength" | "psid";

/** Why an (a, k) pair or a PSID was refused; `field` names the offending input. */
export class PsidLayoutError extends Error {
  readonly field: PsidLayoutField;

  constructor(field: PsidLayoutField, message: string) {
    super(message);
    this.name = "PsidLayoutError";
    this.field = field;
  }
}

export type PsidValidation<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: PsidLayoutError };

function describeNumber(value: unknown): string {
  return typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/**
 * Why (offset, psidLength) is not a usable layout, or null when it is.
 * Accepts offset 0..15, PSID length 0..16 and offset + length <= 16
 * (protocol.md §9 row 6; the sum rule follows from m = 16 - a - k >= 0, RFC 7597 §5.1).
 */
export function psidLayoutProblem(offset: number, psidLength: number): PsidLayoutError | null {
  if (!isWholeNumber(offset)) {
    return new PsidLayoutError("offset", `PSID offset must be a whole number, got ${describeNumber(offset)}`);
  }
  if (offset < 0 || offset > MAX_PSID_OFFSET) {
    return new PsidLayoutError("offset", `PSID offset ${offset} is outside 0..${MAX_PSID_OFFSET}`);
  }
  if (!isWholeNumber(psidLength)) {
    return new PsidLayoutError(
      "psidLength",
      `PSID length must be a whole number, got ${describeNumber(psidLength)}`,
    );
  }
  if (psidLength < 0 || psidLength > MAX_PSID_LENGTH) {
    return new PsidLayoutError("psidLength", `PSID length ${psidLength} is outside 0..${MAX_PSID_LENGTH}`);
  }
  if (offset + psidLength > PORT_BITS) {
    // RFC 7597 §5.1: a + k + m = 16 with m >= 0.
    return new PsidLayoutError(
      "psidLength",
      `PSID offset ${offset} plus PSID length ${psidLength} exceeds 16 bits`,
    );
  }
  return null;
}

/** Why `psid` is not a valid PSID of the (already valid) layout, or null. */
function psidProblem(layout: PsidLayout, psid: number): PsidLayoutError | null {
  if (!isWholeNumber(psid)) {
    return new PsidLayoutError("psid", `PSID must be a whole number, got ${describeNumber(psid)}`);
  }
  // k <= 16 here, so the shift stays inside 32-bit range.
  const last = (1 << layout.psidLength) - 1;
  if (psid < 0 || psid > last) {
    // RFC 7618 §9: PSID-len 0 means the PSID is ignored; we only accept 0 then.
    const bits = layout.psidLength === 1 ? "bit" : "bits";
    return new PsidLayoutError(
      "psid",
      `PSID ${psid} does not fit in a PSID length of ${layout.psidLength} ${bits} (0..${last})`,
    );
  }
  return null;
}

/** Validate (offset, psidLength); the error message says why it was refused. */
export function validatePsidLayout(offset: number, psidLength: number): PsidValidation<PsidLayout> {
  const error = psidLayoutProblem(offset, psidLength);
  return error ? { ok: false, error } : { ok: true, value: { offset, psidLength } };
}

/** Validate a lease's (offset, psidLength, psid). */
export function validatePortParams(params: PortParams): PsidValidation<PortParams> {
  const error = psidLayoutProblem(params.offset, params.psidLength) ?? psidProblem(params, params.psid);
  return error
    ? { ok: false, error }
    : { ok: true, value: { offset: params.offset, psidLength: params.psidLength, psid: params.psid } };
}

/** Build a layout, throwing PsidLayoutError when (offset, psidLength) is invalid. */
export function psidLayout(offset: number, psidLength: number): PsidLayout {
  const error = psidLayoutProblem(offset, psidLength);
  if (error) throw error;
  return { offset, psidLength };
}

/** Build port parameters, throwing PsidLayoutError when any field is invalid. */
export function portParams(offset: number, psidLength: number, psid: number): PortParams {
  const error = psidLayoutProblem(offset, psidLength) ?? psidProblem({ offset, psidLength }, psid);
  if (error) throw error;
  return { offset, psidLength, psid };
}

/** Throws PsidLayoutError unless the layout is valid. Cheap: a handful of comparisons. */
export function assertPsidLayout(layout: PsidLayout): void {
  const error = psidLayoutProblem(layout.offset, layout.psidLength);
  if (error) throw error;
}

/** Throws PsidLayoutError unless the port parameters are valid. */
export function assertPortParams(params: PortParams): void {
  const error = psidLayoutProblem(params.offset, params.psidLength) ?? psidProblem(params, params.psid);
  if (error) throw error;
}

/** m = 16 - a - k, the number of j bits (RFC 7597 §5.1). */
export function rangeBits(layout: PsidLayout): number {
  return PORT_BITS - layout.offset - layout.psidLength;
}

/** 2^m, the number of contiguous ports in each range (RFC 7597 §5.1, App. B "M"). */
export function rangeSize(layout: PsidLayout): number {
  return 2 ** rangeBits(layout);
}

/** 2^k, the number of PSIDs of one address (0 .. 2^k - 1). */
export function psidCount(layout: PsidLayout): number {
  return 2 ** layout.psidLength;
}

/** Sharing ratio 2^k: how many subscribers one address can serve (RFC 7597 §5.1). */
export function sharingRatio(layout: PsidLayout): number {
  return 2 ** layout.psidLength;
}

/**
 * True when the layout is really a full address: RFC 7618 §9 says PSID-len 0
 * means the PSID is ignored, i.e. the whole port range (protocol.md §5.2, §9 row 12).
 */
export function isFullAddressLayout(layout: PsidLayout): boolean {
  return layout.psidLength === 0;
}

/**
 * The ports the offset alone keeps out of every port set: the A = 0 block
 * 0 .. 2^(16-a) - 1 (RFC 7597 §5.1: "A MUST be larger than 0"). Null when a = 0,
 * and null for k = 0, which we treat as a full address (protocol.md §9 row 12).
 */
export function offsetExcludedPorts(layout: PsidLayout): PortRange | null {
  if (layout.offset === 0 || layout.psidLength === 0) return null;
  return { first: 0, last: 2 ** (PORT_BITS - layout.offset) - 1 };
}
