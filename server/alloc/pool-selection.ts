import ipaddr from "ipaddr.js";
import type { PoolState } from "./pool-state";

/** What the DHCPv6 side tells about where a 4o6 query came from (protocol.md §3.7). */
export interface PoolSelector {
  /** IPv6 source of the datagram: the client's address, or the outermost relay's. */
  sourceAddress: string;
  /** link-address of the relay closest to the client, when it is neither :: nor link-local. */
  linkAddress: string | null;
  /** Interface-Id option of the relay closest to the client, as lowercase hex. */
  interfaceId: string | null;
}

type Prefix = [ipaddr.IPv6, number];
const parsed = new WeakMap<PoolState, { link: Prefix | null; source: Prefix | null }>();

function prefixesOf(pool: PoolState) {
  let entry = parsed.get(pool);
  if (!entry) {
    const parse = (cidr: string | null): Prefix | null => (cidr ? (ipaddr.parseCIDR(cidr) as Prefix) : null);
    entry = { link: parse(pool.pool.linkAddressPrefix), source: parse(pool.pool.sourcePrefix) };
    parsed.set(pool, entry);
  }
  return entry;
}

function inPrefix(address: string | null, prefix: Prefix | null): boolean {
  if (!address || !prefix) return false;
  try {
    const ip = ipaddr.parse(address.split("%")[0]!);
    return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).match(prefix);
  } catch {
    return false;
  }
}

const isScoped = (pool: PoolState) => Boolean(pool.pool.linkAddressPrefix || pool.pool.interfaceId || pool.pool.sourcePrefix);

/**
 * The pools that serve a query, in configuration order. A pool with a scope serves the queries
 * that match any of its rules — relay link-address prefix (RFC 7341 §11), relay Interface-Id
 * (exact bytes), IPv6 source prefix (Kea's 4o6-subnet). Pools without a scope serve every
 * client whose query matched no scoped pool.
 */
export function selectPools(pools: readonly PoolState[], selector: PoolSelector): PoolState[] {
  const scoped = pools.filter((pool) => {
    if (!isScoped(pool)) return false;
    const { link, source } = prefixesOf(pool);
    return (
      inPrefix(selector.linkAddress, link) ||
      (pool.pool.interfaceId !== null && pool.pool.interfaceId === selector.interfaceId) ||
      inPrefix(selector.sourceAddress, source)
    );
  });
  return scoped.length > 0 ? scoped : pools.filter((pool) => !isScoped(pool));
}
