// Start-up of the allocator on a big lease table: how long the index rebuild takes and how much
// memory the index and the live lease set cost. Seeds a temporary SQLite file with N bound
// leases in a /16 shared pool of PSID length 6 (4,194,304 port sets).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { Allocator } from "../../server/alloc/allocator";
import { createDatabase } from "../../server/db/client";
import { resolveDatabaseConfig } from "../../server/db/config";
import { applyMigrations } from "../../server/db/migrations";

const FIRST = (10 << 24) | (64 << 16); // 10.64.0.0

export async function runStartupBench(leases: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(tmpdir(), "portshare-startup-"));
  try {
    const config = resolveDatabaseConfig(`file:${path.join(dir, "startup.db")}`);
    await applyMigrations(config);
    if (config.provider !== "sqlite") throw new Error("startup bench runs on SQLite");
    seed(config.file, leases);

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const db = await createDatabase(config);
    const started = performance.now();
    const allocator = await Allocator.start({ db, provider: "sqlite", workerId: "bench", sweepIntervalSeconds: 3600 });
    const seconds = (performance.now() - started) / 1000;
    global.gc?.();
    const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const rssMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const usage = allocator.poolUsage()[0]!;
    const indexMiB = ((usage.slots / 8) * (1 + 1 / 32)) / 2 ** 20;
    await allocator.stop();
    await db.$disconnect();

    console.log(`\nAllocator start-up with ${leases.toLocaleString("en")} bound leases in a ${usage.slots.toLocaleString("en")}-slot pool (SQLite):`);
    console.log(`  ready in ${seconds.toFixed(2)} s; free-slot index ${indexMiB.toFixed(2)} MiB; heap growth ${heapMiB.toFixed(0)} MiB (index + live lease set); RSS growth ${rssMiB.toFixed(0)} MiB`);
    console.log(`  slots taken after load: ${usage.taken.toLocaleString("en")}`);
    return { leases, seconds: +seconds.toFixed(3), indexMiB: +indexMiB.toFixed(2), heapMiB: Math.round(heapMiB), rssMiB: Math.round(rssMiB) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the pool and N bound leases straight into the file (seeding only; the product writes through Prisma). */
function seed(file: string, leases: number): void {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const now = new Date();
  const iso = (d: Date) => `${d.toISOString().slice(0, -1)}+00:00`;
  db.prepare(
    `INSERT INTO pool (name, kind, first_address, last_address, psid_offset, psid_length, lease_time, renew_time, rebind_time, created_at, updated_at)
     VALUES ('startup', 'SHARED', ?, ?, 6, 6, 3600, 1800, 3150, ?, ?)`,
  ).run(FIRST, FIRST + 65535, iso(now), iso(now));
  const insert = db.prepare(
    `INSERT INTO lease (pool_id, address, psid, state, client_id, started_at, expires_at, last_transaction, updated_at)
     VALUES (1, ?, ?, 'BOUND', ?, ?, ?, ?, ?)`,
  );
  const start = iso(now);
  const expires = iso(new Date(now.getTime() + 3600_000));
  db.transaction(() => {
    for (let i = 0; i < leases; i++) {
      // 63 usable PSIDs per address (PSID 0 holds no well-known ports at a = 6; all 64 are usable).
      insert.run(FIRST + Math.floor(i / 64), i % 64, `ff00000001000300010250${i.toString(16).padStart(8, "0")}`, start, expires, start, start);
    }
  })();
  db.close();
}
