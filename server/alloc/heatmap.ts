// The PSID heat map of a pool (protocol.md §10, "Pool view: per IPv4 address the PSID occupancy
// map"): what each slot (address × PSID) is doing, for the console to draw.
//
// Three zoom levels, each computed here, never by shipping every lease to the browser:
// - tiles per /24 of the pool and tiles per address: counts per cell state, from SQL GROUP BY
//   (one grouped query over the lease table and one over the reservations, whatever the size);
// - a window of cells (addresses × PSIDs): one byte per cell, base64, at most MAX_HEATMAP_CELLS;
// - one slot: its port ranges (server/psid), its lease and reservation, for the tooltip.
//
// A cell's state, strongest first: a live lease (bound or offered, RFC 2131) > a quarantined one
// (revoked or declined, kept out of allocation until quarantineUntil; architecture.md) > a PSID
// the pool never hands out (its port set touches the well-known or reserved ports, RFC 7618 §8,
// protocol.md §5.5) > a reservation > free. Tile counts follow the same precedence, so the cells
// of a tile always add up to its counts.

import type { Database } from "../db";
import { Prisma } from "../db/generated/sqlite/client";
import { RuleError } from "../errors/rule-error";
import {
  describePortExclusion,
  exclusionCausesOf,
  formatPortRange,
  formatPsidRuns,
  isUsablePsid,
  portRangeAt,
  portRangeCount,
  portsPerPsid,
  type PsidRun,
  type UsablePsids,
} from "../psid";
import { formatAddressRange, formatIpv4, poolUsablePsids, type Pool } from "./pool-spec";
import { getPool } from "./pools";

/** Cell states in byte order: cell byte i means HEAT_STATES[i]. */
export const HEAT_STATES = ["free", "offered", "bound", "quarantined", "reserved", "excluded"] as const;
export type HeatState = (typeof HEAT_STATES)[number];

const FREE = 0;
const OFFERED = 1;
const BOUND = 2;
const QUARANTINED = 3;
const RESERVED = 4;
const EXCLUDED = 5;
const STATE_COUNT = HEAT_STATES.length;

/** Most cells one window holds (one byte each): 256 addresses × 256 PSIDs, or 1 × 65536. */
export const MAX_HEATMAP_CELLS = 65_536;
/** Most tiles one request returns (a /8 of /24 tiles). */
export const MAX_HEATMAP_TILES = 65_536;
/** Addresses per block tile: a /24. */
export const BLOCK_SIZE = 256;

export type HeatCounts = Record<HeatState, number>;

/** Which PSIDs of every address of the pool are never handed out, and why (protocol.md §5.5). */
export interface HeatExclusion {
  /** "PSIDs 0-15". */
  readonly psids: string;
  readonly runs: readonly PsidRun[];
  /** "well-known ports 0-1023". */
  readonly why: string;
}

/** What the console needs to lay out and label a pool's heat map. */
export interface HeatmapLayout {
  readonly poolId: number;
  readonly name: string;
  readonly kind: Pool["kind"];
  readonly enabled: boolean;
  readonly firstAddress: number;
  readonly lastAddress: number;
  /** "192.0.2.0-192.0.2.255". */
  readonly range: string;
  readonly addressCount: number;
  /** RFC 7597 §5.1 a and k; 0 and 0 for a dedicated pool. */
  readonly psidOffset: number;
  readonly psidLength: number;
  /** Cells per address: 2^k, or 1 for a dedicated pool. */
  readonly psidCount: number;
  readonly usablePsidsPerAddress: number;
  /** Slots the pool can lease: addresses × usable PSIDs. */
  readonly capacity: number;
  /** Union of the excluded PSIDs, ascending runs. */
  readonly excludedRuns: readonly PsidRun[];
  /** Each exclusion that removes PSIDs, with its cause. */
  readonly exclusions: readonly HeatExclusion[];
  readonly maxCells: number;
}

/** Counts per cell state for consecutive tiles (a tile is a /24 or one address). */
export interface HeatTiles {
  /** Addresses per tile: 256 (a /24) or 1. */
  readonly unit: number;
  /** The first tile's first address (a multiple of `unit`; may lie before the pool's start). */
  readonly first: number;
  readonly count: number;
  /** The cell states counted, in order (HEAT_STATES). */
  readonly states: readonly HeatState[];
  /** count × states.length unsigned 32-bit little-endian integers, base64: tile t, state s at t × states.length + s. */
  readonly counts: string;
  /** The same counts added up over the tiles. */
  readonly totals: HeatCounts;
}

/** A window of cells: rows of addresses, each of `psidCount` cells. */
export interface HeatCells {
  readonly first: number;
  /** Addresses in the window. */
  readonly count: number;
  readonly psidCount: number;
  readonly states: readonly HeatState[];
  /** count × psidCount bytes, base64: address first + i, PSID p at i × psidCount + p; byte = index into `states`. */
  readonly cells: string;
  readonly totals: HeatCounts;
}

/** One slot, for the heat map's tooltip and its link to the lease. */
export interface HeatSlot {
  readonly address: number;
  readonly addressText: string;
  /** Null for a dedicated pool (the whole address). */
  readonly psid: number | null;
  readonly state: HeatState;
  readonly ports: {
    /** "63 ranges of 64 ports, 4032 ports". */
    readonly summary: string;
    readonly rangeCount: number;
    readonly portCount: number;
    /** The first ranges ("1344-1407") and the last one, or every range when they are few. */
    readonly firstRanges: readonly string[];
    readonly lastRanges: readonly string[];
  };
  /** Why the PSID is never handed out; empty when it is usable. */
  readonly excludedBy: readonly string[];
  /** The lease row of the slot (its latest binding), also when it no longer holds the slot. */
  readonly lease: {
    readonly id: number;
    readonly state: string;
    readonly clientId: string;
    readonly hwAddress: string | null;
    readonly ipv6Address: string | null;
    readonly startedAt: Date;
    readonly expiresAt: Date;
    readonly quarantineUntil: Date | null;
    /** Whether it holds the slot now (live, or in quarantine). */
    readonly holdsSlot: boolean;
  } | null;
  readonly reservation: { readonly id: number; readonly clientId: string; readonly note: string | null } | null;
}

// --- the pool's layout --------------------------------------------------------------------------

interface PoolGrid {
  readonly pool: Pool;
  readonly usable: UsablePsids | null;
  readonly psidCount: number;
  readonly excludedRuns: readonly PsidRun[];
  readonly excludedPerAddress: number;
}

function gridOf(pool: Pool): PoolGrid {
  if (pool.kind !== "SHARED") return { pool, usable: null, psidCount: 1, excludedRuns: [], excludedPerAddress: 0 };
  const usable = poolUsablePsids(pool);
  return { pool, usable, psidCount: usable.psidCount, excludedRuns: usable.excludedRuns, excludedPerAddress: usable.excludedCount };
}

async function loadGrid(db: Database, poolId: number): Promise<PoolGrid> {
  return gridOf(await getPool(db, poolId));
}

function layoutOf(grid: PoolGrid): HeatmapLayout {
  const { pool, usable, psidCount } = grid;
  const addressCount = pool.lastAddress - pool.firstAddress + 1;
  const usablePerAddress = psidCount - grid.excludedPerAddress;
  return {
    poolId: pool.id,
    name: pool.name,
    kind: pool.kind,
    enabled: pool.enabled,
    firstAddress: pool.firstAddress,
    lastAddress: pool.lastAddress,
    range: formatAddressRange(pool),
    addressCount,
    psidOffset: pool.psidOffset,
    psidLength: pool.psidLength,
    psidCount,
    usablePsidsPerAddress: usablePerAddress,
    capacity: addressCount * usablePerAddress,
    excludedRuns: grid.excludedRuns,
    exclusions: (usable?.exclusions ?? [])
      .filter((exclusion) => exclusion.psidCount > 0)
      .map((exclusion) => ({ psids: formatPsidRuns(exclusion.psids), runs: exclusion.psids, why: describePortExclusion(exclusion.cause) })),
    maxCells: MAX_HEATMAP_CELLS,
  };
}

// --- SQL -----------------------------------------------------------------------------------------

/**
 * Whether the lease row in `table` holds its slot at `now` (lease-record.ts holdsSlot). With
 * `bySlotKey`, the state is compared as text so that no index on the state applies (see poolIs).
 */
function holdsSlotSql(table: string, now: Date, bySlotKey = false): Prisma.Sql {
  const t = Prisma.raw(table);
  const state = bySlotKey ? Prisma.sql`CAST(${t}.state AS TEXT)` : Prisma.sql`${t}.state`;
  return Prisma.sql`((${state} IN ('OFFERED', 'BOUND') AND ${t}.expires_at > ${now})
    OR (${state} IN ('DECLINED', 'REVOKED') AND ${t}.quarantine_until > ${now}))`;
}

/** 1 when the PSID column names an excluded PSID, else 0. */
function excludedSql(column: string, runs: readonly PsidRun[]): Prisma.Sql {
  if (runs.length === 0) return Prisma.sql`0`;
  const c = Prisma.raw(column);
  const tests = runs.map((run) => Prisma.sql`(${c} BETWEEN ${run.first} AND ${run.last})`);
  return Prisma.sql`CASE WHEN ${Prisma.join(tests, " OR ")} THEN 1 ELSE 0 END`;
}

/** Below this many addresses, a window reads its leases by the (address, psid) key, not by pool. */
const SLOT_KEY_WINDOW = 4096;

const bySlotKey = (first: number, last: number) => last - first + 1 <= SLOT_KEY_WINDOW;

/**
 * The leases of the pool that hold a slot in first..last. For a small window the pool and state
 * terms are written so that no index applies to them (`+pool_id`, the state cast to text): SQLite's
 * planner then reads the window through the lease_slot_key index on (address, psid) instead of
 * every live row of the pool through (pool_id, state) or (state, expires_at), and a /24 of a pool
 * with a million leases costs a millisecond instead of a scan. Both forms are plain SQL, and
 * PostgreSQL's planner picks the address range either way.
 */
function heldInWindow(poolId: number, first: number, last: number, now: Date): Prisma.Sql {
  const window = Prisma.sql`address BETWEEN ${BigInt(first)} AND ${BigInt(last)}`;
  return bySlotKey(first, last)
    ? Prisma.sql`+pool_id = ${poolId} AND ${window} AND ${holdsSlotSql("lease", now, true)}`
    : Prisma.sql`pool_id = ${poolId} AND ${window} AND ${holdsSlotSql("lease", now)}`;
}

const stateCode: Record<string, number> = { OFFERED, BOUND, DECLINED: QUARANTINED, REVOKED: QUARANTINED };

interface HeldGroup {
  tile: bigint | number;
  state: string;
  excluded: bigint | number;
  n: bigint | number;
}

interface ReservedGroup {
  tile: bigint | number;
  excluded: bigint | number;
  n: bigint | number;
}

// --- tiles -------------------------------------------------------------------------------------

function emptyCounts(): HeatCounts {
  return { free: 0, offered: 0, bound: 0, quarantined: 0, reserved: 0, excluded: 0 };
}

function encodeUint32(values: Uint32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setUint32(i * 4, value, true));
  return Buffer.from(bytes).toString("base64");
}

/**
 * Counts per cell state for the tiles of `unit` addresses that cover first..last (inside the
 * pool): two grouped queries, then arithmetic for the excluded and free cells.
 */
async function tileCounts(db: Database, grid: PoolGrid, unit: number, first: number, last: number, now: Date): Promise<HeatTiles> {
  const { pool, psidCount, excludedRuns, excludedPerAddress } = grid;
  const firstTile = Math.floor(first / unit);
  const count = Math.floor(last / unit) - firstTile + 1;
  const counts = new Uint32Array(count * STATE_COUNT);
  const heldExcluded = new Float64Array(count);
  const tile = Prisma.raw(unit === 1 ? "address" : `address / ${unit}`);
  const [held, reserved] = await Promise.all([
    db.$queryRaw<HeldGroup[]>(Prisma.sql`
      SELECT ${tile} AS tile, state, ${excludedSql("psid", excludedRuns)} AS excluded, COUNT(*) AS n
      FROM lease
      WHERE ${heldInWindow(pool.id, first, last, now)}
      GROUP BY 1, 2, 3`),
    db.$queryRaw<ReservedGroup[]>(Prisma.sql`
      SELECT ${Prisma.raw(unit === 1 ? "r.address" : `r.address / ${unit}`)} AS tile, ${excludedSql("r.psid", excludedRuns)} AS excluded, COUNT(*) AS n
      FROM reservation r
      WHERE r.pool_id = ${pool.id} AND r.address BETWEEN ${BigInt(first)} AND ${BigInt(last)}
        AND NOT EXISTS (SELECT 1 FROM lease l WHERE l.address = r.address AND l.psid = r.psid AND ${holdsSlotSql("l", now)})
      GROUP BY 1, 2`),
  ]);
  for (const row of held) {
    const index = Number(row.tile) - firstTile;
    const code = stateCode[row.state];
    if (code === undefined || index < 0 || index >= count) continue;
    counts[index * STATE_COUNT + code]! += Number(row.n);
    if (Number(row.excluded) === 1) heldExcluded[index]! += Number(row.n);
  }
  for (const row of reserved) {
    const index = Number(row.tile) - firstTile;
    if (Number(row.excluded) === 1 || index < 0 || index >= count) continue;
    counts[index * STATE_COUNT + RESERVED]! += Number(row.n);
  }
  const totals = emptyCounts();
  for (let index = 0; index < count; index++) {
    const tileFirst = Math.max(first, (firstTile + index) * unit);
    const tileLast = Math.min(last, (firstTile + index + 1) * unit - 1);
    const addresses = tileLast - tileFirst + 1;
    const base = index * STATE_COUNT;
    const excluded = Math.max(0, addresses * excludedPerAddress - heldExcluded[index]!);
    counts[base + EXCLUDED] = excluded;
    const taken = counts[base + OFFERED]! + counts[base + BOUND]! + counts[base + QUARANTINED]! + counts[base + RESERVED]! + excluded;
    counts[base + FREE] = Math.max(0, addresses * psidCount - taken);
    HEAT_STATES.forEach((state, code) => (totals[state] += counts[base + code]!));
  }
  return { unit, first: firstTile * unit, count, states: HEAT_STATES, counts: encodeUint32(counts), totals };
}

/** The part of first .. first + count - 1 inside the pool; RuleError when none is. */
function windowInPool(pool: Pool, first: number, count: number): { first: number; last: number } {
  const from = Math.max(first, pool.firstAddress);
  const to = Math.min(first + count - 1, pool.lastAddress);
  if (from > to) {
    throw new RuleError(`${formatIpv4(first)} (${count} addresses) lies outside pool "${pool.name}" (${formatAddressRange(pool)})`, "first", "invalid");
  }
  return { first: from, last: to };
}

/** The pool's heat-map layout, with one tile per /24 of the pool: the zoomed-out view. */
export async function poolHeatmap(db: Database, poolId: number, now = new Date()): Promise<{ layout: HeatmapLayout; blocks: HeatTiles }> {
  const grid = await loadGrid(db, poolId);
  const blocks = await tileCounts(db, grid, BLOCK_SIZE, grid.pool.firstAddress, grid.pool.lastAddress, now);
  return { layout: layoutOf(grid), blocks };
}

/** One tile per address for `count` addresses from `first` (clipped to the pool): a /24 of a pool with many PSIDs. */
export async function addressTiles(db: Database, poolId: number, first: number, count: number, now = new Date()): Promise<HeatTiles> {
  if (count > MAX_HEATMAP_TILES) throw new RuleError(`At most ${MAX_HEATMAP_TILES} addresses per request`, "count", "invalid");
  const grid = await loadGrid(db, poolId);
  const window = windowInPool(grid.pool, first, count);
  return tileCounts(db, grid, 1, window.first, window.last, now);
}

// --- cells -------------------------------------------------------------------------------------

interface HeldRow {
  address: bigint | number;
  psid: number | bigint;
  state: string;
}

/** The cells of `count` addresses from `first` (clipped to the pool), at most MAX_HEATMAP_CELLS. */
export async function heatCells(db: Database, poolId: number, first: number, count: number, now = new Date()): Promise<HeatCells> {
  const grid = await loadGrid(db, poolId);
  const { pool, psidCount, excludedRuns } = grid;
  const window = windowInPool(pool, first, count);
  const addresses = window.last - window.first + 1;
  if (addresses * psidCount > MAX_HEATMAP_CELLS) {
    const most = Math.max(1, Math.floor(MAX_HEATMAP_CELLS / psidCount));
    throw new RuleError(`At most ${most} addresses of ${psidCount} PSIDs (${MAX_HEATMAP_CELLS} cells) per request`, "count", "invalid");
  }
  const cells = new Uint8Array(addresses * psidCount);
  const [reservations, held] = await Promise.all([
    db.reservation.findMany({
      where: { poolId: pool.id, address: { gte: BigInt(window.first), lte: BigInt(window.last) } },
      select: { address: true, psid: true },
    }),
    db.$queryRaw<HeldRow[]>(Prisma.sql`
      SELECT address, psid, state FROM lease
      WHERE ${heldInWindow(pool.id, window.first, window.last, now)}`),
  ]);
  const at = (address: number, psid: number) => (psid >= 0 && psid < psidCount ? (address - window.first) * psidCount + psid : -1);
  // Weakest first, so that each stronger state overwrites: reserved, excluded, quarantined, live.
  for (const reservation of reservations) {
    const index = at(Number(reservation.address), reservation.psid);
    if (index >= 0) cells[index] = RESERVED;
  }
  for (const run of excludedRuns) {
    for (let row = 0; row < addresses; row++) cells.fill(EXCLUDED, row * psidCount + run.first, row * psidCount + run.last + 1);
  }
  for (const quarantinedFirst of [true, false]) {
    for (const lease of held) {
      const code = stateCode[lease.state];
      if (code === undefined || (code === QUARANTINED) !== quarantinedFirst) continue;
      const index = at(Number(lease.address), Number(lease.psid));
      if (index >= 0) cells[index] = code;
    }
  }
  const totals = emptyCounts();
  for (const code of cells) totals[HEAT_STATES[code]!]++;
  return { first: window.first, count: addresses, psidCount, states: HEAT_STATES, cells: Buffer.from(cells).toString("base64"), totals };
}

// --- one slot ------------------------------------------------------------------------------------

const SHOWN_FIRST_RANGES = 3;

/** One slot: its state, port ranges, lease and reservation (the tooltip, and the link to the lease). */
export async function heatSlot(db: Database, poolId: number, address: number, psid: number, now = new Date()): Promise<HeatSlot> {
  const grid = await loadGrid(db, poolId);
  const { pool, usable, psidCount } = grid;
  if (address < pool.firstAddress || address > pool.lastAddress) {
    throw new RuleError(`${formatIpv4(address)} is not an address of pool "${pool.name}" (${formatAddressRange(pool)})`, "address", "invalid");
  }
  if (psid < 0 || psid >= psidCount) {
    throw new RuleError(psidCount === 1 ? "A dedicated pool's slots have PSID 0" : `PSID ${psid} is outside 0..${psidCount - 1}`, "psid", "invalid");
  }
  const key = { address_psid: { address: BigInt(address), psid } };
  const [row, reservationRow] = await Promise.all([db.lease.findUnique({ where: key }), db.reservation.findUnique({ where: key })]);
  const lease = row && row.poolId === pool.id ? row : null;
  const reservation = reservationRow && reservationRow.poolId === pool.id ? reservationRow : null;
  const holds =
    lease !== null &&
    (((lease.state === "OFFERED" || lease.state === "BOUND") && lease.expiresAt > now) ||
      ((lease.state === "DECLINED" || lease.state === "REVOKED") && lease.quarantineUntil !== null && lease.quarantineUntil > now));
  const excluded = usable !== null && !isUsablePsid(usable, psid);
  let state: HeatState = "free";
  if (holds) state = HEAT_STATES[stateCode[lease!.state]!]!;
  else if (excluded) state = "excluded";
  else if (reservation) state = "reserved";

  return {
    address,
    addressText: formatIpv4(address),
    psid: pool.kind === "SHARED" ? psid : null,
    state,
    ports: portsOf(pool, psid),
    excludedBy: usable ? exclusionCausesOf(usable, psid).map(describePortExclusion) : [],
    lease: lease && {
      id: lease.id,
      state: lease.state,
      clientId: lease.clientId,
      hwAddress: lease.hwAddress,
      ipv6Address: lease.ipv6Address,
      startedAt: lease.startedAt,
      expiresAt: lease.expiresAt,
      quarantineUntil: lease.quarantineUntil,
      holdsSlot: holds,
    },
    reservation: reservation && { id: reservation.id, clientId: reservation.clientId, note: reservation.note },
  };
}

/** The port set of (a, k, PSID) (RFC 7597 §5.1, protocol.md §5.2); every port for a dedicated address. */
function portsOf(pool: Pool, psid: number): HeatSlot["ports"] {
  if (pool.kind !== "SHARED") {
    return { summary: "the whole address: all 65536 ports", rangeCount: 1, portCount: 65_536, firstRanges: ["0-65535"], lastRanges: [] };
  }
  const params = { offset: pool.psidOffset, psidLength: pool.psidLength, psid };
  const rangeCount = portRangeCount(params);
  const portCount = portsPerPsid(params);
  const size = portCount / rangeCount;
  const shown = Math.min(rangeCount, SHOWN_FIRST_RANGES);
  const firstRanges = Array.from({ length: shown }, (_, index) => formatPortRange(portRangeAt(params, index)));
  const lastRanges = rangeCount > shown ? [formatPortRange(portRangeAt(params, rangeCount - 1))] : [];
  const noun = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return { summary: `${noun(rangeCount, "range")} of ${noun(size, "port")}, ${noun(portCount, "port")}`, rangeCount, portCount, firstRanges, lastRanges };
}
