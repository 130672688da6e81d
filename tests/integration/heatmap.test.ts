// The PSID heat map and the pool usage behind the dashboard, through the tRPC caller on a real
// SQLite file and a real PostgreSQL database: cell states and tile counts for a seeded pool
// (bound, offered, quarantined, expired, reserved, excluded slots), the port ranges of a slot,
// limits, and who may read and change what.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createCaller } from "@/server/api/root";
import type { Context } from "@/server/api/trpc";
import { parseIpv4 } from "@/server/alloc/pool-spec";
import { parseThreshold, utilizationThresholds } from "@/server/alloc/pool-usage";
import type { Database } from "@/server/db";
import type { LeaseState } from "@/server/db/generated/sqlite/enums";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";

const backends = await testBackends();

const HOUR = 3_600_000;
const ip = (text: string) => parseIpv4(text)!;

// a = 0, k = 6 (m = 10): PSID p holds ports p·1024 .. p·1024 + 1023 (RFC 7597 App. B.1), so the
// well-known ports exclude PSID 0 and reserved port 8080 excludes PSID 7 (protocol.md §5.5).
const sharedPool = { name: "heat-a", kind: "shared", range: "100.64.0.0-100.64.1.255", psidOffset: 0, psidLength: 6, reservedPorts: ["8080"], leaseTime: 3600 };
// a = 6, k = 4: the port sets of protocol.md §5.3 row 3.
const mapPool = { name: "heat-b", kind: "shared", range: "100.64.3.0-100.64.3.15", psidOffset: 6, psidLength: 4, leaseTime: 3600 };
const dedicatedPool = { name: "heat-d", kind: "dedicated", range: "100.64.2.0/28", leaseTime: 3600 };
// k = 10: 1024 PSIDs per address, so a window holds at most 64 addresses.
const widePool = { name: "heat-k", kind: "shared", range: "100.64.4.0-100.64.4.255", psidOffset: 6, psidLength: 10, leaseTime: 3600 };

/** Admin, viewer and anonymous callers on `db`, as the session middleware would build them. */
async function callers(db: Database) {
  const make = async (username: string, role: "ADMIN" | "VIEWER") => {
    const operator = await db.operator.create({ data: { username, passwordHash: "unused", role } });
    const ctx: Context = { db, operator: { id: operator.id, username, role }, sessionToken: undefined, secure: false };
    return createCaller(ctx);
  };
  const anonymous = createCaller({ db, operator: null, sessionToken: undefined, secure: false });
  return { admin: await make("admin", "ADMIN"), viewer: await make("noc-viewer", "VIEWER"), anonymous };
}

interface LeaseSeed {
  address: string;
  psid: number;
  state: LeaseState;
  /** Expiry relative to now. */
  expires?: number;
  /** Quarantine end relative to now (revoked and declined leases). */
  quarantine?: number;
}

let clientCounter = 0;
async function insertLease(db: Database, poolId: number, seed: LeaseSeed) {
  const now = Date.now();
  return db.lease.create({
    data: {
      poolId,
      address: BigInt(ip(seed.address)),
      psid: seed.psid,
      state: seed.state,
      clientId: `ff00000001000300010200000000${(clientCounter++).toString(16).padStart(4, "0")}`,
      hwAddress: "02:00:00:00:00:01",
      startedAt: new Date(now - HOUR),
      expiresAt: new Date(now + (seed.expires ?? HOUR)),
      quarantineUntil: seed.quarantine === undefined ? null : new Date(now + seed.quarantine),
      lastTransaction: new Date(now - HOUR),
    },
  });
}

/** The counts of tile `index` of a tiles answer, by state name. */
function tileAt(tiles: { states: readonly string[]; counts: string }, index: number): Record<string, number> {
  const bytes = Buffer.from(tiles.counts, "base64");
  const width = tiles.states.length;
  return Object.fromEntries(tiles.states.map((state, s) => [state, bytes.readUInt32LE((index * width + s) * 4)]));
}

/** The state name of cell (address, psid) of a cells answer. */
function cellAt(cells: { first: number; psidCount: number; states: readonly string[]; cells: string }, address: string, psid: number): string {
  const bytes = Buffer.from(cells.cells, "base64");
  return cells.states[bytes[(ip(address) - cells.first) * cells.psidCount + psid]!]!;
}

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe.each(backends)("PSID heat map through tRPC on %s", (backend) => {
  let t: TestDatabase;
  let admin: Awaited<ReturnType<typeof callers>>["admin"];
  let viewer: Awaited<ReturnType<typeof callers>>["viewer"];
  let anonymous: Awaited<ReturnType<typeof callers>>["anonymous"];
  let shared: { id: number };
  let map: { id: number };
  let dedicated: { id: number };
  let wide: { id: number };
  const leaseIds: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    ({ admin, viewer, anonymous } = await callers(t.db));
    shared = await admin.pools.create(sharedPool);
    map = await admin.pools.create(mapPool);
    dedicated = await admin.pools.create(dedicatedPool);
    wide = await admin.pools.create(widePool);
    const seeds: Record<string, LeaseSeed> = {
      bound: { address: "100.64.0.1", psid: 3, state: "BOUND" },
      offered: { address: "100.64.0.1", psid: 4, state: "OFFERED" },
      revoked: { address: "100.64.0.2", psid: 5, state: "REVOKED", quarantine: HOUR },
      declinedOver: { address: "100.64.0.2", psid: 6, state: "DECLINED", expires: -HOUR, quarantine: -60_000 },
      expiredBound: { address: "100.64.0.3", psid: 8, state: "BOUND", expires: -60_000 },
      released: { address: "100.64.0.3", psid: 9, state: "RELEASED", expires: -60_000 },
      // A quarantined lease on a PSID that reserved ports now exclude: the quarantine shows.
      revokedExcluded: { address: "100.64.1.10", psid: 7, state: "REVOKED", quarantine: HOUR },
      bound2: { address: "100.64.1.10", psid: 1, state: "BOUND" },
      // Left outside the range by a shrink, still quarantined: no slot of the pool any more.
      outside: { address: "100.64.5.1", psid: 3, state: "REVOKED", quarantine: HOUR },
    };
    for (const [name, seed] of Object.entries(seeds)) leaseIds[name] = (await insertLease(t.db, shared.id, seed)).id;
    leaseIds.dedicated = (await insertLease(t.db, dedicated.id, { address: "100.64.2.5", psid: 0, state: "BOUND" })).id;
    leaseIds.map = (await insertLease(t.db, map.id, { address: "100.64.3.2", psid: 5, state: "BOUND" })).id;
    await t.db.reservation.createMany({
      data: [
        { poolId: shared.id, clientId: "ffreserved-free", address: BigInt(ip("100.64.0.4")), psid: 10, note: "cpe-4" },
        { poolId: shared.id, clientId: "ffreserved-bound", address: BigInt(ip("100.64.0.1")), psid: 3 },
        { poolId: shared.id, clientId: "ffreserved-excluded", address: BigInt(ip("100.64.1.20")), psid: 0 },
      ],
    });
  });
  afterAll(() => t.drop());

  it("lays out the pool: PSIDs per address, exclusions and why, capacity", async () => {
    const { layout } = await viewer.heatmap.pool({ id: shared.id });
    expect(layout).toMatchObject({
      name: "heat-a",
      kind: "SHARED",
      firstAddress: ip("100.64.0.0"),
      lastAddress: ip("100.64.1.255"),
      addressCount: 512,
      psidCount: 64,
      usablePsidsPerAddress: 62,
      capacity: 512 * 62,
      excludedRuns: [
        { first: 0, last: 0 },
        { first: 7, last: 7 },
      ],
    });
    expect(layout.exclusions).toEqual([
      { psids: "PSID 0", runs: [{ first: 0, last: 0 }], why: "well-known ports 0-1023" },
      { psids: "PSID 7", runs: [{ first: 7, last: 7 }], why: "reserved port 8080" },
    ]);
  });

  it("counts each /24 by cell state, with the same precedence as the cells", async () => {
    const { blocks } = await viewer.heatmap.pool({ id: shared.id });
    expect(blocks).toMatchObject({ unit: 256, first: ip("100.64.0.0"), count: 2 });
    // 100.64.0.0/24: 256 addresses × 64 PSIDs; PSIDs 0 and 7 of every address are excluded.
    expect(tileAt(blocks, 0)).toEqual({ bound: 1, offered: 1, quarantined: 1, reserved: 1, excluded: 512, free: 16384 - 516 });
    // 100.64.1.0/24: the quarantined lease on excluded PSID 7 counts as quarantined, not excluded;
    // the reservation on excluded PSID 0 as excluded.
    expect(tileAt(blocks, 1)).toEqual({ bound: 1, offered: 0, quarantined: 1, reserved: 0, excluded: 511, free: 16384 - 513 });
    expect(blocks.totals).toEqual({ bound: 2, offered: 1, quarantined: 2, reserved: 1, excluded: 1023, free: 32768 - 1029 });
  });

  it("counts each address of a window by cell state", async () => {
    const tiles = await viewer.heatmap.addresses({ id: shared.id, first: ip("100.64.1.0"), count: 256 });
    expect(tiles).toMatchObject({ unit: 1, first: ip("100.64.1.0"), count: 256 });
    expect(tileAt(tiles, 10)).toEqual({ bound: 1, offered: 0, quarantined: 1, reserved: 0, excluded: 1, free: 61 });
    expect(tileAt(tiles, 20)).toEqual({ bound: 0, offered: 0, quarantined: 0, reserved: 0, excluded: 2, free: 62 });
    expect(tileAt(tiles, 0)).toEqual({ bound: 0, offered: 0, quarantined: 0, reserved: 0, excluded: 2, free: 62 });
    // A window that starts before the pool is clipped to it.
    const clipped = await viewer.heatmap.addresses({ id: shared.id, first: ip("100.63.255.250"), count: 10 });
    expect(clipped).toMatchObject({ first: ip("100.64.0.0"), count: 4 });
  });

  it("returns a window of cells, one byte each, and their totals", async () => {
    const cells = await viewer.heatmap.cells({ id: shared.id, first: ip("100.64.0.0"), count: 5 });
    expect(cells).toMatchObject({ first: ip("100.64.0.0"), count: 5, psidCount: 64 });
    expect(Buffer.from(cells.cells, "base64")).toHaveLength(5 * 64);
    expect(cellAt(cells, "100.64.0.1", 3)).toBe("bound"); // reserved too, but bound wins
    expect(cellAt(cells, "100.64.0.1", 4)).toBe("offered");
    expect(cellAt(cells, "100.64.0.2", 5)).toBe("quarantined");
    expect(cellAt(cells, "100.64.0.2", 6)).toBe("free"); // quarantine over
    expect(cellAt(cells, "100.64.0.3", 8)).toBe("free"); // expired, not yet swept
    expect(cellAt(cells, "100.64.0.3", 9)).toBe("free"); // released
    expect(cellAt(cells, "100.64.0.4", 10)).toBe("reserved");
    expect(cellAt(cells, "100.64.0.0", 0)).toBe("excluded");
    expect(cellAt(cells, "100.64.0.4", 7)).toBe("excluded");
    expect(cells.totals).toEqual({ bound: 1, offered: 1, quarantined: 1, reserved: 1, excluded: 10, free: 320 - 14 });

    const second = await viewer.heatmap.cells({ id: shared.id, first: ip("100.64.1.10"), count: 11 });
    expect(cellAt(second, "100.64.1.10", 7)).toBe("quarantined");
    expect(cellAt(second, "100.64.1.10", 1)).toBe("bound");
    expect(cellAt(second, "100.64.1.20", 0)).toBe("excluded");
  });

  it("gives a dedicated pool one cell per address", async () => {
    const { layout, blocks } = await viewer.heatmap.pool({ id: dedicated.id });
    expect(layout).toMatchObject({ kind: "DEDICATED", psidCount: 1, addressCount: 14, capacity: 14, excludedRuns: [], exclusions: [] });
    expect(tileAt(blocks, 0)).toEqual({ bound: 1, offered: 0, quarantined: 0, reserved: 0, excluded: 0, free: 13 });
    const cells = await viewer.heatmap.cells({ id: dedicated.id, first: ip("100.64.2.0"), count: 256 });
    expect(cells).toMatchObject({ first: ip("100.64.2.1"), count: 14, psidCount: 1 });
    expect(cellAt(cells, "100.64.2.5", 0)).toBe("bound");
    expect(cellAt(cells, "100.64.2.6", 0)).toBe("free");
  });

  it("describes one slot: state, port ranges, lease and reservation", async () => {
    const bound = await viewer.heatmap.slot({ id: shared.id, address: ip("100.64.0.1"), psid: 3 });
    expect(bound).toMatchObject({
      addressText: "100.64.0.1",
      psid: 3,
      state: "bound",
      // a = 0: one range, PSID 3 · 1024 .. + 1023.
      ports: { summary: "1 range of 1024 ports, 1024 ports", rangeCount: 1, portCount: 1024, firstRanges: ["3072-4095"], lastRanges: [] },
      excludedBy: [],
      lease: { id: leaseIds.bound, state: "BOUND", holdsSlot: true, hwAddress: "02:00:00:00:00:01" },
      reservation: { clientId: "ffreserved-bound" },
    });
    expect(bound.lease!.clientId).toMatch(/^ff0000/);

    const excluded = await viewer.heatmap.slot({ id: shared.id, address: ip("100.64.1.20"), psid: 0 });
    expect(excluded).toMatchObject({ state: "excluded", excludedBy: ["well-known ports 0-1023"], lease: null, reservation: { note: null } });
    expect((await viewer.heatmap.slot({ id: shared.id, address: ip("100.64.0.9"), psid: 7 })).excludedBy).toEqual(["reserved port 8080"]);

    const over = await viewer.heatmap.slot({ id: shared.id, address: ip("100.64.0.2"), psid: 6 });
    expect(over).toMatchObject({ state: "free", lease: { id: leaseIds.declinedOver, state: "DECLINED", holdsSlot: false } });

    // protocol.md §5.3 row 3: a = 6, k = 4, PSID 5.
    const mapped = await viewer.heatmap.slot({ id: map.id, address: ip("100.64.3.2"), psid: 5 });
    expect(mapped).toMatchObject({
      state: "bound",
      ports: {
        summary: "63 ranges of 64 ports, 4032 ports",
        rangeCount: 63,
        portCount: 4032,
        firstRanges: ["1344-1407", "2368-2431", "3392-3455"],
        lastRanges: ["64832-64895"],
      },
    });

    const whole = await viewer.heatmap.slot({ id: dedicated.id, address: ip("100.64.2.5"), psid: 0 });
    expect(whole).toMatchObject({ psid: null, state: "bound", ports: { portCount: 65536, firstRanges: ["0-65535"] }, lease: { id: leaseIds.dedicated } });
  });

  it("refuses windows outside the pool, too many cells and unknown pools, naming the field", async () => {
    const outside = await failure(viewer.heatmap.cells({ id: shared.id, first: ip("100.65.0.0"), count: 4 }));
    expect(outside.code).toBe("BAD_REQUEST");
    expect(outside.message).toMatch(/lies outside pool "heat-a"/);
    const tooMany = await failure(viewer.heatmap.cells({ id: wide.id, first: ip("100.64.4.0"), count: 65 }));
    expect(tooMany.code).toBe("BAD_REQUEST");
    expect(tooMany.message).toBe("At most 64 addresses of 1024 PSIDs (65536 cells) per request");
    expect((await viewer.heatmap.cells({ id: wide.id, first: ip("100.64.4.0"), count: 64 })).count).toBe(64);
    expect((await failure(viewer.heatmap.cells({ id: shared.id, first: ip("100.64.0.0"), count: 65_537 }))).message).toBe("count: count is at most 65536");
    expect((await failure(viewer.heatmap.slot({ id: shared.id, address: ip("100.64.0.1"), psid: 64 }))).message).toMatch(/PSID 64 is outside 0..63/);
    expect((await failure(viewer.heatmap.slot({ id: shared.id, address: ip("100.64.9.1"), psid: 1 }))).code).toBe("BAD_REQUEST");
    expect((await failure(viewer.heatmap.pool({ id: 9999 }))).code).toBe("NOT_FOUND");
    expect((await failure(viewer.heatmap.cells({ id: shared.id, first: -1, count: 1 }))).message).toMatch(/first: first is not an IPv4 address/);
  });

  it("lets viewers read the heat map and the usage, never change pools; anonymous callers read nothing", async () => {
    expect((await failure(anonymous.heatmap.pool({ id: shared.id }))).code).toBe("UNAUTHORIZED");
    expect((await failure(anonymous.heatmap.slot({ id: shared.id, address: ip("100.64.0.1"), psid: 3 }))).code).toBe("UNAUTHORIZED");
    expect((await failure(anonymous.dashboard.pools())).code).toBe("UNAUTHORIZED");
    const forbidden = [
      viewer.pools.create({ name: "viewer-pool", kind: "dedicated", range: "100.64.9.0/28", leaseTime: 3600 }),
      viewer.pools.update({ id: shared.id, ...sharedPool, leaseTime: 7200 }),
      viewer.pools.setEnabled({ id: shared.id, enabled: false }),
      viewer.pools.delete({ id: dedicated.id, confirm: true }),
    ];
    for (const attempt of forbidden) expect((await failure(attempt)).code).toBe("FORBIDDEN");
    expect(await t.db.pool.count()).toBe(4);
    expect((await t.db.pool.findUniqueOrThrow({ where: { id: shared.id } })).leaseTime).toBe(3600);
  });

  describe("pool usage", () => {
    const saved = { warn: process.env.UTILIZATION_WARN, critical: process.env.UTILIZATION_CRITICAL };
    afterEach(() => {
      for (const [key, value] of [
        ["UTILIZATION_WARN", saved.warn],
        ["UTILIZATION_CRITICAL", saved.critical],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    it("counts slots in use per pool, nearest exhaustion first, with the default thresholds", async () => {
      delete process.env.UTILIZATION_WARN;
      delete process.env.UTILIZATION_CRITICAL;
      const { thresholds, pools } = await viewer.dashboard.pools();
      expect(thresholds).toEqual({ warn: 0.8, critical: 0.9 });
      expect(pools.map((pool) => pool.name)).toEqual(["heat-d", "heat-b", "heat-a", "heat-k"]);
      const [full, map, heat] = pools;
      expect(full).toMatchObject({ kind: "DEDICATED", addressCount: 14, capacity: 14, bound: 1, inUse: 1, level: "ok" });
      expect(full!.utilization).toBeCloseTo(1 / 14);
      expect(map).toMatchObject({ capacity: 16 * 16, bound: 1, inUse: 1 });
      // The reservation of a bound slot and the one on an excluded PSID are not extra slots in use.
      expect(heat).toMatchObject({ capacity: 512 * 62, bound: 2, offered: 1, quarantined: 2, reserved: 1, inUse: 6, level: "ok" });
      expect(heat!.states).toEqual({ OFFERED: 1, BOUND: 3, RELEASED: 1, EXPIRED: 0, DECLINED: 1, REVOKED: 3 });
    });

    it("reads the thresholds from UTILIZATION_WARN and UTILIZATION_CRITICAL", async () => {
      process.env.UTILIZATION_WARN = "5%";
      process.env.UTILIZATION_CRITICAL = "0.07";
      const { thresholds, pools } = await viewer.dashboard.pools();
      expect(thresholds).toEqual({ warn: 0.05, critical: 0.07 });
      expect(pools.find((pool) => pool.name === "heat-d")).toMatchObject({ level: "critical" }); // 1/14 ≈ 7.1 %
      expect(pools.find((pool) => pool.name === "heat-b")).toMatchObject({ level: "ok" }); // 1/256
    });
  });
});

describe("utilization thresholds", () => {
  it("reads percentages and fractions, and keeps the defaults for anything else", () => {
    expect(parseThreshold("80")).toBe(0.8);
    expect(parseThreshold("85.5%")).toBeCloseTo(0.855);
    expect(parseThreshold("0.75")).toBe(0.75);
    expect(parseThreshold("1")).toBe(1);
    for (const bad of ["", "abc", "-5", "0", "150", "80 percent"]) expect(parseThreshold(bad)).toBeNull();
    expect(utilizationThresholds({})).toEqual({ warn: 0.8, critical: 0.9 });
    expect(utilizationThresholds({ UTILIZATION_WARN: "95", UTILIZATION_CRITICAL: "90" })).toEqual({ warn: 0.9, critical: 0.9 });
    expect(utilizationThresholds({ UTILIZATION_WARN: "nope", UTILIZATION_CRITICAL: "97%" })).toEqual({ warn: 0.8, critical: 0.97 });
  });
});
