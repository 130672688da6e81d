import type { DatabaseConfig } from "../db";
import type { LeaseRecord, LeaseState } from "./lease-record";

/** A statement with its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A binding to write (the columns of a lease row a claim sets). */
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

/** The end of a lease: what an end writes. */
export interface EndRow {
  leaseId: number;
  clientId: string;
  state: "RELEASED" | "DECLINED" | "EXPIRED";
  quarantineUntil: Date | null;
  now: Date;
}

/**
 * Which rows a claim may overwrite: free slots, or this client's own (not revoked or declined).
 * An offer never overwrites the client's live binding: written late (by another worker, or
 * behind its reply) it must not undo the ACK that followed it.
 */
export const CLAIMABLE = `((lease.client_id = excluded.client_id AND lease.state IN ('OFFERED', 'BOUND', 'RELEASED', 'EXPIRED'))
   OR lease.state IN ('RELEASED', 'EXPIRED')
   OR (lease.state IN ('OFFERED', 'BOUND') AND lease.expires_at <= excluded.last_transaction)
   OR (lease.state IN ('DECLINED', 'REVOKED') AND (lease.quarantine_until IS NULL OR lease.quarantine_until <= excluded.last_transaction)))
  AND NOT (excluded.state = 'OFFERED' AND lease.state = 'BOUND' AND lease.expires_at > excluded.last_transaction)`;

export const CLAIM_UPDATE = `pool_id = excluded.pool_id,
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
 * One chunk of the lease table after `afterId`, for the start-up load, packed by the database
 * into a single JSON text (one row back instead of thousands: Prisma's raw API costs ~20 µs a
 * row, JSON.parse a fraction of that). Times come as epoch milliseconds, converted by the
 * database (three Date.parse calls a row were a third of the load). Each element: [id, pool_id,
 * address, psid, state, client_id, ipv6_address, softwire_source, started_at, expires_at,
 * quarantine_until].
 */
export function leasesAfter(provider: DatabaseConfig["provider"], afterId: number, limit: number): Statement {
  const ms = (column: string) =>
    provider === "postgresql"
      ? `(extract(epoch FROM ${column}) * 1000)::bigint`
      : `CAST(ROUND((julianday(${column}) - 2440587.5) * 86400000) AS INTEGER)`;
  const sql =
    provider === "postgresql"
      ? `SELECT COALESCE(json_agg(json_build_array(id, pool_id, address, psid, state, client_id, ipv6_address, softwire_source,
  ${ms("started_at")}, ${ms("expires_at")}, ${ms("quarantine_until")}) ORDER BY id), '[]')::text AS chunk
FROM (SELECT * FROM lease WHERE id > $1 ORDER BY id LIMIT $2) AS l`
      : `SELECT COALESCE(json_group_array(json_array(id, pool_id, address, psid, state, client_id, ipv6_address, softwire_source,
  ${ms("started_at")}, ${ms("expires_at")}, ${ms("quarantine_until")})), '[]') AS chunk
FROM (SELECT * FROM lease WHERE id > ? ORDER BY id LIMIT ?)`;
  return { sql, params: [afterId, limit] };
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
  startedAt: number,
  expiresAt: number,
  quarantineUntil: number | null,
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
    startedAt: row[8],
    expiresAt: row[9],
    quarantineUntil: row[10],
  };
}
