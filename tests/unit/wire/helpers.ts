/** Shared helpers for the wire tests. */

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

/**
 * Deep copy with every byte array replaced by its hex string, so that Buffers (what the
 * encoders allocate under Node) and Uint8Arrays with the same bytes compare equal.
 */
export function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return `0x${toHex(x)}`;
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = plain(v);
    return out;
  }
  return x;
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function ipv6(hex: string): Uint8Array {
  const h = hex.replace(/\s+/g, "");
  if (h.length !== 32) throw new Error(`bad IPv6 hex ${hex}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}
