// Pool administration: list, read, create, change, enable/disable, delete. Every write runs in
// one transaction with its audit row, and tells the allocation engine after the commit.
//
// Rules:
// - The address ranges of two pools never overlap, whatever their kinds or enabled flags: the
//   lease table's slot key is (address, PSID) across all pools.
// - A change that would strand live leases (a smaller range, another PSID layout or kind, new
//   exclusions) or a delete of a pool with live leases needs `confirm`; the affected leases are
//   then REVOKED, each with a LeaseEvent, and quarantined until their original expiry
//   (quarantine.ts), because the subscriber may keep using the address or port set until then.
// - Delete: a pool whose slots are still quarantined is disabled instead of deleted (see
//   PoolWriter.delete), so its range stays claimed until no subscriber can still be using it.

import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import { recordAudit } from "../audit/audit-log";
import { RuleError } from "../errors/rule-error";
import { isUsablePsid } from "../psid";
import { leaseChanges } from "./change-signal";
import { notifyPoolsChanged } from "./pool-changes";
import {
  changedPoolFields,
  formatAddressRange,
  poolFromRow,
  poolSlotCapacity,
  poolToInput,
  poolToRow,
  poolUsablePsids,
  type Pool,
  type PoolSpec,
} from "./pool-spec";
import { quarantineEnd } from "./quarantine";

type Transaction = Prisma.TransactionClient;
type LeaseWhere = Prisma.LeaseWhereInput;

/** Who changes pools: a signed-in operator, or the server itself (e.g. "pool-file"). */
export type PoolActor = { readonly id: number; readonly username: string } | { readonly system: string };

/** A pool with what the console lists beside it. */
export interface PoolSummary extends Pool {
  /** "192.0.2.0-192.0.2.255". */
  readonly range: string;
  /** Slots it can lease at once: addresses × usable PSIDs, or addresses. */
  readonly capacity: number;
  readonly liveLeases: number;
  /** Revoked or declined slots kept out of allocation until their quarantine ends. */
  readonly quarantinedLeases: number;
}

export interface PoolUpdate {
  readonly pool: Pool;
  readonly revokedLeases: number;
}

export type PoolDeletion =
  | {
      readonly outcome: "deleted";
      readonly revokedLeases: number;
      readonly removedLeaseRows: number;
      readonly removedReservations: number;
      readonly message: string;
    }
  | {
      readonly outcome: "disabled";
      readonly revokedLeases: number;
      readonly quarantinedSlots: number;
      readonly quarantinedUntil: Date;
      readonly message: string;
    };

/** Refusal of a change that would revoke live leases without `confirm`; says how many. */
export class ConfirmationNeeded extends RuleError {
  constructor(
    message: string,
    field: string,
    readonly affectedLeases: number,
  ) {
    super(message, field, "conflict");
    this.name = "ConfirmationNeeded";
  }
}

const LIVE_STATES = ["OFFERED", "BOUND"] as const;
const QUARANTINE_STATES = ["DECLINED", "REVOKED"] as const;

/** A lease that holds its slot for a client (lease-record.ts isLive). */
const liveAt = (now: Date): LeaseWhere => ({ state: { in: [...LIVE_STATES] }, expiresAt: { gt: now } });
/** A revoked or declined slot still kept out of allocation (lease-record.ts holdsSlot). */
const quarantinedAt = (now: Date): LeaseWhere => ({ state: { in: [...QUARANTINE_STATES] }, quarantineUntil: { gt: now } });

const plural = (count: number, singular: string, pluralForm = `${singular}s`) => `${count} ${count === 1 ? singular : pluralForm}`;
const rangeOfRow = (row: { firstAddress: bigint; lastAddress: bigint }) =>
  formatAddressRange({ firstAddress: Number(row.firstAddress), lastAddress: Number(row.lastAddress) });

// --- reads ---------------------------------------------------------------------------------

export async function listPools(db: Database): Promise<Pool[]> {
  return (await db.pool.findMany({ orderBy: { name: "asc" } })).map(poolFromRow);
}

/** Every pool in name order, with capacity and live / quarantined lease counts. */
export async function listPoolSummaries(db: Database, now = new Date()): Promise<PoolSummary[]> {
  const [rows, live, quarantined] = await Promise.all([
    db.pool.findMany({ orderBy: { name: "asc" } }),
    db.lease.groupBy({ by: ["poolId"], where: liveAt(now), _count: { _all: true } }),
    db.lease.groupBy({ by: ["poolId"], where: quarantinedAt(now), _count: { _all: true } }),
  ]);
  const liveByPool = new Map(live.map((row) => [row.poolId, row._count._all]));
  const quarantinedByPool = new Map(quarantined.map((row) => [row.poolId, row._count._all]));
  return rows.map((row) => {
    const pool = poolFromRow(row);
    return {
      ...pool,
      range: formatAddressRange(pool),
      capacity: poolSlotCapacity(pool),
      liveLeases: liveByPool.get(pool.id) ?? 0,
      quarantinedLeases: quarantinedByPool.get(pool.id) ?? 0,
    };
  });
}

/** One pool; RuleError "not-found" on field "id" when there is none. */
export async function getPool(db: Database | Transaction, id: number): Promise<Pool> {
  const row = await db.pool.findUnique({ where: { id } });
  if (!row) throw new RuleError(`No pool with id ${id}`, "id", "not-found");
  return poolFromRow(row);
}

/** Live and quarantined lease counts of one pool. */
export async function poolLeaseCounts(db: Database, id: number, now = new Date()): Promise<{ liveLeases: number; quarantinedLeases: number }> {
  const [liveLeases, quarantinedLeases] = await Promise.all([
    db.lease.count({ where: { poolId: id, ...liveAt(now) } }),
    db.lease.count({ where: { poolId: id, ...quarantinedAt(now) } }),
  ]);
  return { liveLeases, quarantinedLeases };
}

// --- writes --------------------------------------------------------------------------------

export function createPool(db: Database, actor: PoolActor, spec: PoolSpec): Promise<Pool> {
  return writePools(db, actor, (writer) => writer.create(spec));
}

/** Replaces a pool's definition; `confirm` is needed when live leases would be revoked. */
export function updatePool(db: Database, actor: PoolActor, id: number, spec: PoolSpec, options: { confirm?: boolean } = {}): Promise<PoolUpdate> {
  return writePools(db, actor, (writer) => writer.update(id, spec, options));
}

/** Enables or disables a pool. Disabling hands out nothing new; existing leases run their course. */
export function setPoolEnabled(db: Database, actor: PoolActor, id: number, enabled: boolean): Promise<Pool> {
  return writePools(db, actor, (writer) => writer.setEnabled(id, enabled));
}

/** Deletes a pool (or disables it while slots are quarantined); `confirm` is needed when live leases would be revoked. */
export function deletePool(db: Database, actor: PoolActor, id: number, options: { confirm?: boolean } = {}): Promise<PoolDeletion> {
  return writePools(db, actor, (writer) => writer.delete(id, options));
}

const WRITE_ATTEMPTS = 3;

/**
 * Runs `work` in one serializable transaction (so two concurrent writes cannot both pass the
 * overlap check), run again when it lost a race with another write (see lostARace). After
 * the commit it signals the changed pools to the allocation engine and the revoked leases to
 * whoever caches them.
 */
export async function writePools<T>(db: Database, actor: PoolActor, work: (writer: PoolWriter) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let writer: PoolWriter | undefined;
    try {
      const result = await db.$transaction(
        async (tx) => {
          writer = new PoolWriter(tx, actor, new Date());
          return work(writer);
        },
        { isolationLevel: "Serializable", maxWait: 10_000, timeout: 120_000 },
      );
      if (writer && writer.revokedLeaseIds.length > 0) leaseChanges.notify(writer.revokedLeaseIds);
      if (writer && writer.changedPoolIds.size > 0) notifyPoolsChanged({ poolIds: [...writer.changedPoolIds] });
      return result;
    } catch (error) {
      if (attempt >= WRITE_ATTEMPTS || !lostARace(error)) throw error;
    }
  }
}

/**
 * A concurrent write got there first: a serialization failure (PostgreSQL 40001 / 40P01) or a
 * unique key taken meanwhile. Run again, the checks then see the other write and say why.
 */
function lostARace(error: unknown): boolean {
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: { kind?: unknown } };
  if (code === "P2034" || code === "P2002") return true;
  return name === "DriverAdapterError" && (cause?.kind === "TransactionWriteConflict" || cause?.kind === "UniqueConstraintViolation");
}

/** What a change does to live leases: which ones it strands, and why. */
interface StrandedLeases {
  readonly where: LeaseWhere;
  readonly reason: string;
  readonly field: string;
}

/**
 * The live leases of `before` that `after` no longer holds. Another kind or PSID layout changes
 * the meaning of every PSID (RFC 7597 §5.1: a, k and PSID together make the port set), so it
 * strands them all; otherwise a smaller range strands those outside it, and new exclusions
 * those whose PSID is now excluded (RFC 7618 §8).
 */
function strandedBy(before: PoolSpec, after: PoolSpec): StrandedLeases | null {
  if (before.kind !== after.kind) return { where: {}, reason: "the pool changes kind", field: "kind" };
  const shared = after.kind === "SHARED";
  if (shared && (before.psidOffset !== after.psidOffset || before.psidLength !== after.psidLength)) {
    return { where: {}, reason: "a new PSID layout changes every port set", field: before.psidOffset !== after.psidOffset ? "psidOffset" : "psidLength" };
  }
  const conditions: LeaseWhere[] = [];
  const reasons: string[] = [];
  let field: string | undefined;
  if (after.firstAddress > before.firstAddress || after.lastAddress < before.lastAddress) {
    conditions.push({ address: { lt: BigInt(after.firstAddress) } }, { address: { gt: BigInt(after.lastAddress) } });
    reasons.push("outside the new range");
    field = "range";
  }
  if (shared) {
    const was = poolUsablePsids(before);
    const now = poolUsablePsids(after);
    const newlyExcluded = now.excludedRuns.filter((run) => {
      for (let psid = run.first; psid <= run.last; psid++) if (isUsablePsid(was, psid)) return true;
      return false;
    });
    if (newlyExcluded.length > 0) {
      conditions.push(...newlyExcluded.map((run) => ({ psid: { gte: run.first, lte: run.last } })));
      reasons.push("on PSIDs the new port exclusions remove");
      field ??= before.allowWellKnown !== after.allowWellKnown ? "allowWellKnown" : "reservedPorts";
    }
  }
  if (conditions.length === 0) return null;
  return { where: { OR: conditions }, reason: reasons.join(", "), field: field! };
}

/** The operations of one pool transaction. Created by writePools. */
export class PoolWriter {
  readonly changedPoolIds = new Set<number>();
  readonly revokedLeaseIds: number[] = [];

  constructor(
    private readonly tx: Transaction,
    private readonly actor: PoolActor,
    readonly now: Date,
  ) {}

  /** One pool; RuleError "not-found" when there is none. */
  find(id: number): Promise<Pool> {
    return getPool(this.tx, id);
  }

  async findByName(name: string): Promise<Pool | null> {
    const row = await this.tx.pool.findUnique({ where: { name } });
    return row ? poolFromRow(row) : null;
  }

  async create(spec: PoolSpec): Promise<Pool> {
    await this.assertNameFree(spec.name, null);
    await this.assertRangeFree(spec, null);
    const pool = poolFromRow(await this.tx.pool.create({ data: poolToRow(spec) }));
    await this.audit("pool.create", pool.name, undefined, poolToInput(pool));
    this.changedPoolIds.add(pool.id);
    return pool;
  }

  async update(id: number, spec: PoolSpec, options: { confirm?: boolean; detail?: string } = {}): Promise<PoolUpdate> {
    const before = await this.find(id);
    if (changedPoolFields(before, spec).length === 0) return { pool: before, revokedLeases: 0 };
    if (spec.name !== before.name) await this.assertNameFree(spec.name, id);
    await this.assertRangeFree(spec, id);
    let revokedLeases = 0;
    const stranded = strandedBy(before, spec);
    if (stranded) {
      const where = { poolId: id, ...stranded.where };
      const count = await this.tx.lease.count({ where: { ...where, ...liveAt(this.now) } });
      if (count > 0 && !options.confirm) {
        throw new ConfirmationNeeded(
          `${plural(count, "live lease")} would be affected (${stranded.reason}); confirm to revoke ${count === 1 ? "it" : "them"} and save the change`,
          stranded.field,
          count,
        );
      }
      revokedLeases = await this.revoke(where, options.detail ?? "pool shrunk");
    }
    const pool = poolFromRow(await this.tx.pool.update({ where: { id }, data: poolToRow(spec) }));
    const after = revokedLeases > 0 ? { ...poolToInput(pool), revokedLeases } : poolToInput(pool);
    await this.audit("pool.update", pool.name, poolToInput(before), after);
    this.changedPoolIds.add(id);
    return { pool, revokedLeases };
  }

  async setEnabled(id: number, enabled: boolean): Promise<Pool> {
    const before = await this.find(id);
    if (before.enabled === enabled) return before;
    const pool = poolFromRow(await this.tx.pool.update({ where: { id }, data: { enabled } }));
    await this.audit(enabled ? "pool.enable" : "pool.disable", pool.name, { enabled: before.enabled }, { enabled });
    this.changedPoolIds.add(id);
    return pool;
  }

  /**
   * Revokes the live leases (with `confirm`), then deletes the pool with its lease rows, their
   * history and its reservations — unless slots are still quarantined: deleting those rows
   * would free the slots for a new pool over the same range while the last subscribers may
   * still use them, and the lease table's slot key would no longer remember them. Such a pool
   * is disabled instead (it hands out nothing and keeps its range claimed), and the operator is
   * told when it can be deleted. That is the ISP's expectation: "delete" never puts one port
   * set in two subscribers' hands.
   */
  async delete(id: number, options: { confirm?: boolean } = {}): Promise<PoolDeletion> {
    const pool = await this.find(id);
    const live = await this.tx.lease.count({ where: { poolId: id, ...liveAt(this.now) } });
    if (live > 0 && !options.confirm) {
      throw new ConfirmationNeeded(
        `${plural(live, "live lease")} would be affected; confirm to revoke ${live === 1 ? "it" : "them"} and delete pool "${pool.name}"`,
        "confirm",
        live,
      );
    }
    const revokedLeases = await this.revoke({ poolId: id }, "pool deleted");
    const held = await this.tx.lease.aggregate({
      where: { poolId: id, ...quarantinedAt(this.now) },
      _count: { _all: true },
      _max: { quarantineUntil: true },
    });
    const quarantinedSlots = held._count._all;
    this.changedPoolIds.add(id);
    if (quarantinedSlots > 0) {
      const quarantinedUntil = held._max.quarantineUntil!;
      if (pool.enabled) await this.tx.pool.update({ where: { id }, data: { enabled: false } });
      const slots = pool.kind === "SHARED" ? plural(quarantinedSlots, "port set") : plural(quarantinedSlots, "address", "addresses");
      const message =
        `Pool "${pool.name}" was disabled, not deleted: ${slots} ${quarantinedSlots === 1 ? "stays" : "stay"} in quarantine until ${quarantinedUntil.toISOString()}, ` +
        "so that none goes to another subscriber while the last one may still use it. Delete the pool after that time.";
      await this.audit("pool.delete", pool.name, poolToInput(pool), { outcome: "disabled", enabled: false, revokedLeases, quarantinedSlots, quarantinedUntil });
      return { outcome: "disabled", revokedLeases, quarantinedSlots, quarantinedUntil, message };
    }
    await this.tx.leaseEvent.deleteMany({ where: { lease: { poolId: id } } });
    const removedLeaseRows = (await this.tx.lease.deleteMany({ where: { poolId: id } })).count;
    const removedReservations = (await this.tx.reservation.deleteMany({ where: { poolId: id } })).count;
    await this.tx.pool.delete({ where: { id } });
    await this.audit("pool.delete", pool.name, poolToInput(pool), { outcome: "deleted", revokedLeases, removedLeaseRows, removedReservations });
    const message = `Pool "${pool.name}" was deleted with ${plural(removedLeaseRows, "lease record")} and ${plural(removedReservations, "reservation")}.`;
    return { outcome: "deleted", revokedLeases, removedLeaseRows, removedReservations, message };
  }

  private async assertNameFree(name: string, selfId: number | null): Promise<void> {
    const other = await this.tx.pool.findUnique({ where: { name }, select: { id: true } });
    if (other && other.id !== selfId) throw new RuleError(`A pool named "${name}" already exists`, "name", "conflict");
  }

  /**
   * No other pool's range overlaps, and no lease left behind by another pool (one that shrank)
   * still holds a slot in the range: it is live or quarantined there.
   */
  private async assertRangeFree(spec: PoolSpec, selfId: number | null): Promise<void> {
    const others = selfId === null ? {} : { id: { not: selfId } };
    const clash = await this.tx.pool.findFirst({
      where: { ...others, firstAddress: { lte: BigInt(spec.lastAddress) }, lastAddress: { gte: BigInt(spec.firstAddress) } },
      orderBy: { firstAddress: "asc" },
    });
    if (clash) {
      throw new RuleError(`Range ${formatAddressRange(spec)} overlaps pool "${clash.name}" (${rangeOfRow(clash)})`, "range", "conflict");
    }
    const held: LeaseWhere = {
      ...(selfId === null ? {} : { poolId: { not: selfId } }),
      address: { gte: BigInt(spec.firstAddress), lte: BigInt(spec.lastAddress) },
      OR: [liveAt(this.now), quarantinedAt(this.now)],
    };
    const holder = await this.tx.lease.findFirst({ where: held, orderBy: { quarantineUntil: "desc" }, include: { pool: { select: { name: true } } } });
    if (holder) {
      const count = await this.tx.lease.count({ where: held });
      const until = (holder.quarantineUntil ?? holder.expiresAt).toISOString();
      throw new RuleError(
        `Range ${formatAddressRange(spec)} holds ${plural(count, "slot")} still held by leases of pool "${holder.pool.name}" ` +
          `(revoked or live, until ${until}); they come free when those leases end`,
        "range",
        "conflict",
      );
    }
  }

  /**
   * REVOKED for every live lease matching `where`, with one LeaseEvent each, quarantined per
   * quarantine.ts (by default until the lease's original expiry). Set-based: one event insert
   * and one update per distinct quarantine end, a thousand leases at a time.
   */
  private async revoke(where: LeaseWhere, detail: string): Promise<number> {
    const actor = "system" in this.actor ? `system:${this.actor.system}` : `operator:${this.actor.username}`;
    let revoked = 0;
    for (;;) {
      const batch = await this.tx.lease.findMany({
        where: { ...where, ...liveAt(this.now) },
        select: { id: true, state: true, clientId: true, expiresAt: true },
        orderBy: { id: "asc" },
        take: 1000,
      });
      if (batch.length === 0) return revoked;
      await this.tx.leaseEvent.createMany({
        data: batch.map((lease) => ({ leaseId: lease.id, at: this.now, fromState: lease.state, toState: "REVOKED" as const, clientId: lease.clientId, actor, detail })),
      });
      const byQuarantineEnd = new Map<number, number[]>();
      for (const lease of batch) {
        const end = quarantineEnd(lease.expiresAt, this.now).getTime();
        const ids = byQuarantineEnd.get(end);
        if (ids) ids.push(lease.id);
        else byQuarantineEnd.set(end, [lease.id]);
      }
      for (const [end, ids] of byQuarantineEnd) {
        const updated = await this.tx.lease.updateMany({
          where: { id: { in: ids }, state: { in: [...LIVE_STATES] } },
          data: { state: "REVOKED", quarantineUntil: new Date(end) },
        });
        revoked += updated.count;
      }
      this.revokedLeaseIds.push(...batch.map((lease) => lease.id));
    }
  }

  private audit(action: string, target: string, before: unknown, after: unknown): Promise<void> {
    const operator = "system" in this.actor ? null : this.actor;
    return recordAudit(this.tx, {
      actor: operator ? operator.username : `system:${(this.actor as { system: string }).system}`,
      operatorId: operator?.id ?? null,
      action,
      target,
      before,
      after,
    });
  }
}
