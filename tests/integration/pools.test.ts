// Pool administration through the tRPC caller and the pool file, on a real SQLite file and a
// real PostgreSQL database: overlap, roles, audit, confirmation and revocation, idempotence.
import { writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createCaller } from "@/server/api/root";
import type { Context } from "@/server/api/trpc";
import { leaseChanges } from "@/server/alloc/change-signal";
import { onPoolsChanged, type PoolChange } from "@/server/alloc/pool-changes";
import { PoolFileError, applyPoolFile, loadPoolFile } from "@/server/alloc/pool-file";
import { formatIpv4, parseIpv4, poolInputSchema } from "@/server/alloc/pool-spec";
import { setPoolEnabled } from "@/server/alloc/pools";
import { RuleError } from "@/server/errors/rule-error";
import type { LeaseState } from "@/server/db/generated/sqlite/enums";
import type { Database } from "@/server/db";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";

const backends = await testBackends();
delete process.env.QUARANTINE_SECONDS; // quarantine until the original expiry (quarantine.ts)

const sharedA = { name: "shared-a", kind: "shared", range: "192.0.2.0/24", psidOffset: 6, psidLength: 4, leaseTime: 3600 };
const fullA = { name: "full-a", kind: "dedicated", range: "198.51.100.0/26", leaseTime: 3600 };
const HOUR = 3600_000;

/** Admin and viewer callers on `db`, as the session middleware would build them. */
async function callers(db: Database) {
  const make = async (username: string, role: "ADMIN" | "VIEWER") => {
    const operator = await db.operator.create({ data: { username, passwordHash: "unused", role } });
    const ctx: Context = { db, operator: { id: operator.id, username, role }, sessionToken: undefined, secure: false };
    return createCaller(ctx);
  };
  return { admin: await make("admin", "ADMIN"), viewer: await make("noc-viewer", "VIEWER") };
}

/** A lease row written straight into the table (the allocator's part is not under test here). */
function insertLease(db: Database, poolId: number, address: string, psid: number, state: LeaseState, expiresInMs: number) {
  const now = new Date();
  return db.lease.create({
    data: {
      poolId,
      address: BigInt(parseIpv4(address)!),
      psid,
      state,
      clientId: `ff${address.split(".").join("")}${psid}`,
      startedAt: now,
      expiresAt: new Date(now.getTime() + expiresInMs),
      lastTransaction: now,
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The field a RuleError named (what the console shows the message next to). */
const fieldOf = (error: TRPCError) => (error.cause instanceof RuleError ? error.cause.field : undefined);

function recordChanges() {
  const pools: PoolChange[] = [];
  const leases: (readonly number[])[] = [];
  const stop = [onPoolsChanged((change) => void pools.push(change)), leaseChanges.subscribe((ids) => void leases.push(ids))];
  return { pools, leases, stop: () => stop.forEach((unsubscribe) => unsubscribe()) };
}

describe.each(backends)("pools through tRPC on %s", (backend) => {
  let t: TestDatabase;
  let admin: Awaited<ReturnType<typeof callers>>["admin"];
  let viewer: Awaited<ReturnType<typeof callers>>["viewer"];

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    ({ admin, viewer } = await callers(t.db));
  });
  afterAll(() => t.drop());

  it("creates a shared and a dedicated pool, audited, and signals the allocator", async () => {
    const changes = recordChanges();
    const shared = await admin.pools.create(sharedA);
    const dedicated = await admin.pools.create(fullA);
    changes.stop();
    expect(shared).toMatchObject({ name: "shared-a", kind: "SHARED", firstAddress: parseIpv4("192.0.2.0"), lastAddress: parseIpv4("192.0.2.255"), psidOffset: 6, psidLength: 4 });
    expect(dedicated).toMatchObject({ kind: "DEDICATED", firstAddress: parseIpv4("198.51.100.1"), lastAddress: parseIpv4("198.51.100.62"), renewTime: 1800, rebindTime: 3150 });
    expect(changes.pools).toEqual([{ poolIds: [shared.id] }, { poolIds: [dedicated.id] }]);

    const row = await t.db.pool.findUniqueOrThrow({ where: { id: shared.id } });
    expect(row.firstAddress).toBe(BigInt(parseIpv4("192.0.2.0")!));
    expect(row.subnetMask).toBe(0xffffffffn);

    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "pool.create", target: "shared-a" } });
    expect(audit.actor).toBe("admin");
    expect(audit.before).toBeNull();
    expect(JSON.parse(audit.after!)).toMatchObject({ name: "shared-a", kind: "shared", range: "192.0.2.0-192.0.2.255", psidOffset: 6, psidLength: 4 });
  });

  it("lists pools for viewers with capacity and lease counts, and reads one", async () => {
    const [full, shared] = await viewer.pools.list();
    expect(full).toMatchObject({ name: "full-a", range: "198.51.100.1-198.51.100.62", capacity: 62, liveLeases: 0, quarantinedLeases: 0 });
    expect(shared).toMatchObject({ name: "shared-a", capacity: 4096 });
    const detail = await viewer.pools.get({ id: shared!.id });
    expect(detail.plan).toMatchObject({ addressCount: 256, subscribersPerAddress: 16, portsPerSubscriber: 4032, totalCapacity: 4096 });
    expect(detail.input).toMatchObject({ name: "shared-a", range: "192.0.2.0-192.0.2.255" });
    expect((await failure(viewer.pools.get({ id: 9999 }))).code).toBe("NOT_FOUND");
  });

  it("refuses overlapping ranges of any kind, naming the other pool, and duplicate names", async () => {
    const changes = recordChanges();
    const overlap = await failure(admin.pools.create({ name: "shared-b", kind: "shared", range: "192.0.2.128/26", psidLength: 6, leaseTime: 600 }));
    expect(overlap.code).toBe("CONFLICT");
    expect(overlap.message).toBe('Range 192.0.2.128-192.0.2.191 overlaps pool "shared-a" (192.0.2.0-192.0.2.255)');
    expect(fieldOf(overlap)).toBe("range");
    const acrossKinds = await failure(admin.pools.create({ name: "full-b", kind: "dedicated", range: "192.0.2.250-192.0.3.5", leaseTime: 600 }));
    expect(acrossKinds.message).toBe('Range 192.0.2.250-192.0.3.5 overlaps pool "shared-a" (192.0.2.0-192.0.2.255)');
    const duplicate = await failure(admin.pools.create({ ...sharedA, range: "203.0.113.0/24" }));
    expect([duplicate.code, duplicate.message, fieldOf(duplicate)]).toEqual(["CONFLICT", 'A pool named "shared-a" already exists', "name"]);
    changes.stop();
    expect(changes.pools).toEqual([]);
  });

  it("lets exactly one of several concurrent overlapping creates win; the others get the overlap message", async () => {
    const attempts = await Promise.allSettled(
      [0, 1, 2, 3].map((i) => admin.pools.create({ name: `race-${i}`, kind: "dedicated", range: `203.0.113.${i}-203.0.113.${i + 20}`, leaseTime: 600 })),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: number; name: string }>).value;
    for (const lost of attempts.filter((a) => a.status === "rejected")) {
      expect((lost.reason as TRPCError).message).toMatch(new RegExp(`^Range 203\\.0\\.113\\.\\d-203\\.0\\.113\\.\\d+ overlaps pool "${winner.name}"`));
    }
    await admin.pools.delete({ id: winner.id });
  });

  it("refuses viewers' writes with FORBIDDEN, and invalid input with the field's message", async () => {
    expect((await failure(viewer.pools.create({ ...sharedA, name: "v", range: "203.0.113.0/24" }))).code).toBe("FORBIDDEN");
    const [pool] = await viewer.pools.list();
    expect((await failure(viewer.pools.setEnabled({ id: pool!.id, enabled: false }))).code).toBe("FORBIDDEN");
    expect((await failure(viewer.pools.delete({ id: pool!.id, confirm: true }))).code).toBe("FORBIDDEN");
    expect((await failure(viewer.pools.update({ id: pool!.id, ...fullA }))).code).toBe("FORBIDDEN");

    const invalid = await failure(admin.pools.create({ ...sharedA, name: "x", range: "203.0.113.0/24", psidOffset: 10, psidLength: 8 }));
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(invalid.message).toBe("psidLength: PSID offset 10 plus PSID length 8 exceeds 16 bits");
    const many = await failure(admin.pools.update({ id: pool!.id, ...fullA, range: "198.51.100.0/33", leaseTime: 10 }));
    expect(many.message).toBe('range: Prefix length "33" is not 0..32; leaseTime: Lease time must be at least 60 seconds');
  });

  it("previews while typing: figures for valid input, messages per field otherwise", async () => {
    expect(await viewer.pools.preview({ ...sharedA, reservedPorts: ["5060"] })).toMatchObject({
      ok: true,
      plan: { addressCount: 256, usablePsidsPerAddress: 15, totalCapacity: 3840, exclusions: [expect.any(String), "reserved port 5060: excludes PSID 15 (1 of 16)"] },
    });
    expect(await viewer.pools.preview({ name: "half typed", kind: "shared", range: "192.0.2.", psidOffset: 7, psidLength: 4 })).toEqual({
      ok: false,
      fieldErrors: {
        name: "Name may use letters, digits, dot, dash and underscore",
        range: '"192.0.2." is not an IPv4 address (a dotted quad such as 192.0.2.1)',
        leaseTime: "Lease time is required",
      },
    });
  });

  it("asks for confirmation before a shrink strands live leases, then revokes them with events", async () => {
    const pool = (await admin.pools.list()).find((p) => p.name === "shared-a")!;
    const staying = await insertLease(t.db, pool.id, "192.0.2.10", 1, "BOUND", HOUR);
    const outside = await insertLease(t.db, pool.id, "192.0.2.200", 3, "BOUND", HOUR);
    const expired = await insertLease(t.db, pool.id, "192.0.2.201", 3, "BOUND", -HOUR); // not live: expiry passed
    const shrink = { id: pool.id, ...sharedA, range: "192.0.2.0/25" };

    const refused = await failure(admin.pools.update(shrink));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe("1 live lease would be affected (outside the new range); confirm to revoke it and save the change");
    expect(fieldOf(refused)).toBe("range");
    expect((await t.db.pool.findUniqueOrThrow({ where: { id: pool.id } })).lastAddress).toBe(BigInt(parseIpv4("192.0.2.255")!));

    const changes = recordChanges();
    const updated = await admin.pools.update({ ...shrink, confirm: true });
    changes.stop();
    expect(updated.revokedLeases).toBe(1);
    expect(formatIpv4(updated.pool.lastAddress)).toBe("192.0.2.127");
    expect(changes.pools).toEqual([{ poolIds: [pool.id] }]);
    expect(changes.leases).toEqual([[outside.id]]);

    const revoked = await t.db.lease.findUniqueOrThrow({ where: { id: outside.id }, include: { events: true } });
    expect(revoked.state).toBe("REVOKED");
    expect(revoked.quarantineUntil?.getTime()).toBe(outside.expiresAt.getTime());
    expect(revoked.events).toEqual([
      expect.objectContaining({ fromState: "BOUND", toState: "REVOKED", actor: "operator:admin", detail: "pool shrunk", clientId: outside.clientId }),
    ]);
    expect((await t.db.lease.findUniqueOrThrow({ where: { id: staying.id } })).state).toBe("BOUND");
    expect((await t.db.lease.findUniqueOrThrow({ where: { id: expired.id } })).state).toBe("BOUND");

    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "pool.update", target: "shared-a" }, orderBy: { id: "desc" } });
    expect(JSON.parse(audit.before!)).toMatchObject({ range: "192.0.2.0-192.0.2.255" });
    expect(JSON.parse(audit.after!)).toMatchObject({ range: "192.0.2.0-192.0.2.127", revokedLeases: 1 });
    expect((await viewer.pools.list()).find((p) => p.id === pool.id)).toMatchObject({ liveLeases: 2 - 1, quarantinedLeases: 1 });
  });

  it("keeps a quarantined slot out of a new pool's range until the quarantine ends", async () => {
    const refused = await failure(admin.pools.create({ name: "shared-b", kind: "shared", range: "192.0.2.128/25", psidLength: 4, leaseTime: 600 }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/^Range 192\.0\.2\.128-192\.0\.2\.255 holds 1 slot still held by leases of pool "shared-a" \(revoked or live, until .+\); they come free when those leases end$/);
    expect(fieldOf(refused)).toBe("range");
  });

  it("counts PSIDs that new reserved ports exclude, and a new layout strands every live lease", async () => {
    const pool = (await admin.pools.list()).find((p) => p.name === "shared-a")!;
    const base = { id: pool.id, ...sharedA, range: "192.0.2.0/25" };
    // a = 6, k = 4: m = 6, so port 1100 = 1024 + 76 is in PSID 76 >> 6 = 1, the live lease's PSID.
    const reserved = await failure(admin.pools.update({ ...base, reservedPorts: ["1100"] }));
    expect([reserved.message, fieldOf(reserved)]).toEqual(["1 live lease would be affected (on PSIDs the new port exclusions remove); confirm to revoke it and save the change", "reservedPorts"]);
    expect((await admin.pools.update({ ...base, reservedPorts: ["1300"] })).revokedLeases).toBe(0); // PSID 4: nobody there
    const layout = await failure(admin.pools.update({ ...base, psidLength: 5 }));
    expect([layout.message, fieldOf(layout)]).toEqual(["1 live lease would be affected (a new PSID layout changes every port set); confirm to revoke it and save the change", "psidLength"]);
    const unchanged = await admin.pools.update({ ...base, reservedPorts: ["1300"] });
    expect(unchanged.pool.updatedAt).toEqual((await t.db.pool.findUniqueOrThrow({ where: { id: pool.id } })).updatedAt);
  });

  it("disables and enables, audited", async () => {
    const pool = (await admin.pools.list()).find((p) => p.name === "full-a")!;
    expect((await admin.pools.setEnabled({ id: pool.id, enabled: false })).enabled).toBe(false);
    expect((await admin.pools.setEnabled({ id: pool.id, enabled: true })).enabled).toBe(true);
    const actions = await t.db.auditLog.findMany({ where: { target: "full-a", action: { in: ["pool.enable", "pool.disable"] } }, orderBy: { id: "asc" } });
    expect(actions.map((a) => [a.action, a.before, a.after])).toEqual([
      ["pool.disable", '{"enabled":true}', '{"enabled":false}'],
      ["pool.enable", '{"enabled":false}', '{"enabled":true}'],
    ]);
  });

  it("deletes a pool with live leases only with confirmation; disables it while revoked slots are quarantined", async () => {
    const pool = (await admin.pools.list()).find((p) => p.name === "full-a")!;
    const first = await insertLease(t.db, pool.id, "198.51.100.5", 0, "BOUND", HOUR);
    const second = await insertLease(t.db, pool.id, "198.51.100.6", 0, "OFFERED", 60_000);
    const released = await insertLease(t.db, pool.id, "198.51.100.7", 0, "RELEASED", -HOUR);
    await t.db.leaseEvent.create({ data: { leaseId: released.id, toState: "RELEASED", clientId: released.clientId, actor: "client:RELEASE" } });
    await t.db.reservation.create({ data: { poolId: pool.id, clientId: "ffreserved", address: BigInt(parseIpv4("198.51.100.9")!) } });

    const refused = await failure(admin.pools.delete({ id: pool.id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe('2 live leases would be affected; confirm to revoke them and delete pool "full-a"');

    const disabled = await admin.pools.delete({ id: pool.id, confirm: true });
    expect(disabled).toMatchObject({ outcome: "disabled", revokedLeases: 2, quarantinedSlots: 2 });
    if (disabled.outcome !== "disabled") throw new Error("expected a disabled pool");
    expect(disabled.quarantinedUntil.getTime()).toBe(first.expiresAt.getTime());
    expect(disabled.message).toContain('Pool "full-a" was disabled, not deleted: 2 addresses stay in quarantine until');
    expect((await t.db.pool.findUniqueOrThrow({ where: { id: pool.id } })).enabled).toBe(false);
    const events = await t.db.leaseEvent.findMany({ where: { leaseId: { in: [first.id, second.id] } }, orderBy: { leaseId: "asc" } });
    expect(events.map((e) => [e.fromState, e.toState, e.actor, e.detail])).toEqual([
      ["BOUND", "REVOKED", "operator:admin", "pool deleted"],
      ["OFFERED", "REVOKED", "operator:admin", "pool deleted"],
    ]);
    // The disabled pool keeps its range claimed.
    expect((await failure(admin.pools.create({ ...fullA, name: "full-b" }))).message).toBe('Range 198.51.100.1-198.51.100.62 overlaps pool "full-a" (198.51.100.1-198.51.100.62)');

    // Once the quarantine is over, the delete goes through with the rows, history and reservations.
    await t.db.lease.updateMany({ where: { poolId: pool.id, state: "REVOKED" }, data: { quarantineUntil: new Date(Date.now() - 1000) } });
    const deleted = await admin.pools.delete({ id: pool.id });
    expect(deleted).toMatchObject({ outcome: "deleted", revokedLeases: 0, removedLeaseRows: 3, removedReservations: 1 });
    expect(await t.db.pool.findUnique({ where: { id: pool.id } })).toBeNull();
    expect(await t.db.lease.count({ where: { poolId: pool.id } })).toBe(0);
    expect(await t.db.leaseEvent.count({ where: { leaseId: { in: [first.id, second.id, released.id] } } })).toBe(0);
    const audits = await t.db.auditLog.findMany({ where: { action: "pool.delete", target: "full-a" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => JSON.parse(a.after!).outcome)).toEqual(["disabled", "deleted"]);
    expect(JSON.parse(audits[1]!.before!)).toMatchObject({ name: "full-a", kind: "dedicated" });
  });

  it("deletes a pool without leases at once", async () => {
    const pool = await admin.pools.create({ ...fullA, name: "spare", range: "203.0.113.0/28" });
    expect(await admin.pools.delete({ id: pool.id })).toMatchObject({ outcome: "deleted", removedLeaseRows: 0 });
    expect((await failure(admin.pools.delete({ id: pool.id }))).code).toBe("NOT_FOUND");
  });

  it("stops calling a listener once it unsubscribed, and survives a failing one", async () => {
    const seen: PoolChange[] = [];
    const unsubscribe = onPoolsChanged((change) => void seen.push(change));
    const stopFailing = onPoolsChanged(() => {
      throw new Error("listener bug");
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const pool = await admin.pools.create({ ...fullA, name: "spare-2", range: "203.0.113.16/28" });
      unsubscribe();
      await admin.pools.delete({ id: pool.id });
      expect(seen).toEqual([{ poolIds: [pool.id] }]);
      expect(errors).toHaveLength(2);
    } finally {
      console.error = original;
      stopFailing();
    }
  });
});

describe.each(backends)("the pool file on %s", (backend) => {
  let t: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), "portshare-pools-"));
  const file = (name: string, content: string) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };
  const log = () => {
    const lines: string[] = [];
    return { lines, info: (line: string) => void lines.push(line) };
  };

  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t.drop());

  const example = '{"pools":[{"name":"shared-a","kind":"shared","range":"192.0.2.0/24","psidOffset":6,"psidLength":4,"leaseTime":3600},{"name":"full-a","kind":"dedicated","range":"198.51.100.0/26","leaseTime":3600}]}';

  it("creates the pools of the example file, then changes nothing on a second run", async () => {
    const path1 = file("pools.json", example);
    const loaded = await loadPoolFile(path1);
    expect(loaded.pools.map((entry) => entry.spec.name)).toEqual(["shared-a", "full-a"]);

    const changes = recordChanges();
    const first = log();
    expect(await applyPoolFile(t.db, loaded, first)).toEqual({ created: ["shared-a", "full-a"], updated: [], unchanged: [], notInFile: [], revokedLeases: 0 });
    expect(first.lines).toEqual([
      `pool file ${path1}: created pool "shared-a" (shared, 192.0.2.0-192.0.2.255)`,
      `pool file ${path1}: created pool "full-a" (dedicated, 198.51.100.1-198.51.100.62)`,
    ]);
    const audits = await t.db.auditLog.findMany({ where: { action: "pool.create" } });
    expect(audits.map((a) => [a.actor, a.operatorId, a.target])).toEqual([
      ["system:pool-file", null, "shared-a"],
      ["system:pool-file", null, "full-a"],
    ]);
    const updatedAt = (await t.db.pool.findMany({ orderBy: { id: "asc" } })).map((p) => p.updatedAt.getTime());

    const second = log();
    expect(await applyPoolFile(t.db, await loadPoolFile(path1), second)).toMatchObject({ created: [], updated: [], unchanged: ["shared-a", "full-a"] });
    expect(second.lines).toEqual([`pool file ${path1}: pool "shared-a" is unchanged`, `pool file ${path1}: pool "full-a" is unchanged`]);
    expect(await t.db.auditLog.count()).toBe(2);
    expect((await t.db.pool.findMany({ orderBy: { id: "asc" } })).map((p) => p.updatedAt.getTime())).toEqual(updatedAt);
    changes.stop();
    expect(changes.pools).toHaveLength(1);
    expect(changes.pools[0]!.poolIds).toHaveLength(2);
  });

  it("updates what differs, keeps a pool an operator disabled, and leaves pools missing from the file alone", async () => {
    const shared = await t.db.pool.findUniqueOrThrow({ where: { name: "shared-a" } });
    await setPoolEnabled(t.db, { id: 1, username: "noc" }, shared.id, false);
    const extra = poolInputSchema.parse({ name: "extra", kind: "dedicated", range: "203.0.113.0/28", leaseTime: 600 });
    await t.db.pool.create({ data: { name: extra.name, kind: extra.kind, firstAddress: BigInt(extra.firstAddress), lastAddress: BigInt(extra.lastAddress), leaseTime: 600 } });

    const changed = file("changed.json", example.replace('"range":"198.51.100.0/26","leaseTime":3600', '"range":"198.51.100.0/26","leaseTime":7200'));
    const lines = log();
    const outcome = await applyPoolFile(t.db, await loadPoolFile(changed), lines);
    expect(outcome).toMatchObject({ created: [], updated: ["full-a"], unchanged: ["shared-a"], notInFile: ["extra"] });
    expect(lines.lines).toEqual([
      `pool file ${changed}: pool "shared-a" is unchanged`,
      `pool file ${changed}: updated pool "full-a" (leaseTime, renewTime, rebindTime)`,
      `pool file ${changed}: pool "extra" is not in the file; left as it is (the pool file never deletes pools)`,
    ]);
    expect((await t.db.pool.findUniqueOrThrow({ where: { name: "shared-a" } })).enabled).toBe(false);
    expect((await t.db.pool.findUniqueOrThrow({ where: { name: "full-a" } })).leaseTime).toBe(7200);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "pool.update", target: "full-a" } });
    expect([audit.actor, JSON.parse(audit.before!).leaseTime, JSON.parse(audit.after!).leaseTime]).toEqual(["system:pool-file", 3600, 7200]);

    // "enabled" written in the file wins.
    const enabling = file("enabling.json", example.replace('"leaseTime":3600},{', '"leaseTime":3600,"enabled":true},{').replace('"leaseTime":3600}]', '"leaseTime":7200}]'));
    expect(await applyPoolFile(t.db, await loadPoolFile(enabling), log())).toMatchObject({ updated: ["shared-a"], unchanged: ["full-a"] });
    expect((await t.db.pool.findUniqueOrThrow({ where: { name: "shared-a" } })).enabled).toBe(true);
  });

  it("refuses a change that would revoke live leases, all or nothing", async () => {
    const shared = await t.db.pool.findUniqueOrThrow({ where: { name: "shared-a" } });
    await insertLease(t.db, shared.id, "192.0.2.200", 2, "BOUND", HOUR);
    const shrinking = file(
      "shrink.json",
      '{"pools":[{"name":"new-pool","kind":"dedicated","range":"203.0.113.64/28","leaseTime":600},{"name":"shared-a","kind":"shared","range":"192.0.2.0/25","psidLength":4,"leaseTime":3600}]}',
    );
    const error = await applyPoolFile(t.db, await loadPoolFile(shrinking), log()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolFileError);
    expect((error as PoolFileError).message).toBe(
      `Pool file ${shrinking}: pools[1] "shared-a": range: 1 live leases would be revoked; make this change in the console, where it can be confirmed, or apply the file with confirm`,
    );
    expect(await t.db.pool.findUnique({ where: { name: "new-pool" } })).toBeNull();

    const confirmed = await applyPoolFile(t.db, await loadPoolFile(shrinking), log(), { confirm: true });
    expect(confirmed).toMatchObject({ created: ["new-pool"], updated: ["shared-a"], revokedLeases: 1 });
    const event = await t.db.leaseEvent.findFirstOrThrow({ where: { toState: "REVOKED" } });
    expect([event.actor, event.detail]).toEqual(["system:pool-file", "pool shrunk"]);
  });

  it("names the pool and the field in every problem of an invalid file", async () => {
    const invalid = file(
      "invalid.json",
      JSON.stringify({
        pools: [
          { name: "ok", kind: "dedicated", range: "203.0.113.128/28", leaseTime: 600 },
          { name: "full-a", kind: "dedicated", range: "198.51.100.0/33", leaseTime: 3600 },
          { name: "shared-x", kind: "shared", range: "203.0.113.0/24", psidOffset: 10, psidLength: 8, leaseTime: 3600, leasetime: 5 },
          { kind: "dedicated", range: "203.0.113.0/24", leaseTime: 3600 },
          { name: "ok", kind: "shared", range: "203.0.113.136/29", psidLength: 2, leaseTime: 600 },
        ],
      }),
    );
    const error = await loadPoolFile(invalid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolFileError);
    expect((error as PoolFileError).problems).toEqual([
      'pools[1] "full-a": range: Prefix length "33" is not 0..32',
      'pools[2] "shared-x": Unknown field "leasetime"',
      'pools[2] "shared-x": psidLength: PSID offset 10 plus PSID length 8 exceeds 16 bits',
      "pools[3]: name: Name is required",
      'pools[4] "ok": name: pools[0] "ok" has the same name',
    ]);
    expect((error as PoolFileError).message).toMatch(new RegExp(`^Pool file ${invalid.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: 5 problems:\n  pools\\[1\\] "full-a": range: `));

    const overlapping = file(
      "overlap.json",
      '{"pools":[{"name":"a","kind":"dedicated","range":"203.0.113.0/25","leaseTime":600},{"name":"b","kind":"shared","range":"203.0.113.100-203.0.113.200","psidLength":2,"leaseTime":600}]}',
    );
    expect(((await loadPoolFile(overlapping).catch((e: unknown) => e)) as PoolFileError).problems).toEqual([
      'pools[1] "b": range: Range 203.0.113.100-203.0.113.200 overlaps pools[0] "a" (203.0.113.1-203.0.113.126)',
    ]);
    const badLayout = file("layout.json", '{"pools":[{"name":"s","kind":"shared","range":"203.0.113.0/24","psidOffset":10,"psidLength":8,"leaseTime":600}]}');
    expect(((await loadPoolFile(badLayout).catch((e: unknown) => e)) as PoolFileError).message).toBe(
      `Pool file ${badLayout}: pools[0] "s": psidLength: PSID offset 10 plus PSID length 8 exceeds 16 bits`,
    );

    for (const [content, problem] of [
      ["{not json", /^is not valid JSON: /],
      ['{"pool": []}', /^unknown top-level field "pool"; the file holds \{"pools": \[ ... \]\}$/],
      ["[]", /^is not a JSON object/],
      ['{"pools": {}}', /^"pools" is missing or not a list/],
    ] as const) {
      const error2 = (await loadPoolFile(file("bad.json", content)).catch((e: unknown) => e)) as PoolFileError;
      expect(error2.problems[0]).toMatch(problem);
    }
    expect(((await loadPoolFile(path.join(dir, "missing.json")).catch((e: unknown) => e)) as PoolFileError).problems).toEqual(["cannot be read (ENOENT)"]);
  });

  it("refuses, without applying anything, a file whose pool overlaps one in the database", async () => {
    const clash = file("clash.json", '{"pools":[{"name":"fresh","kind":"dedicated","range":"203.0.113.160/28","leaseTime":600},{"name":"other","kind":"dedicated","range":"192.0.2.64/26","leaseTime":600}]}');
    const error = (await applyPoolFile(t.db, await loadPoolFile(clash), log()).catch((e: unknown) => e)) as PoolFileError;
    expect(error.problems).toEqual(['pools[1] "other": range: Range 192.0.2.65-192.0.2.126 overlaps pool "shared-a" (192.0.2.0-192.0.2.127)']);
    expect(await t.db.pool.findUnique({ where: { name: "fresh" } })).toBeNull();
  });
});
