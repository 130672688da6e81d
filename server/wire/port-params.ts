/**
 * Port-set parameters: the 4-byte payload of DHCPv4 OPTION_V4_PORTPARAMS (159) [RFC 7618 §9]
 * and of DHCPv6 OPTION_S46_PORTPARAMS (93) [RFC 7598 §4.5]; both carry the same fields.
 *
 * The wire PSID field is left-aligned in 16 bits (k = 4, PSID 5 -> 0x5000); everything
 * above this module works with the numeric PSID (protocol.md §4.2, §9 row 7).
 */
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";

export interface PortParams {
  /** PSID offset a (RFC 7597 §5.1): 0..15. */
  offset: number;
  /** PSID length k: 0..16, with offset + psidLength <= 16. 0 means "no PSID" (full port range). */
  psidLength: number;
  /** Numeric PSID, 0 .. 2^k - 1 (0 when psidLength is 0). */
  psid: number;
}

/** Length of the payload on the wire. */
export const PORT_PARAMS_LENGTH = 4;

/**
 * Why the wire fields are invalid, or null when they are valid (protocol.md §4.2):
 * k <= 16, a <= 15, a + k <= 16, and the 16 - k padding bits of the PSID field are zero.
 */
function wireProblem(offset: number, psidLength: number, field16: number): string | null {
  if (offset > 15) return `PSID offset ${offset} exceeds 15`;
  if (psidLength > 16) return `PSID length ${psidLength} exceeds 16`;
  if (offset + psidLength > 16) return `PSID offset ${offset} + PSID length ${psidLength} exceeds 16`;
  // k = 0 leaves 16 padding bits, so the whole field must be 0 (Kea readPsid does the same).
  const padMask = psidLength === 16 ? 0 : (1 << (16 - psidLength)) - 1;
  if ((field16 & padMask) !== 0) return `PSID field 0x${field16.toString(16)} has non-zero padding bits for PSID length ${psidLength}`;
  return null;
}

/**
 * Decodes the 4-byte payload at `buf[at..at+4)`; `buf` must hold those bytes (callers
 * check the option length first). `field` names the option in errors, `errorAt` is the
 * offset reported in them.
 */
export function readPortParams(buf: Uint8Array, at: number, field: string, errorAt = at): PortParams {
  const offset = buf[at]!;
  const psidLength = buf[at + 1]!;
  const field16 = (buf[at + 2]! << 8) | buf[at + 3]!;
  const problem = wireProblem(offset, psidLength, field16);
  if (problem !== null) throw new DecodeError("bad-value", errorAt, field, problem);
  return { offset, psidLength, psid: psidLength === 0 ? 0 : field16 >>> (16 - psidLength) };
}

/**
 * Decodes a port-params payload (option 159 or 93 data).
 * @param base offset of `data[0]` in the original packet, used in error offsets.
 */
export function decodePortParams(data: Uint8Array, base = 0, field = "port parameters"): PortParams {
  if (data.length !== PORT_PARAMS_LENGTH) {
    throw new DecodeError("bad-length", base, field, `length ${data.length}, must be 4`);
  }
  return readPortParams(data, 0, field, base);
}

/** Throws EncodeError when `p` cannot be encoded. */
export function checkPortParams(p: PortParams): void {
  const { offset, psidLength, psid } = p;
  if (!Number.isInteger(offset) || offset < 0 || offset > 15) {
    throw new EncodeError("bad-value", "port parameters offset", `${offset} is not in 0..15`);
  }
  if (!Number.isInteger(psidLength) || psidLength < 0 || psidLength > 16 || offset + psidLength > 16) {
    throw new EncodeError("bad-value", "port parameters PSID length", `${psidLength} is not in 0..${16 - offset}`);
  }
  const max = 2 ** psidLength;
  if (!Number.isInteger(psid) || psid < 0 || psid >= max || (psidLength === 0 && psid !== 0)) {
    throw new EncodeError("bad-value", "port parameters PSID", `${psid} does not fit in ${psidLength} bits`);
  }
}

/** Writes the 4-byte payload at `buf[at]`. */
export function writePortParams(buf: Uint8Array, at: number, p: PortParams): void {
  checkPortParams(p);
  // encode: field16 = (psid << (16 - k)) & 0xFFFF, k = 0 -> 0 (protocol.md §4.2)
  const field16 = p.psidLength === 0 ? 0 : (p.psid << (16 - p.psidLength)) & 0xffff;
  buf[at] = p.offset;
  buf[at + 1] = p.psidLength;
  buf[at + 2] = field16 >>> 8;
  buf[at + 3] = field16 & 0xff;
}

/** Encodes the 4-byte payload. */
export function encodePortParams(p: PortParams): Uint8Array {
  const b = new Uint8Array(PORT_PARAMS_LENGTH);
  writePortParams(b, 0, p);
  return b;
}
