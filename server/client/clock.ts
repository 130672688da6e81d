/**
 * Time for the client: the wall clock in production, a manual one in tests (so a lease's T1,
 * T2 and expiry can be reached in microseconds). Everything in server/client that waits does
 * it through a Clock; nothing calls setTimeout or Date.now directly.
 */

/** Cancels a timer; calling it twice, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (0 or less: as soon as possible). */
  setTimer(ms: number, fn: () => void): CancelTimer;
}

/** Node's timers; the largest delay setTimeout takes (~24.8 days) is chained past. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const MAX = 0x7fffffff;
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const due = Date.now() + Math.max(0, ms);
    const arm = () => {
      const left = due - Date.now();
      handle = setTimeout(() => {
        if (cancelled) return;
        if (due - Date.now() > 0 && left > MAX) arm();
        else fn();
      }, Math.min(Math.max(0, left), MAX));
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance(ms)` fires every timer that falls due, in
 * order of due time (then of creation), with `now()` set to each timer's due time while it
 * runs; timers set by a firing timer fire in the same advance when they fall due within it.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): CancelTimer {
    const timer: PendingTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Due times of the pending timers, soonest first. */
  pending(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing what falls due. */
  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /** Moves time to `at` (never backwards), firing what falls due. */
  advanceTo(at: number): void {
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.timers) if (t.at <= at && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = Math.max(this.time, at);
  }
}
