import type { DatabaseConfig } from "../db";
import type { LeaseState } from "./lease-record";

/** A statement with its parameters, in the order the placeholders appear. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Collects parameters while a statement is written: `value(x)` adds x and returns its
 * placeholder (`?` for SQLite, `$n` for PostgreSQL), so a value used twice is bound twice.
 */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly provider: DatabaseConfig["provider"]) {}

  value(v: unknown): string {
    this.values.push(v);
    return this.provider === "postgresql" ? `$${this.values.length}` : "?";
  }

  /** A LeaseState parameter (PostgreSQL keeps it in an enum type). */
  state(v: LeaseState | null): string {
    const placeholder = this.value(v);
    return this.provider === "postgresql" ? `${placeholder}::"LeaseState"` : placeholder;
  }
}

export interface ClaimRow {
  poolId: number;
  address: number;
  psid: number;
  state: "OFFERED" | "BOUND";
  clientId: string;
  hwAddress: string | null;
  ipv6Address: string | null;
  softwireSource: boolean;
  relayInfo: string | null;
  startedAt: Date;
  expiresAt: Date;
  now: Date;
}

export interface EventRow {
  leaseId: number;
  at: Date;
  fromState: LeaseState | null;
  toState: LeaseState;
  clientId: string;
  actor: string;
  detail: string | null;
}

/**
 * The hot path's SQL, in the two dialects. Prisma model queries cost 130-250 µs each here
 * (toolchain.md §2.5), so lease writes are multi-row raw statements on Prisma's connection,
 * one set per group commit.
 */
export class LeaseSql {
  constructor(readonly provider: DatabaseConfig["provider"]) {}

  /**
   * Claims or refreshes slots, one row per binding. A row is written only where the slot is
   * free or already this client's (and not revoked or declined): this WHERE and the unique
   * (address, psid) key keep two workers from granting one port set twice. The rows returned
   * are those written; a missing row means the database refused that claim.
   */
  claimSlots(rows: readonly ClaimRow[]): Statement {
    const p = new Params(this.provider);
    const values = rows.map(
      (r) =>
        `(${p.value(r.poolId)}, ${p.value(r.address)}, ${p.value(r.psid)}, ${p.state(r.state)}, ${p.value(r.clientId)}, ` +
        `${p.value(r.hwAddress)}, ${p.value(r.ipv6Address)}, ${p.value(r.softwireSource)}, ${p.value(r.relayInfo)}, ${p.value(r.startedAt)}, ` +
        `${p.value(r.expiresAt)}, ${p.value(r.now)}, NULL, ${p.value(r.now)})`,
    );
    const sql = `INSERT INTO lease (pool_id, address, psid, state, client_id, hw_address, ipv6_address, softwire_source, relay_info, started_at, expires_at, last_transaction, quarantine_until, updated_at)
VALUES ${values.join(",\n")}
ON CONFLICT (address, psid) DO UPDATE SET
  pool_id = excluded.pool_id,
  state = excluded.state,
  client_id = excluded.client_id,
  hw_address = excluded.hw_address,
  ipv6_address = excluded.ipv6_address,
  softwire_source = excluded.softwire_source,
  relay_info = excluded.relay_info,
  started_at = CASE WHEN lease.client_id = excluded.client_id AND lease.state = 'BOUND' AND excluded.state = 'BOUND'
                         AND lease.expires_at > excluded.last_transaction
                    THEN lease.started_at ELSE excluded.started_at END,
  expires_at = excluded.expires_at,
  last_transaction = excluded.last_transaction,
  quarantine_until = NULL,
  updated_at = excluded.updated_at
WHERE (lease.client_id = excluded.client_id AND lease.state IN ('OFFERED', 'BOUND', 'RELEASED', 'EXPIRED'))
   OR lease.state IN ('RELEASED', 'EXPIRED')
   OR (lease.state IN ('OFFERED', 'BOUND') AND lease.expires_at <= excluded.last_transaction)
   OR (lease.state IN ('DECLINED', 'REVOKED') AND (lease.quarantine_until IS NULL OR lease.quarantine_until <= excluded.last_transaction))
RETURNING id, address, psid, started_at`;
    return { sql, params: p.values };
  }

  /**
   * Ends one client's live lease (RELEASED, DECLINED, EXPIRED): only while the lease is still
   * that client's and live, and an expiry only if no one extended it meanwhile.
   */
  endLease(end: { leaseId: number; clientId: string; state: LeaseState; quarantineUntil: Date | null; now: Date }): Statement {
    const p = new Params(this.provider);
    let sql = `UPDATE lease SET state = ${p.state(end.state)}, quarantine_until = ${p.value(end.quarantineUntil)},
  last_transaction = ${p.value(end.now)}, updated_at = ${p.value(end.now)}
WHERE id = ${p.value(end.leaseId)} AND client_id = ${p.value(end.clientId)} AND state IN ('OFFERED', 'BOUND')`;
    if (end.state === "EXPIRED") sql += ` AND expires_at <= ${p.value(end.now)}`;
    return { sql: `${sql}\nRETURNING id`, params: p.values };
  }

  /** History rows for the state changes of one commit. */
  insertEvents(rows: readonly EventRow[]): Statement {
    const p = new Params(this.provider);
    const values = rows.map(
      (r) =>
        `(${p.value(r.leaseId)}, ${p.value(r.at)}, ${p.state(r.fromState)}, ${p.state(r.toState)}, ` +
        `${p.value(r.clientId)}, ${p.value(r.actor)}, ${p.value(r.detail)})`,
    );
    return { sql: `INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail) VALUES ${values.join(",\n")}`, params: p.values };
  }
}
