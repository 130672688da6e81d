import type pg from "pg";
import type { LeaseRecord, LeaseState } from "./lease-record";
import { CLAIM_UPDATE, CLAIMABLE } from "./lease-sql";
import type { LeaseStore } from "./lease-store";
import type { LeaseWrite, WriteOutcome } from "./lease-writer";
import { LookupBatch } from "./lookup-batch";
import { slotKey } from "./lease-record";

/** Times as epoch milliseconds, so no time zone setting of the driver or the session matters. */
const LEASE_COLUMNS = `id, pool_id, address::float8 AS address, psid, state, client_id, ipv6_address, softwire_source,
  (extract(epoch FROM started_at) * 1000)::float8 AS started_at, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at,
  (extract(epoch FROM quarantine_until) * 1000)::float8 AS quarantine_until`;

interface LeaseRowOut {
  id: number; pool_id: number; address: number; psid: number; state: LeaseState; client_id: string; ipv6_address: string | null;
  softwire_source: boolean; started_at: number; expires_at: number; quarantine_until: number | null;
}

const recordOf = (r: LeaseRowOut): LeaseRecord => ({
  id: r.id, poolId: r.pool_id, address: r.address, psid: r.psid, state: r.state, clientId: r.client_id, ipv6Address: r.ipv6_address,
  softwireSource: r.softwire_source, startedAt: r.started_at, expiresAt: r.expires_at, quarantineUntil: r.quarantine_until,
});

/**
 * Claims with their history in one statement: the rows come in as one JSON parameter, the
 * INSERT … ON CONFLICT decides each claim (CLAIMABLE and the unique (address, psid) key), and
 * the events of the rows written go in by the same statement, so a group commit is one round
 * trip and each claim is atomic with its event.
 */
const CLAIM_SQL = `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(pool_id int, address bigint, psid int, state "LeaseState", client_id text,
    hw_address text, ipv6_address text, softwire_source boolean, relay_info text, started_at timestamp(3),
    expires_at timestamp(3), now timestamp(3), from_state "LeaseState", actor text)
), claimed AS (
  INSERT INTO lease AS lease (pool_id, address, psid, state, client_id, hw_address, ipv6_address, softwire_source, relay_info,
    started_at, expires_at, last_transaction, quarantine_until, updated_at)
  SELECT pool_id, address, psid, state, client_id, hw_address, ipv6_address, softwire_source, relay_info,
    started_at, expires_at, now, NULL, now FROM input
  ON CONFLICT (address, psid) DO UPDATE SET
    ${CLAIM_UPDATE}
  WHERE ${CLAIMABLE}
  RETURNING lease.id, lease.address, lease.psid, lease.started_at
), history AS (
  INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail)
  SELECT c.id, i.now, i.from_state, i.state, i.client_id, i.actor, NULL
  FROM claimed c JOIN input i ON i.address = c.address AND i.psid = c.psid
  WHERE i.from_state IS DISTINCT FROM i.state
)
SELECT id, address::float8 AS address, psid, (extract(epoch FROM started_at) * 1000)::float8 AS started_at FROM claimed`;

/** Ends leases (RELEASED, DECLINED, EXPIRED) while still the client's and live, with their events. */
const END_SQL = `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(lease_id int, client_id text, state "LeaseState", quarantine_until timestamp(3),
    now timestamp(3), from_state "LeaseState", actor text, detail text)
), ended AS (
  UPDATE lease SET state = i.state, quarantine_until = i.quarantine_until, last_transaction = i.now, updated_at = i.now
  FROM input i
  WHERE lease.id = i.lease_id AND lease.client_id = i.client_id AND lease.state IN ('OFFERED', 'BOUND')
    AND (i.state <> 'EXPIRED' OR lease.expires_at <= i.now)
  RETURNING lease.id
), history AS (
  INSERT INTO lease_event (lease_id, at, from_state, to_state, client_id, actor, detail)
  SELECT i.lease_id, i.now, i.from_state, i.state, i.client_id, i.actor, i.detail FROM ended e JOIN input i ON i.lease_id = e.id
)
SELECT id FROM ended`;

/**
 * PostgreSQL: each group commit is one autocommitted statement per kind of write on the pool
 * Prisma uses (named, so prepared once per connection); lookups from one turn of the event
 * loop share one query.
 */
export class PostgresLeaseStore implements LeaseStore {
  /** Groups committing at once, each on its own pooled connection (pg's pool holds 10). */
  readonly concurrentCommits = 4;
  private readonly clientLookups: LookupBatch<string, LeaseRecord[]>;
  private readonly slotLookups: LookupBatch<number, LeaseRecord | undefined>;

  constructor(private readonly pool: pg.Pool) {
    this.clientLookups = new LookupBatch(async (clientIds) => {
      const { rows } = await this.pool.query<LeaseRowOut>({
        name: "lease-by-client",
        text: `SELECT ${LEASE_COLUMNS} FROM lease WHERE client_id = ANY($1::text[]) ORDER BY started_at`,
        values: [clientIds],
      });
      const found = new Map<string, LeaseRecord[]>();
      for (const row of rows) found.set(row.client_id, [...(found.get(row.client_id) ?? []), recordOf(row)]);
      return found;
    }, () => []);
    this.slotLookups = new LookupBatch(async (slots) => {
      const { rows } = await this.pool.query<LeaseRowOut>({
        name: "lease-by-slot",
        text: `SELECT ${LEASE_COLUMNS} FROM lease WHERE (address, psid) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))`,
        values: [slots.map((s) => Math.floor(s / 65536)), slots.map((s) => s % 65536)],
      });
      return new Map(rows.map((row) => [slotKey(row.address, row.psid), recordOf(row)]));
    }, () => undefined);
  }

  async commit(writes: readonly LeaseWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = writes.map(() => ({ committed: false }));
    const claims = writes.flatMap((w, i) => (w.kind === "claim" ? [{ w, i }] : []));
    if (claims.length > 0) {
      const input = claims.map(({ w }) => ({
        pool_id: w.poolId, address: w.address, psid: w.psid, state: w.state, client_id: w.clientId, hw_address: w.hwAddress,
        ipv6_address: w.ipv6Address, softwire_source: w.softwireSource, relay_info: w.relayInfo, started_at: w.startedAt.toISOString(),
        expires_at: w.expiresAt.toISOString(), now: w.now.toISOString(), from_state: w.fromState, actor: w.actor,
      }));
      const { rows } = await this.pool.query<{ id: number; address: number; psid: number; started_at: number }>({ name: "lease-claim", text: CLAIM_SQL, values: [JSON.stringify(input)] });
      const bySlot = new Map(rows.map((r) => [slotKey(r.address, r.psid), r]));
      for (const { w, i } of claims) {
        const row = bySlot.get(slotKey(w.address, w.psid));
        if (row) outcomes[i] = { committed: true, leaseId: row.id, startedAt: new Date(row.started_at) };
      }
    }
    const ends = writes.flatMap((w, i) => (w.kind === "end" ? [{ w, i }] : []));
    if (ends.length > 0) {
      const input = ends.map(({ w }) => ({
        lease_id: w.leaseId, client_id: w.clientId, state: w.state, quarantine_until: w.quarantineUntil?.toISOString() ?? null,
        now: w.now.toISOString(), from_state: w.fromState, actor: w.actor, detail: w.detail ?? null,
      }));
      const { rows } = await this.pool.query<{ id: number }>({ name: "lease-end", text: END_SQL, values: [JSON.stringify(input)] });
      const ended = new Set(rows.map((r) => r.id));
      for (const { w, i } of ends) if (ended.has(w.leaseId)) outcomes[i] = { committed: true, leaseId: w.leaseId, startedAt: w.now };
    }
    return outcomes;
  }

  leasesOfClient(clientId: string): Promise<LeaseRecord[]> {
    return this.clientLookups.get(clientId);
  }

  leaseAtSlot(address: number, psid: number): Promise<LeaseRecord | undefined> {
    return this.slotLookups.get(slotKey(address, psid));
  }
}
