/**
 * Output buffers for the encoders. `new Uint8Array(n)` costs about 1 µs for a packet-sized
 * buffer here (a fresh zeroed ArrayBuffer each time), Node's pooled `Buffer.allocUnsafe`
 * about 0.1 µs; the encoders write every byte of what they allocate, so uninitialised
 * memory never leaks onto the wire (tests/unit/wire check this with a poisoned pool).
 */

/** n bytes with unspecified contents: a Buffer (a Uint8Array) under Node. */
export function allocUninitialized(n: number): Uint8Array {
  return typeof Buffer === "function" ? Buffer.allocUnsafe(n) : new Uint8Array(n);
}
