// Pool capacity for the console's live preview (protocol.md §5.5, §10):
// capacity of a pool = addresses × usable PSIDs per address.

import { psidCount, sharingRatio } from "./layout";
import { portRangeCount, portsPerPsid } from "./port-set";
import type { UsablePsids } from "./usable";

export interface PoolCapacity {
  /** 2^k subscribers per address when no PSID is excluded (RFC 7597 §5.1). */
  readonly sharingRatio: number;
  /** 2^k. */
  readonly psidsPerAddress: number;
  readonly usablePsidsPerAddress: number;
  readonly excludedPsidsPerAddress: number;
  /** Ports of every usable PSID; a usable PSID never loses ports to exclusions. */
  readonly portsPerSubscriber: number;
  /** Ranges per port set (2^a - 1, or 1 when a = 0 or k = 0). */
  readonly rangesPerSubscriber: number;
  readonly addressCount: number;
  /** addressCount × usablePsidsPerAddress: how many shared leases the pool can hold. */
  readonly subscriberCapacity: number;
}

/**
 * Capacity of a shared pool of `addressCount` addresses that all use the layout
 * and exclusions of `usable` (RFC 7597 §5.1: all sharers of an address use the same a, k).
 */
export function poolCapacity(usable: UsablePsids, addressCount: number): PoolCapacity {
  if (!Number.isSafeInteger(addressCount) || addressCount < 0) {
    throw new RangeError(`address count must be a whole number >= 0, got ${String(addressCount)}`);
  }
  const layout = usable.layout;
  return {
    sharingRatio: sharingRatio(layout),
    psidsPerAddress: psidCount(layout),
    usablePsidsPerAddress: usable.usableCount,
    excludedPsidsPerAddress: usable.excludedCount,
    portsPerSubscriber: portsPerPsid(layout),
    rangesPerSubscriber: portRangeCount(layout),
    addressCount,
    subscriberCapacity: addressCount * usable.usableCount,
  };
}
