/**
 * A process-wide signal kept on globalThis: Next.js gives each route bundle its own module
 * instances, so a module-level emitter would not reach the allocator that the worker runs.
 */
export function changeSignal<T>(name: string): { notify(value: T): void; subscribe(listener: (value: T) => void): () => void } {
  const key = Symbol.for(`portshare.signal.${name}`);
  const listeners = () => ((globalThis as { [key: symbol]: Set<(value: T) => void> })[key] ??= new Set());
  return {
    notify: (value) => {
      for (const listener of listeners()) listener(value);
    },
    subscribe: (listener) => {
      listeners().add(listener);
      return () => listeners().delete(listener);
    },
  };
}

/** Leases changed outside the allocator (an operator revoked them): reload these ids. */
export const leaseChanges = changeSignal<readonly number[]>("leases");
