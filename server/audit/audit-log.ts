import type { Database } from "../db/client";

export interface AuditEntry {
  /** Operator name, or "system" for actions the server takes on its own. */
  actor: string;
  operatorId?: number | null;
  /** Dotted verb, e.g. "pool.create", "lease.revoke", "operator.disable". */
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

type AuditWriter = Pick<Database, "auditLog">;

const asJson = (value: unknown) =>
  value === undefined ? null : JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** Records one operator action. Call it inside the transaction that makes the change. */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actor: entry.actor,
      operatorId: entry.operatorId ?? null,
      action: entry.action,
      target: entry.target ?? null,
      before: asJson(entry.before),
      after: asJson(entry.after),
    },
  });
}
