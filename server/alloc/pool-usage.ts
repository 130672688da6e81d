// How full each pool is, for the dashboard and the pools list: slots in use against capacity,
// with the operator's warning and critical thresholds (UTILIZATION_WARN, UTILIZATION_CRITICAL).
//
// A slot of the pool's range is in use while a lease holds it (bound or offered, or revoked/declined in quarantine:
// the allocator keeps those out of its free index, architecture.md) or a reservation keeps it
// for its client (the allocator never hands a reserved slot to another one). Capacity is
// addresses × usable PSIDs (protocol.md §5.5), or addresses for a dedicated pool.

import type { Database } from "../db";
import { Prisma } from "../db/generated/sqlite/client";
import type { LeaseState } from "../db/generated/sqlite/enums";
import { isUsablePsid } from "../psid";
import { formatAddressRange, poolFromRow, poolSlotCapacity, poolUsablePsids, type PoolKind } from "./pool-spec";

/** Fractions of capacity in use at which a pool is shown amber (warn) and red (critical). */
export interface UtilizationThresholds {
  readonly warn: number;
  readonly critical: number;
}

export const DEFAULT_THRESHOLDS: UtilizationThresholds = Object.freeze({ warn: 0.8, critical: 0.9 });

export type UtilizationLevel = "ok" | "warn" | "critical";

/** "80", "80%" and "0.8" all mean 80 %; anything else (or outside 0-100 %) is null. */
export function parseThreshold(text: string | undefined): number | null {
  if (text === undefined) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  const fraction = match[2] === "%" || value > 1 ? value / 100 : value;
  return fraction > 0 && fraction <= 1 ? fraction : null;
}

/**
 * The thresholds from UTILIZATION_WARN and UTILIZATION_CRITICAL (defaults 80 % and 90 %). A value
 * that does not read as a percentage keeps its default; a warning above the critical level is
 * lowered to it.
 */
export function utilizationThresholds(env: Readonly<Record<string, string | undefined>> = process.env): UtilizationThresholds {
  const critical = parseThreshold(env.UTILIZATION_CRITICAL) ?? DEFAULT_THRESHOLDS.critical;
  const warn = parseThreshold(env.UTILIZATION_WARN) ?? DEFAULT_THRESHOLDS.warn;
  return { warn: Math.min(warn, critical), critical };
}

export function utilizationLevel(utilization: number, thresholds: UtilizationThresholds): UtilizationLevel {
  if (utilization >= thresholds.critical) return "critical";
  if (utilization >= thresholds.warn) return "warn";
  return "ok";
}

export interface PoolUsage {
  readonly id: number;
  readonly name: string;
  readonly kind: PoolKind;
  readonly enabled: boolean;
  /** "192.0.2.0-192.0.2.255". */
  readonly range: string;
  readonly addressCount: number;
  /** RFC 7597 §5.1 a and k; 0 and 0 for a dedicated pool. */
  readonly psidOffset: number;
  readonly psidLength: number;
  /** Slots the pool can lease at once (port sets, or addresses). */
  readonly capacity: number;
  readonly bound: number;
  readonly offered: number;
  /** Revoked or declined slots still in quarantine. */
  readonly quarantined: number;
  /** Reserved slots no lease holds now. */
  readonly reserved: number;
  /** bound + offered + quarantined + reserved. */
  readonly inUse: number;
  /** inUse / capacity, 0..1 (1 when the pool has no capacity). */
  readonly utilization: number;
  readonly level: UtilizationLevel;
  /** Every lease row of the pool by its stored state, history included. */
  readonly states: Record<LeaseState, number>;
}

interface HeldGroup {
  pool_id: number | bigint;
  state: string;
  n: number | bigint;
}

interface ReservedGroup {
  pool_id: number | bigint;
  psid: number | bigint;
  n: number | bigint;
}

const NO_STATES: Record<LeaseState, number> = { OFFERED: 0, BOUND: 0, RELEASED: 0, EXPIRED: 0, DECLINED: 0, REVOKED: 0 };

/** Every pool with its usage, nearest exhaustion first (then by name). Three grouped queries. */
export async function poolUsage(db: Database, thresholds: UtilizationThresholds, now = new Date()): Promise<PoolUsage[]> {
  const [rows, held, reserved, states] = await Promise.all([
    db.pool.findMany({ orderBy: { name: "asc" } }),
    db.$queryRaw<HeldGroup[]>(Prisma.sql`
      SELECT l.pool_id, l.state, COUNT(*) AS n FROM lease l JOIN pool p ON p.id = l.pool_id
      WHERE l.address BETWEEN p.first_address AND p.last_address
        AND ((l.state IN ('OFFERED', 'BOUND') AND l.expires_at > ${now}) OR (l.state IN ('DECLINED', 'REVOKED') AND l.quarantine_until > ${now}))
      GROUP BY l.pool_id, l.state`),
    db.$queryRaw<ReservedGroup[]>(Prisma.sql`
      SELECT r.pool_id, r.psid, COUNT(*) AS n FROM reservation r JOIN pool p ON p.id = r.pool_id
      WHERE r.address BETWEEN p.first_address AND p.last_address AND NOT EXISTS (
        SELECT 1 FROM lease l WHERE l.address = r.address AND l.psid = r.psid
          AND ((l.state IN ('OFFERED', 'BOUND') AND l.expires_at > ${now}) OR (l.state IN ('DECLINED', 'REVOKED') AND l.quarantine_until > ${now})))
      GROUP BY r.pool_id, r.psid`),
    db.lease.groupBy({ by: ["poolId", "state"], _count: { _all: true } }),
  ]);
  const heldBy = new Map<number, { bound: number; offered: number; quarantined: number }>();
  for (const row of held) {
    const id = Number(row.pool_id);
    const entry = heldBy.get(id) ?? { bound: 0, offered: 0, quarantined: 0 };
    if (row.state === "BOUND") entry.bound += Number(row.n);
    else if (row.state === "OFFERED") entry.offered += Number(row.n);
    else entry.quarantined += Number(row.n);
    heldBy.set(id, entry);
  }
  const pools = rows.map(poolFromRow);
  // A reservation on a PSID the pool never hands out is no slot of its capacity.
  const usableOf = new Map(pools.filter((pool) => pool.kind === "SHARED").map((pool) => [pool.id, poolUsablePsids(pool)]));
  const reservedBy = new Map<number, number>();
  for (const row of reserved) {
    const id = Number(row.pool_id);
    const usable = usableOf.get(id);
    if (usable && !isUsablePsid(usable, Number(row.psid))) continue;
    reservedBy.set(id, (reservedBy.get(id) ?? 0) + Number(row.n));
  }
  const statesBy = new Map<number, Record<LeaseState, number>>();
  for (const row of states) {
    const entry = statesBy.get(row.poolId) ?? { ...NO_STATES };
    entry[row.state] = row._count._all;
    statesBy.set(row.poolId, entry);
  }
  const usage = pools.map((pool): PoolUsage => {
    const capacity = poolSlotCapacity(pool);
    const { bound, offered, quarantined } = heldBy.get(pool.id) ?? { bound: 0, offered: 0, quarantined: 0 };
    const reservedSlots = reservedBy.get(pool.id) ?? 0;
    const inUse = bound + offered + quarantined + reservedSlots;
    const utilization = capacity > 0 ? Math.min(1, inUse / capacity) : 1;
    return {
      id: pool.id,
      name: pool.name,
      kind: pool.kind,
      enabled: pool.enabled,
      range: formatAddressRange(pool),
      addressCount: pool.lastAddress - pool.firstAddress + 1,
      psidOffset: pool.psidOffset,
      psidLength: pool.psidLength,
      capacity,
      bound,
      offered,
      quarantined,
      reserved: reservedSlots,
      inUse,
      utilization,
      level: utilizationLevel(utilization, thresholds),
      states: statesBy.get(pool.id) ?? { ...NO_STATES },
    };
  });
  return usage.sort((x, y) => y.utilization - x.utilization || x.name.localeCompare(y.name));
}
