import type { Database } from "../db";

export interface AuditFilterChoices {
  /** Every operator name (and "system") that appears in the log, A–Z. */
  actors: string[];
  /** Every action that appears in the log, A–Z. */
  actions: string[];
}

/** The values the audit page's filters offer: only those that would match something. */
export async function auditFilterChoices(db: Database): Promise<AuditFilterChoices> {
  // groupBy runs as SQL GROUP BY; Prisma's `distinct` would read every row into memory.
  const [actors, actions] = await Promise.all([
    db.auditLog.groupBy({ by: ["actor"], orderBy: { actor: "asc" } }),
    db.auditLog.groupBy({ by: ["action"], orderBy: { action: "asc" } }),
  ]);
  return { actors: actors.map((row) => row.actor), actions: actions.map((row) => row.action) };
}
