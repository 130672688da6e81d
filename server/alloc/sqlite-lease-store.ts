import type { Statement } from "better-sqlite3";
import type { DirectConnection } from "../db";
import type { LeaseRecord, LeaseState } from "./lease-record";
import { CLAIM_UPDATE, CLAIMABLE } from "./lease-sql";
import type { LeaseStore } from "./lease-store";
import type { LeaseWrite, WriteOutcome } from "./lease-writer";

/**
 * Prisma keeps SQLite DateTimes as ISO text with "+00:00"; raw SQL must write the same text for
 * its comparisons with Prisma's rows to hold.
 */
export const sqliteTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}+00:00`;

const LEASE_COLUMNS = `id, pool_id AS poolId, address, psid, state, client_id AS clientId, ipv6_address AS ipv6Address,
  softwire_source AS softwireSource, started_at AS startedAt, expires_at AS expiresAt, quarantine_until AS quarantineUntil`;

interface LeaseRowOut {
  id: number; poolId: number; address: number; psid: number; state: LeaseState; clientId: string; ipv6Address: string | null;
  softwireSource: number; startedAt: string; expiresAt: string; quarantineUntil: string | null;
}

const recordOf = (row: LeaseRowOut): LeaseRecord => ({
  ...row,
  softwireSource: row.softwireSource === 1,
  startedAt: Date.parse(row.startedAt),
  expiresAt: Date.parse(row.expiresAt),
  quarantineUntil: row.quarantineUntil === null ? null : Date.parse(row.quarantineUntil),
});

/**
 * SQLite: one cached prepared statement per row kind, a group of writes in one synchronous
 * transaction (one fsync under synchronous=FULL). better-sqlite3 runs a cached statement in a
 * few microseconds; packing rows into JSON for one statement costs more here than it saves.
 */
export class SqliteLeaseStore implements LeaseStore {
  /** One writer; a group waiting for the previous one's flush only grows (fewer, larger commits). */
  readonly concurrentCommits = 1;
  private readonly claim: Statement;
  private readonly end: Statement;
  private readonly event: Statement;
  private readonly byClient: Statement;
  private readonly bySlot: Statement;

  constructor(private readonly direct: Extract<DirectConnection, { provider: "sqlite" }>) {
    const db = direct.connection;
    // Prisma's adapter turns on safe integers for the connection; these rows hold no value above 2^53.
    const prepare = (sql: string) => db.prepare(sql).safeIntegers(false);
    this.claim = prepare(`INSERT INTO lease (pool_id, address, psid, state, client_id, hw_address, ipv6_address, softwire_source,
  relay_info, started_at, expires_at, last_transaction, quarantine_until, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
ON CONFLICT (address, psid) DO UPDATE SET
  ${CLAIM_UPDATE}
WHERE ${CLAIMABLE}
RETURNING id, started_at AS startedAt`);
    this.end = prepare(`UPDATE lease SET state = @state, quarantine_until = @quarantineUntil, last_transaction = @now, updated_at = @now
WHERE id = @leaseId AND client_id = @clientId AND state IN ('OFFERED', 'BOUND') AND (@state <> 'EXPIRED' OR expires_at <= @now)
RETURNING id`);
    this.event = prepare(`INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail)
VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.byClient = prepare(`SELECT ${LEASE_COLUMNS} FROM lease WHERE client_id = ? ORDER BY started_at`);
    this.bySlot = prepare(`SELECT ${LEASE_COLUMNS} FROM lease WHERE address = ? AND psid = ?`);
  }

  commit(writes: readonly LeaseWrite[]): Promise<WriteOutcome[]> {
    return this.direct.transaction(() => writes.map((write) => this.apply(write)));
  }

  private apply(write: LeaseWrite): WriteOutcome {
    const now = sqliteTime(write.now.getTime());
    if (write.kind === "claim") {
      // Positional (the column order above): binding by name costs a few microseconds a row.
      const row = this.claim.get(
        write.poolId, write.address, write.psid, write.state, write.clientId, write.hwAddress, write.ipv6Address, write.softwireSource ? 1 : 0,
        write.relayInfo, sqliteTime(write.startedAt.getTime()), sqliteTime(write.expiresAt.getTime()), now, now,
      ) as { id: number; startedAt: string } | undefined;
      if (!row) return { committed: false };
      if (write.fromState !== write.state) this.event.run(row.id, now, write.fromState, write.state, write.clientId, write.actor, null);
      return { committed: true, leaseId: row.id, startedAt: new Date(Date.parse(row.startedAt)) };
    }
    const ended = this.end.get({
      leaseId: write.leaseId, clientId: write.clientId, state: write.state,
      quarantineUntil: write.quarantineUntil && sqliteTime(write.quarantineUntil.getTime()), now,
    });
    if (!ended) return { committed: false };
    this.event.run(write.leaseId, now, write.fromState, write.state, write.clientId, write.actor, write.detail ?? null);
    return { committed: true, leaseId: write.leaseId, startedAt: write.now };
  }

  leasesOfClient(clientId: string): Promise<LeaseRecord[]> {
    return Promise.resolve((this.byClient.all(clientId) as LeaseRowOut[]).map(recordOf));
  }

  leaseAtSlot(address: number, psid: number): Promise<LeaseRecord | undefined> {
    const row = this.bySlot.get(address, psid) as LeaseRowOut | undefined;
    return Promise.resolve(row && recordOf(row));
  }
}
