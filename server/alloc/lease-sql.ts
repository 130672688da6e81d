import type { DatabaseConfig } from "../db";
import type { LeaseRecord, LeaseState } from "./lease-record";

/** A statement with its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
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

export interface EndRow {
  leaseId: number;
  clientId: string;
  state: "RELEASED" | "DECLINED" | "EXPIRED";
  quarantineUntil: Date | null;
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
 * Which rows a claim may overwrite: free slots, or this client's own (not revoked or declined).
 * An offer never overwrites the client's live binding: written late (by another worker, or
 * behind its reply) it must not undo the ACK that followed it.
 */
const CLAIMABLE = `((lease.client_id = excluded.client_id AND lease.state IN ('OFFERED', 'BOUND', 'RELEASED', 'EXPIRED'))
   OR lease.state IN ('RELEASED', 'EXPIRED')
   OR (lease.state IN ('OFFERED', 'BOUND') AND lease.expires_at <= excluded.last_transaction)
   OR (lease.state IN ('DECLINED', 'REVOKED') AND (lease.quarantine_until IS NULL OR lease.quarantine_until <= excluded.last_transaction)))
  AND NOT (excluded.state = 'OFFERED' AND lease.state = 'BOUND' AND lease.expires_at > excluded.last_transaction)`;

const CLAIM_UPDATE = `pool_id = excluded.pool_id,
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
  updated_at = excluded.updated_at`;

/**
 * The hot path's SQL, in the two dialects. Prisma model queries cost 130-250 µs each here
 * (toolchain.md §2.5) and Prisma's raw API adds work per bound parameter, so every statement
 * takes all its rows as ONE JSON parameter, unpacked by the database (json_each in SQLite,
 * jsonb_to_recordset in PostgreSQL): one statement per kind of write per group commit.
 */
export class LeaseSql {
  constructor(readonly provider: DatabaseConfig["provider"]) {}

  /**
   * A timestamp as the database stores it: Prisma keeps SQLite DateTimes as ISO text with
   * "+00:00", so raw SQL must write the same text for its comparisons to hold.
   */
  private time(d: Date | null): string | null {
    if (!d) return null;
    const iso = d.toISOString();
    return this.provider === "sqlite" ? `${iso.slice(0, -1)}+00:00` : iso;
  }

  /**
   * Claims or refreshes slots, one row per binding. A row is written only where the slot is
   * free or already this client's (and not revoked or declined): this WHERE and the unique
   * (address, psid) key keep two workers from granting one port set twice. The rows returned
   * are those written; a missing row means the database refused that claim.
   */
  claimSlots(rows: readonly ClaimRow[]): Statement {
    const json = JSON.stringify(
      rows.map((r) => [
        r.poolId, r.address, r.psid, r.state, r.clientId, r.hwAddress, r.ipv6Address, r.softwireSource, r.relayInfo,
        this.time(r.startedAt), this.time(r.expiresAt), this.time(r.now),
      ]),
    );
    const source =
      this.provider === "sqlite"
        ? `SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7, j.value->>8,
       j.value->>9, j.value->>10, j.value->>11, NULL, j.value->>11
FROM json_each(?) AS j WHERE true`
        : `SELECT (j->>0)::int, (j->>1)::bigint, (j->>2)::int, (j->>3)::"LeaseState", j->>4, j->>5, j->>6, (j->>7)::boolean, j->>8,
       (j->>9)::timestamp(3), (j->>10)::timestamp(3), (j->>11)::timestamp(3), NULL, (j->>11)::timestamp(3)
FROM jsonb_array_elements($1::jsonb) AS j`;
    const sql = `INSERT INTO lease (pool_id, address, psid, state, client_id, hw_address, ipv6_address, softwire_source, relay_info,
  started_at, expires_at, last_transaction, quarantine_until, updated_at)
${source}
ON CONFLICT (address, psid) DO UPDATE SET
  ${CLAIM_UPDATE}
WHERE ${CLAIMABLE}
RETURNING id, address, psid, started_at`;
    return { sql, params: [json] };
  }

  /**
   * Ends client leases (RELEASED, DECLINED, EXPIRED): each only while it is still that client's
   * and live, and an expiry only if no one extended the lease meanwhile. Returns the ids ended.
   */
  endLeases(rows: readonly EndRow[]): Statement {
    const json = JSON.stringify(rows.map((r) => [r.leaseId, r.clientId, r.state, this.time(r.quarantineUntil), this.time(r.now)]));
    const sql =
      this.provider === "sqlite"
        ? `UPDATE lease SET state = j.value->>2, quarantine_until = j.value->>3, last_transaction = j.value->>4, updated_at = j.value->>4
FROM json_each(?) AS j
WHERE lease.id = j.value->>0 AND lease.client_id = j.value->>1 AND lease.state IN ('OFFERED', 'BOUND')
  AND (j.value->>2 <> 'EXPIRED' OR lease.expires_at <= j.value->>4)
RETURNING lease.id`
        : `UPDATE lease SET state = (j->>2)::"LeaseState", quarantine_until = (j->>3)::timestamp(3),
  last_transaction = (j->>4)::timestamp(3), updated_at = (j->>4)::timestamp(3)
FROM jsonb_array_elements($1::jsonb) AS j
WHERE lease.id = (j->>0)::int AND lease.client_id = j->>1 AND lease.state IN ('OFFERED', 'BOUND')
  AND (j->>2 <> 'EXPIRED' OR lease.expires_at <= (j->>4)::timestamp(3))
RETURNING lease.id`;
    return { sql, params: [json] };
  }

  /**
   * One chunk of the lease table after `afterId`, for the start-up load, packed by the database
   * into a single JSON text (one row back instead of thousands: Prisma's raw API costs ~20 µs a
   * row, JSON.parse a fraction of that). Each element: [id, pool_id, address, psid, state,
   * client_id, ipv6_address, softwire_source, started_at, expires_at, quarantine_until].
   */
  leasesAfter(afterId: number, limit: number): Statement {
    const sql =
      this.provider === "postgresql"
        ? `SELECT COALESCE(json_agg(json_build_array(id, pool_id, address, psid, state, client_id, ipv6_address, softwire_source,
    to_char(started_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), to_char(expires_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    to_char(quarantine_until, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY id), '[]')::text AS chunk
FROM (SELECT * FROM lease WHERE id > $1 ORDER BY id LIMIT $2) AS l`
        : `SELECT COALESCE(json_group_array(json_array(id, pool_id, address, psid, state, client_id, ipv6_address, softwire_source,
    started_at, expires_at, quarantine_until)), '[]') AS chunk
FROM (SELECT * FROM lease WHERE id > ? ORDER BY id LIMIT ?)`;
    return { sql, params: [afterId, limit] };
  }

  /** History rows for the state changes of one commit. */
  insertEvents(rows: readonly EventRow[]): Statement {
    const json = JSON.stringify(rows.map((r) => [r.leaseId, this.time(r.at), r.fromState, r.toState, r.clientId, r.actor, r.detail]));
    const sql =
      this.provider === "sqlite"
        ? `INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail)
SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6 FROM json_each(?) AS j`
        : `INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail)
SELECT (j->>0)::int, (j->>1)::timestamp(3), (j->>2)::"LeaseState", (j->>3)::"LeaseState", j->>4, j->>5, j->>6
FROM jsonb_array_elements($1::jsonb) AS j`;
    return { sql, params: [json] };
  }
}

/** One element of a leasesAfter() chunk. */
export type LeaseRow = [
  id: number,
  poolId: number,
  address: number,
  psid: number,
  state: LeaseState,
  clientId: string,
  ipv6Address: string | null,
  softwireSource: boolean | number,
  startedAt: string,
  expiresAt: string,
  quarantineUntil: string | null,
];

export function recordFromRow(row: LeaseRow): LeaseRecord {
  return {
    id: row[0],
    poolId: row[1],
    address: row[2],
    psid: row[3],
    state: row[4],
    clientId: row[5],
    ipv6Address: row[6],
    softwireSource: row[7] === true || row[7] === 1,
    startedAt: Date.parse(row[8]),
    expiresAt: Date.parse(row[9]),
    quarantineUntil: row[10] === null ? null : Date.parse(row[10]),
  };
}
