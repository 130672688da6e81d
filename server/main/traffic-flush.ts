import type { Database } from "../db";
import { traffic } from "../metrics/traffic";

const FLUSH_MS = 15_000;
const KEEP_DAYS = 7;

/**
 * Writes this worker's per-minute counts to traffic_minute every 15 s (adding to the row of that
 * minute), and prunes rows older than a week. Returns the function that flushes one last time.
 */
export function startTrafficFlush(db: Database, workerId: string, log: { warn(message: string): void }): () => Promise<void> {
  const flush = async () => {
    const drained = traffic().drain();
    try {
      for (const { minute, counts } of drained) {
        await db.trafficMinute.upsert({
          where: { workerId_minute: { workerId, minute } },
          create: { workerId, minute, ...counts },
          update: {
            offers: { increment: counts.offers },
            acks: { increment: counts.acks },
            naks: { increment: counts.naks },
            drops: { increment: counts.drops },
          },
        });
      }
      await db.trafficMinute.deleteMany({ where: { minute: { lt: new Date(Date.now() - KEEP_DAYS * 86_400_000) } } });
    } catch (error) {
      // The chart is a convenience: a database outage costs its points, never the worker.
      log.warn(`traffic counts not saved: ${error instanceof Error ? error.message : error}`);
    }
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await flush();
  };
}
