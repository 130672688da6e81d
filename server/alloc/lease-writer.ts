import type { Database } from "../db";
import { slotKey, type LeaseState } from "./lease-record";
import type { ClaimRow, EndRow, EventRow, LeaseSql } from "./lease-sql";

/** A binding to write: an offer, a new binding, or the refresh of the client's own one. */
export interface SlotClaim extends ClaimRow {
  kind: "claim";
  /** State before, as the allocator knows it (null: no row for the slot); no event when unchanged. */
  fromState: LeaseState | null;
  actor: string;
}

/** The end of a client's live lease. */
export interface LeaseEnd extends EndRow {
  kind: "end";
  fromState: LeaseState;
  actor: string;
  detail?: string;
}

export type LeaseWrite = SlotClaim | LeaseEnd;

/** Committed (with the lease id and start), or refused by the database's rules. */
export type WriteOutcome = { committed: true; leaseId: number; startedAt: Date } | { committed: false };

interface Pending {
  write: LeaseWrite;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Upper bound of writes per transaction (SQLite allows 32766 parameters; a claim uses 11). */
const MAX_BATCH = 512;

/**
 * Group commit: every write submitted while a transaction runs goes into the next one, so a
 * busy server commits many clients' bindings at once. A write's promise settles only after its
 * transaction committed, and the reply waits for it (architecture.md: an ACK never overtakes
 * its commit). If the transaction fails, every write in it is rejected.
 */
export class LeaseWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Called after each commit (metrics). */
  onCommit?: (size: number, seconds: number) => void;
  /** Called when a commit failed (metrics); its writes are rejected. */
  onFailure?: (error: unknown) => void;

  constructor(
    private readonly db: Database,
    private readonly sql: LeaseSql,
  ) {}

  submit(write: LeaseWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the packets already read in this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const started = performance.now();
        try {
          const outcomes = await this.commit(batch.map((p) => p.write));
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
          this.onCommit?.(batch.length, (performance.now() - started) / 1000);
        } catch (error) {
          this.onFailure?.(error);
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** Up to MAX_BATCH writes, at most one per slot (a multi-row upsert may touch a row once). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const slots = new Set<number>();
    for (const p of this.queue) {
      const key = p.write.kind === "claim" ? slotKey(p.write.address, p.write.psid) : -p.write.leaseId;
      if (batch.length < MAX_BATCH && !slots.has(key)) {
        slots.add(key);
        batch.push(p);
      } else {
        rest.push(p);
      }
    }
    this.queue = rest;
    return batch;
  }

  private commit(writes: LeaseWrite[]): Promise<WriteOutcome[]> {
    return this.db.$transaction(async (tx) => {
      const outcomes: WriteOutcome[] = writes.map(() => ({ committed: false }));
      const events: EventRow[] = [];

      const claims = writes.flatMap((w, i) => (w.kind === "claim" ? [{ w, i }] : []));
      if (claims.length > 0) {
        const { sql, params } = this.sql.claimSlots(claims.map(({ w }) => w));
        const rows = await tx.$queryRawUnsafe<{ id: number | bigint; address: number | bigint; psid: number | bigint; started_at: Date | string }[]>(sql, ...params);
        const bySlot = new Map(rows.map((r) => [slotKey(Number(r.address), Number(r.psid)), r]));
        for (const { w, i } of claims) {
          const row = bySlot.get(slotKey(w.address, w.psid));
          if (!row) continue;
          outcomes[i] = { committed: true, leaseId: Number(row.id), startedAt: new Date(row.started_at) };
          if (w.fromState !== w.state) {
            events.push({ leaseId: Number(row.id), at: w.now, fromState: w.fromState, toState: w.state, clientId: w.clientId, actor: w.actor, detail: null });
          }
        }
      }

      const ends = writes.flatMap((w, i) => (w.kind === "end" ? [{ w, i }] : []));
      if (ends.length > 0) {
        const { sql, params } = this.sql.endLeases(ends.map(({ w }) => w));
        const ended = new Set((await tx.$queryRawUnsafe<{ id: number | bigint }[]>(sql, ...params)).map((r) => Number(r.id)));
        for (const { w, i } of ends) {
          if (!ended.has(w.leaseId)) continue;
          outcomes[i] = { committed: true, leaseId: w.leaseId, startedAt: w.now };
          events.push({ leaseId: w.leaseId, at: w.now, fromState: w.fromState, toState: w.state, clientId: w.clientId, actor: w.actor, detail: w.detail ?? null });
        }
      }

      if (events.length > 0) {
        const { sql, params } = this.sql.insertEvents(events);
        await tx.$executeRawUnsafe(sql, ...params);
      }
      return outcomes;
    });
  }
}
