/** What the dashboard's last-hour chart counts per minute. */
export interface TrafficCounts {
  offers: number;
  acks: number;
  naks: number;
  drops: number;
}

export type TrafficKind = keyof TrafficCounts;

/**
 * Per-minute exchange counts of this process, kept until they are written to the database
 * (server/main/traffic-flush.ts). On globalThis like the other process-wide state.
 */
class TrafficBuckets {
  private readonly buckets = new Map<number, TrafficCounts>();

  count(kind: TrafficKind, at = Date.now()): void {
    const minute = Math.floor(at / 60_000) * 60_000;
    let bucket = this.buckets.get(minute);
    if (!bucket) this.buckets.set(minute, (bucket = { offers: 0, acks: 0, naks: 0, drops: 0 }));
    bucket[kind]++;
  }

  /** Takes the counts gathered so far (all minutes, the current one included), leaving none. */
  drain(): { minute: Date; counts: TrafficCounts }[] {
    const out = [...this.buckets].map(([minute, counts]) => ({ minute: new Date(minute), counts }));
    this.buckets.clear();
    return out;
  }
}

const KEY = Symbol.for("portshare.traffic");

export function traffic(): TrafficBuckets {
  const holder = globalThis as { [KEY]?: TrafficBuckets };
  return (holder[KEY] ??= new TrafficBuckets());
}
