// "Pool definitions changed": the console's writes and the pool file tell the allocation
// engine to reload its pools. The signal lives on globalThis under a Symbol.for key (see
// change-signal.ts) because Next.js gives each route bundle its own module instances, while the
// engine runs once per process.

import { changeSignal } from "./change-signal";

/** Which pools were created, changed or deleted; the engine may reload just those. */
export interface PoolChange {
  readonly poolIds: readonly number[];
}

export type PoolChangeListener = (change: PoolChange) => void | Promise<void>;

const signal = changeSignal<PoolChange>("pools");

/**
 * Tells every listener that pool definitions changed. Call it after the transaction committed,
 * never inside it: a listener reloads from the database and must see the change. A failing
 * listener is reported and does not stop the others or the write that notified.
 */
export function notifyPoolsChanged(change: PoolChange = { poolIds: [] }): void {
  signal.notify(change);
}

/** Calls `listener` after every pool change; returns the function that unsubscribes it. */
export function onPoolsChanged(listener: PoolChangeListener): () => void {
  // A wrapper per subscription, so the same function subscribed twice unsubscribes one at a time.
  const guarded = (change: PoolChange) => {
    try {
      const result = listener(change);
      if (result instanceof Promise) result.catch(reportListenerFailure);
    } catch (error) {
      reportListenerFailure(error);
    }
  };
  return signal.subscribe(guarded);
}

function reportListenerFailure(error: unknown): void {
  console.error(`pool change listener failed: ${error instanceof Error ? error.message : String(error)}`);
}
