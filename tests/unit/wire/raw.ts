/** Hand-built raw packets for tests that need bytes the encoders would never write. */

/** A DHCPv4 message: 236-byte header (xid 0x12345678, hlen 6), cookie, then `options` verbatim. */
export function rawDhcpv4(options: number[], patch?: (header: Uint8Array) => void): Uint8Array {
  const header = new Uint8Array(240);
  header.set([1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78]);
  header.set([2, 0, 0, 0, 0, 1], 28);
  header.set([0x63, 0x82, 0x53, 0x63], 236);
  patch?.(header);
  return Uint8Array.from([...header, ...options]);
}

/** A DHCPv6 TLV. */
export function v6Option(code: number, data: Uint8Array | number[]): number[] {
  const d = [...data];
  return [code >> 8, code & 0xff, d.length >> 8, d.length & 0xff, ...d];
}

/** A DHCPV4-QUERY (flags given) with the options verbatim. */
export function rawQuery(options: number[] | Uint8Array, flags = [0, 0, 0]): Uint8Array {
  const out = new Uint8Array(4 + options.length);
  out.set([20, ...flags]);
  out.set(options, 4);
  return out;
}

const LINK = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
const PEER = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** A RELAY-FORW/REPL header (link fe80::2, peer fe80::1) followed by the options verbatim. */
export function rawRelay(msgType: number, hopCount: number, options: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(34 + options.length);
  out[0] = msgType;
  out[1] = hopCount;
  out.set(LINK, 2);
  out.set(PEER, 18);
  out.set(options, 34);
  return out;
}

/** `inner` wrapped in `depth` RELAY-FORW layers, each with only option 9 (one allocation). */
export function nestedRelays(inner: Uint8Array, depth: number): Uint8Array {
  const out = new Uint8Array(depth * 38 + inner.length);
  for (let i = 0; i < depth; i++) {
    const at = i * 38;
    const innerLength = out.length - at - 38;
    out[at] = 12;
    out[at + 1] = (depth - 1 - i) % 256; // hop-count 0 next to the client
    out.set(LINK, at + 2);
    out.set(PEER, at + 18);
    out[at + 34] = 0;
    out[at + 35] = 9;
    out[at + 36] = (innerLength >> 8) & 0xff;
    out[at + 37] = innerLength & 0xff;
  }
  out.set(inner, depth * 38);
  return out;
}
