import { slotKey, type LeaseState } from "./lease-record";
import type { ClaimRow, EndRow } from "./lease-sql";
import type { LeaseStore } from "./lease-store";

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

/** Upper bound of writes per transaction: bounds the time one commit holds the event loop (SQLite). */
const MAX_BATCH = 512;

/**
 * Group commit: every write submitted while a transaction runs goes into the next one, so a
 * busy server commits many clients' bindings at once. A write's promise settles only after its
 * transaction committed, and the reply waits for it (architecture.md: an ACK never overtakes
 * its commit). If the transaction fails, every write in it is rejected.
 *
 * Up to `store.concurrentCommits` groups may be committing at once (PostgreSQL: one per pooled
 * connection, its round trips and WAL flushes overlapping); a slot's writes still commit in the
 * order they were submitted, since a group never takes a slot that one in flight holds.
 */
export class LeaseWriter {
  private queue: Pending[] = [];
  /** Slot keys of the groups being committed. */
  private readonly busy = new Set<number>();
  private committing = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Called after each commit (metrics). */
  onCommit?: (size: number, seconds: number) => void;
  /** Called when a commit failed (metrics); its writes are rejected. */
  onFailure?: (error: unknown) => void;

  constructor(private readonly store: LeaseStore) {}

  submit(write: LeaseWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (this.committing < this.store.concurrentCommits && !this.scheduled) {
        this.scheduled = true;
        // Let the packets already read in this turn of the event loop join the group.
        setImmediate(() => {
          this.scheduled = false;
          this.startGroups();
        });
      }
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.committing === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startGroups(): void {
    while (this.committing < this.store.concurrentCommits && this.queue.length > 0) {
      const group = this.takeBatch();
      if (group.pending.length === 0) break; // every waiting write is on a slot in flight
      void this.commit(group);
    }
    if (this.queue.length === 0 && this.committing === 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async commit(group: { pending: Pending[]; keys: number[] }): Promise<void> {
    this.committing++;
    const started = performance.now();
    try {
      const outcomes = await this.store.commit(group.pending.map((p) => p.write));
      group.pending.forEach((p, i) => p.resolve(outcomes[i]!));
      this.onCommit?.(group.pending.length, (performance.now() - started) / 1000);
    } catch (error) {
      this.onFailure?.(error);
      for (const p of group.pending) p.reject(error);
    } finally {
      this.committing--;
      for (const key of group.keys) this.busy.delete(key);
      // What queued meanwhile forms the next group at once.
      this.startGroups();
    }
  }

  /** Up to MAX_BATCH writes, at most one per slot, none on a slot of a group in flight. */
  private takeBatch(): { pending: Pending[]; keys: number[] } {
    const pending: Pending[] = [];
    const keys: number[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const key = p.write.kind === "claim" ? slotKey(p.write.address, p.write.psid) : -p.write.leaseId;
      if (pending.length < MAX_BATCH && !this.busy.has(key)) {
        this.busy.add(key);
        keys.push(key);
        pending.push(p);
      } else {
        rest.push(p);
      }
    }
    this.queue = rest;
    return { pending, keys };
  }
}
