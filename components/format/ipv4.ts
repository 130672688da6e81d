// IPv4 addresses are stored as unsigned 32-bit integers (they sort and range the same way in
// SQLite and PostgreSQL) and arrive here as BigInt. Operators read them as dotted quads.

const MAX_IPV4 = 0xffff_ffffn;

/** 3221225985n → "192.0.2.1". Throws a RangeError for a value outside 0 … 2^32−1. */
export function formatIPv4(value: bigint | number): string {
  const n = BigInt(value);
  if (n < 0n || n > MAX_IPV4) throw new RangeError(`${value} is not an IPv4 address (0 … ${MAX_IPV4})`);
  return [24n, 16n, 8n, 0n].map((shift) => ((n >> shift) & 0xffn).toString()).join(".");
}

/** A pool range as "192.0.2.0 – 192.0.2.255", or one address when first equals last. */
export function formatIPv4Range(first: bigint | number, last: bigint | number): string {
  return BigInt(first) === BigInt(last) ? formatIPv4(first) : `${formatIPv4(first)} – ${formatIPv4(last)}`;
}

/** How many addresses a range holds (inclusive on both ends). */
export function countIPv4Range(first: bigint | number, last: bigint | number): bigint {
  return BigInt(last) - BigInt(first) + 1n;
}
