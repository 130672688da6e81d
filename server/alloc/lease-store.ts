import { directConnection, type Database } from "../db";
import type { LeaseRecord } from "./lease-record";
import type { LeaseWrite, WriteOutcome } from "./lease-writer";
import { PostgresLeaseStore } from "./postgres-lease-store";
import { SqliteLeaseStore } from "./sqlite-lease-store";

/**
 * The hot path's persistence: prepared statements on Prisma's own connection (SQLite) or pool
 * (PostgreSQL), since a Prisma query costs 130-250 µs here (toolchain.md §2.5). Everything else
 * (console, start-up, reloads) reads through Prisma.
 */
export interface LeaseStore {
  /** How many group commits may run at once (1: one after the other). */
  readonly concurrentCommits: number;
  /**
   * Writes a group of claims and ends with their history, atomically per write; outcomes in
   * the order of `writes`. A claim the database's rules refuse comes back uncommitted.
   */
  commit(writes: readonly LeaseWrite[]): Promise<WriteOutcome[]>;
  /** Every lease row of one client (lookups of leases other workers made). */
  leasesOfClient(clientId: string): Promise<LeaseRecord[]>;
  /** The lease row of one slot, if any. */
  leaseAtSlot(address: number, psid: number): Promise<LeaseRecord | undefined>;
}

export async function openLeaseStore(db: Database): Promise<LeaseStore> {
  const direct = await directConnection(db);
  return direct.provider === "sqlite" ? new SqliteLeaseStore(direct) : new PostgresLeaseStore(direct.pool);
}
