import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/server/db/migrations";
import { createDatabase } from "@/server/db/client";
import { createEmptyDatabase, testBackends } from "./support/databases";

const backends = await testBackends();

describe.each(backends)("migrations on %s", (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("apply on an empty database, then are up to date, and the schema enforces the slot key", async () => {
    const empty = await createEmptyDatabase(backend);
    cleanups.push(empty.remove);
    const first = await applyMigrations(empty.config);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(empty.config)).toEqual([]);

    const db = await createDatabase(empty.config);
    cleanups.unshift(() => db.$disconnect());
    const pool = await db.pool.create({
      data: { name: "p", kind: "SHARED", firstAddress: 3221225984n, lastAddress: 3221226239n, psidOffset: 6, psidLength: 4, leaseTime: 3600 },
    });
    const now = new Date();
    const lease = { poolId: pool.id, address: 3221225985n, psid: 5, state: "BOUND" as const, startedAt: now, expiresAt: now, lastTransaction: now };
    await db.lease.create({ data: { ...lease, clientId: "ff01" } });
    // The unique (address, PSID) key is what stops two workers granting one port set twice.
    await expect(db.lease.create({ data: { ...lease, clientId: "ff02" } })).rejects.toThrow();
    await db.lease.create({ data: { ...lease, psid: 6, clientId: "ff02" } });
    expect(await db.lease.count()).toBe(2);
    // Addresses above 2^31 survive as unsigned values.
    expect((await db.pool.findUniqueOrThrow({ where: { id: pool.id } })).lastAddress).toBe(3221226239n);
  });
});
