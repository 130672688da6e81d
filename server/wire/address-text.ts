/**
 * Text forms of the addresses the codecs carry as numbers/bytes: IPv4 as uint32 <->
 * dotted quad, IPv6 as 16 bytes <-> RFC 5952 text. For logs, configuration and the
 * console; not used on the decode path.
 */
import ipaddr from "ipaddr.js";

/** 0xc0000201 -> "192.0.2.1". */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** "192.0.2.1" -> 0xc0000201; undefined unless exactly four decimal parts 0..255 (no leading zeros). */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

/** 16 bytes -> RFC 5952 text (lower case, longest zero run compressed, ::ffff:a.b.c.d for mapped). */
export function formatIpv6(address: Uint8Array): string {
  if (address.length !== 16) throw new RangeError(`an IPv6 address needs 16 bytes, got ${address.length}`);
  const group = (i: number) => (address[2 * i]! << 8) | address[2 * i + 1]!;
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (group(0) === 0 && group(1) === 0 && group(2) === 0 && group(3) === 0 && group(4) === 0 && group(5) === 0xffff) {
    return `::ffff:${address[12]}.${address[13]}.${address[14]}.${address[15]}`;
  }
  // RFC 5952 §4.2: compress the longest run of >= 2 zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (group(i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && group(j) === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // Built by concatenation: this runs for every relayed query (the client's peer-address).
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += "::";
      i += bestLength - 1;
      continue;
    }
    if (text !== "" && !text.endsWith(":")) text += ":";
    text += group(i).toString(16);
  }
  return text;
}

/** IPv6 text (any valid form, no zone) -> 16 bytes; undefined when invalid. */
export function parseIpv6(text: string): Uint8Array | undefined {
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  try {
    return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
  } catch {
    return undefined;
  }
}

/** "2001:db8::/32" -> { prefixLength, prefix } with bits past the length zeroed; undefined when invalid. */
export function parseIpv6Prefix(text: string): { prefixLength: number; prefix: Uint8Array } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const prefix = parseIpv6(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (prefix === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  if (prefixLength > 128) return undefined;
  for (let bit = prefixLength; bit < 128; bit++) prefix[bit >> 3] = prefix[bit >> 3]! & ~(0x80 >> (bit & 7));
  return { prefixLength, prefix };
}
