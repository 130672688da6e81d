/**
 * Network-order (big-endian) integer access on byte arrays [RFC 2132 §2] [RFC 8415 §8].
 * Callers check bounds first; these helpers do not.
 */
import { allocUninitialized } from "./byte-buffer";

export function readUint16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function readUint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function writeUint16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}

export function writeUint32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** Encodes a uint32 as its 4 network-order bytes. */
export function uint32Bytes(v: number): Uint8Array {
  const b = allocUninitialized(4);
  writeUint32(b, 0, v);
  return b;
}
