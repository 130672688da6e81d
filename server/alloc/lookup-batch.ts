/**
 * Gathers the lookups asked for in one turn of the event loop and answers them with one query
 * (the read-side twin of the LeaseWriter's group commit): a burst of DISCOVERs from clients this
 * worker has not seen costs one round trip, not one each.
 */
export class LookupBatch<K, V> {
  private waiting = new Map<K, { resolve(value: V): void; reject(error: unknown): void }[]>();
  private scheduled = false;

  /** `run` answers every key it was given (a key it leaves out gets `missing`). */
  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: () => V,
  ) {}

  get(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    try {
      const found = await this.run([...batch.keys()]);
      for (const [key, list] of batch) for (const w of list) w.resolve(found.get(key) ?? this.missing());
    } catch (error) {
      for (const list of batch.values()) for (const w of list) w.reject(error);
    }
  }
}
