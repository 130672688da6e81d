import type { Database } from "../db";
import { recordAudit } from "../audit/audit-log";
import { RuleError } from "../errors/rule-error";
import { leaseChanges } from "./change-signal";
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
    const lease = await tx.lease.findUnique({ where: { id: leaseId } });
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
      before: { state: lease.state, address: lease.address, psid: lease.psid, clientId: lease.clientId },
      after: { state: "REVOKED", quarantineUntil, reason },
    });
    return { quarantineUntil };
  });
  leaseChanges.notify([leaseId]);
  return result;
}
