import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import { recordAudit } from "../audit/audit-log";
import { RuleError } from "../errors/rule-error";
import { leaseChanges } from "./change-signal";
import { describeFilter, type LeaseFilter } from "./lease-filter";
import { leaseWhere, liveAt } from "./lease-query";
import { quarantineEnd } from "./quarantine";

export interface Operator {
  id: number;
  username: string;
}

/**
 * Revokes a live lease: the client's next RENEW or REBIND is NAKed, and the (address, PSID)
 * stays quarantined until the lease's original expiry (or QUARANTINE_SECONDS), so no second
 * subscriber gets a port set the first may still be using. Written to the lease history and
 * the audit log in one transaction; the allocators of this process reload it at once.
 */
export async function revokeLease(db: Database, operator: Operator, leaseId: number, reason?: string): Promise<{ quarantineUntil: Date }> {
  const now = new Date();
  const result = await db.$transaction(async (tx) => {
    const lease = await tx.lease.findUnique({ where: { id: leaseId }, include: { pool: { select: { name: true, kind: true } } } });
    if (!lease) throw new RuleError(`No lease with id ${leaseId}`, "id", "not-found");
    if (!(lease.state === "OFFERED" || lease.state === "BOUND") || lease.expiresAt <= now) {
      throw new RuleError(`Lease ${leaseId} is ${lease.expiresAt <= now ? "expired" : lease.state.toLowerCase()}, not live`, "id", "conflict");
    }
    const quarantineUntil = quarantineEnd(lease.expiresAt, now);
    // Conditional on the state read above: a concurrent release or expiry wins, and we report it.
    const updated = await tx.lease.updateMany({
      where: { id: leaseId, state: lease.state, expiresAt: lease.expiresAt },
      data: { state: "REVOKED", quarantineUntil, lastTransaction: now },
    });
    if (updated.count !== 1) throw new RuleError(`Lease ${leaseId} changed while it was being revoked; try again`, "id", "conflict");
    await tx.leaseEvent.create({
      data: { leaseId, at: now, fromState: lease.state, toState: "REVOKED", clientId: lease.clientId, actor: `operator:${operator.username}`, detail: reason ?? null },
    });
    await recordAudit(tx, {
      actor: operator.username,
      operatorId: operator.id,
      action: "lease.revoke",
      target: `lease ${leaseId}`,
      before: { state: lease.state, address: lease.address, psid: lease.psid, shared: lease.pool.kind === "SHARED", pool: lease.pool.name, clientId: lease.clientId },
      after: { state: "REVOKED", quarantineUntil, reason },
    });
    return { quarantineUntil };
  });
  leaseChanges.notify([leaseId]);
  return result;
}

/** Refusal of a bulk revoke whose count changed since the operator confirmed it. */
export class RevokeCountChanged extends RuleError {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `The filter now matches ${actual} live lease${actual === 1 ? "" : "s"}, not ${expected}; check the count and confirm again`,
      "expectedCount",
      "conflict",
    );
    this.name = "RevokeCountChanged";
  }
}

export interface BulkRevocation {
  revoked: number;
  /** Earliest and latest end of the quarantine of the revoked slots. */
  quarantineFrom: Date;
  quarantineUntil: Date;
  ids: number[];
}

const BATCH = 1000;
const ATTEMPTS = 3;

/**
 * Revokes every live lease matching `filter`, as revokeLease does one: REVOKED, quarantined
 * per quarantine.ts, one LeaseEvent each. `expectedCount` is the count the operator confirmed;
 * the server counts again in the transaction and refuses (RevokeCountChanged) when it differs,
 * so a confirmation never covers leases the operator was not told about. One audit row for the
 * whole action (filter, count, quarantine), then one reload signal with every id.
 */
export async function revokeMatching(
  db: Database,
  operator: Operator,
  filter: LeaseFilter,
  expectedCount: number,
  reason?: string,
): Promise<BulkRevocation> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.$transaction((tx) => revokeMatchingIn(tx, operator, filter, expectedCount, reason, new Date()), {
        isolationLevel: "Serializable",
        maxWait: 10_000,
        timeout: 120_000,
      });
      leaseChanges.notify(result.ids);
      return result;
    } catch (error) {
      if (attempt >= ATTEMPTS || !lostARace(error)) throw error;
    }
  }
}

async function revokeMatchingIn(
  tx: Prisma.TransactionClient,
  operator: Operator,
  filter: LeaseFilter,
  expectedCount: number,
  reason: string | undefined,
  now: Date,
): Promise<BulkRevocation> {
  const where: Prisma.LeaseWhereInput = { AND: [leaseWhere(filter, now), liveAt(now)] };
  const byState = await tx.lease.groupBy({ by: ["state"], where, _count: { _all: true } });
  const count = byState.reduce((sum, row) => sum + row._count._all, 0);
  if (count !== expectedCount) throw new RevokeCountChanged(expectedCount, count);
  if (count === 0) throw new RuleError("No live lease matches this filter; there is nothing to revoke", "expectedCount", "invalid");

  const actor = `operator:${operator.username}`;
  const detail = reason ? `${reason} (bulk revoke)` : "bulk revoke";
  const ids: number[] = [];
  let from = Infinity;
  let until = -Infinity;
  for (let after = 0; ; ) {
    const batch = await tx.lease.findMany({
      where: { AND: [where, { id: { gt: after } }] },
      select: { id: true, state: true, clientId: true, expiresAt: true },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;
    // One update per distinct quarantine end (by default each lease's own expiry).
    const byEnd = new Map<number, number[]>();
    for (const lease of batch) {
      const end = quarantineEnd(lease.expiresAt, now).getTime();
      from = Math.min(from, end);
      until = Math.max(until, end);
      const group = byEnd.get(end);
      if (group) group.push(lease.id);
      else byEnd.set(end, [lease.id]);
    }
    for (const [end, group] of byEnd) {
      const updated = await tx.lease.updateMany({
        where: { id: { in: group }, ...liveAt(now) },
        data: { state: "REVOKED", quarantineUntil: new Date(end), lastTransaction: now },
      });
      if (updated.count !== group.length) throw new RevokeCountChanged(expectedCount, count - (group.length - updated.count));
    }
    await tx.leaseEvent.createMany({
      data: batch.map((lease) => ({ leaseId: lease.id, at: now, fromState: lease.state, toState: "REVOKED" as const, clientId: lease.clientId, actor, detail })),
    });
    ids.push(...batch.map((lease) => lease.id));
  }
  if (ids.length !== expectedCount) throw new RevokeCountChanged(expectedCount, ids.length);

  const quarantineFrom = new Date(from);
  const quarantineUntil = new Date(until);
  await recordAudit(tx, {
    actor: operator.username,
    operatorId: operator.id,
    action: "lease.revokeMatching",
    target: `${ids.length} lease${ids.length === 1 ? "" : "s"} matching ${describeFilterText(filter)}`,
    before: { filter: describeFilter(filter), count: ids.length, states: Object.fromEntries(byState.map((row) => [row.state, row._count._all])) },
    after: { state: "REVOKED", count: ids.length, quarantineFrom, quarantineUntil, reason, firstIds: ids.slice(0, 20) },
  });
  return { revoked: ids.length, quarantineFrom, quarantineUntil, ids };
}

/** "pool=shared-a, state=bound, q=ff00" or "every lease". */
function describeFilterText(filter: LeaseFilter): string {
  const parts = Object.entries(describeFilter(filter)).map(([key, value]) => `${key}=${value}`);
  return parts.length > 0 ? parts.join(", ") : "no filter";
}

/** A concurrent write got there first (PostgreSQL serialization failure): run again. */
function lostARace(error: unknown): boolean {
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: { kind?: unknown } };
  if (code === "P2034") return true;
  return name === "DriverAdapterError" && cause?.kind === "TransactionWriteConflict";
}
