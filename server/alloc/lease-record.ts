import type { LeaseState } from "../db/generated/sqlite/enums";

export type { LeaseState } from "../db/generated/sqlite/enums";

/** The allocator's in-memory copy of one lease row (times in epoch milliseconds). */
export interface LeaseRecord {
  id: number;
  poolId: number;
  /** IPv4 address as an unsigned 32-bit number. */
  address: number;
  /** Numeric PSID; 0 for a dedicated address. */
  psid: number;
  state: LeaseState;
  clientId: string;
  ipv6Address: string | null;
  /** Whether ipv6Address came from option 109 (RFC 8539), and so must be unique among live leases. */
  softwireSource: boolean;
  startedAt: number;
  expiresAt: number;
  quarantineUntil: number | null;
  /**
   * An offer kept in memory only (id 0) remembers the ended record whose slot it took, which
   * returns to the slot if the offer lapses (so the sweep still ends that row in the database).
   */
  displaced?: LeaseRecord;
}

/** One number per slot: address and PSID packed (2^48 < 2^53, so exact). */
export const slotKey = (address: number, psid: number): number => address * 65536 + psid;

/**
 * Whether a lease still holds its slot at `now`: a live offer or binding, or a revoked or
 * declined one in quarantine (architecture.md: no second subscriber while the first may
 * still be using the port set).
 */
export function holdsSlot(lease: Pick<LeaseRecord, "state" | "expiresAt" | "quarantineUntil">, now: number): boolean {
  switch (lease.state) {
    case "OFFERED":
    case "BOUND":
      return lease.expiresAt > now;
    case "DECLINED":
    case "REVOKED":
      return (lease.quarantineUntil ?? 0) > now;
    default:
      return false;
  }
}

export const isLive = (lease: Pick<LeaseRecord, "state" | "expiresAt">, now: number): boolean =>
  (lease.state === "OFFERED" || lease.state === "BOUND") && lease.expiresAt > now;
