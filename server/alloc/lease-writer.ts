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
 */
export class LeaseWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Called after each commit (metrics). */
  onCommit?: (size: number, seconds: number) => void;
  /** Called when a commit failed (metrics); its writes are rejected. */
  onFailure?: (error: unknown) => void;

  constructor(private readonly store: LeaseStore) {}

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
          const outcomes = await this.store.commit(batch.map((p) => p.write));
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
}
