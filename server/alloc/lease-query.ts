// Lease reads for the console: the searchable, sortable table, one lease with its history, and
// how many leases a filter would revoke. Filters come checked from lease-filter.ts; this module
// turns them into Prisma conditions and shapes rows the way the console shows them
// (protocol.md §10: dotted quads, PSID with its port ranges, decoded client id, relay chain).

import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import { RuleError } from "../errors/rule-error";
import { portRanges, summarizePortSet, formatPortRange, validatePortParams } from "../psid";
import { decodeClientId, type DecodedClientId } from "./client-id";
import type { LeaseFilter, LeaseListRequest, LeaseSort, LeaseStateName, SearchTerm } from "./lease-filter";
import { formatIpv4 } from "./pool-spec";
import { quarantineEnd } from "./quarantine";

type LeaseWhere = Prisma.LeaseWhereInput;
type LeaseOrder = Prisma.LeaseOrderByWithRelationInput;

export const LIVE_STATES = ["OFFERED", "BOUND"] as const satisfies readonly LeaseStateName[];

/** A lease that holds its slot for a client now (lease-record.ts isLive). */
export const liveAt = (now: Date): LeaseWhere => ({ state: { in: [...LIVE_STATES] }, expiresAt: { gt: now } });

function termWhere(term: SearchTerm): LeaseWhere {
  switch (term.kind) {
    case "ipv4":
      return { address: { gte: BigInt(term.first), lte: BigInt(term.last) } };
    case "ipv6":
      return { ipv6Address: { contains: term.text } };
    case "mac":
      return { hwAddress: { contains: term.text } };
    case "client":
      return { clientId: { contains: term.hex } };
  }
}

/** The Prisma condition for a filter (values are stored lowercase, so `contains` is exact in both databases). */
export function leaseWhere(filter: LeaseFilter, now: Date = new Date()): LeaseWhere {
  const and: LeaseWhere[] = [];
  if (filter.terms.length === 1) and.push(termWhere(filter.terms[0]!));
  else if (filter.terms.length > 1) and.push({ OR: filter.terms.map(termWhere) });
  if (filter.pool) and.push({ pool: { name: filter.pool } });
  if (filter.state === "LIVE") and.push(liveAt(now));
  else if (filter.state) and.push({ state: { in: [...filter.state] } });
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { AND: and };
}

function orderBy(sort: LeaseSort | undefined, dir: "asc" | "desc"): LeaseOrder[] {
  const tail: LeaseOrder = { id: dir };
  switch (sort) {
    case undefined:
      return [{ id: dir }];
    case "address":
      return [{ address: dir }, { psid: dir }, tail];
    case "psid":
      return [{ psid: dir }, { address: dir }, tail];
    case "pool":
      return [{ pool: { name: dir } }, tail];
    case "hwAddress":
    case "ipv6Address":
      // Leases without one go last either way, the same in SQLite and PostgreSQL.
      return [{ [sort]: { sort: dir, nulls: "last" } }, tail];
    default:
      return [{ [sort]: dir }, tail];
  }
}

// --- row shaping -----------------------------------------------------------------------------

/** The lease columns every operator view shows (the list, the detail, the exports). */
export const leaseColumns = {
  id: true,
  address: true,
  psid: true,
  state: true,
  clientId: true,
  hwAddress: true,
  ipv6Address: true,
  softwireSource: true,
  startedAt: true,
  expiresAt: true,
  quarantineUntil: true,
} as const satisfies Prisma.LeaseSelect;

const leaseSelect = {
  ...leaseColumns,
  pool: { select: { id: true, name: true, kind: true, psidOffset: true, psidLength: true } },
} as const satisfies Prisma.LeaseSelect;

type SelectedLease = Prisma.LeaseGetPayload<{ select: typeof leaseSelect }>;


/** The port set of a shared lease in one line (server/psid), or why there is none. */
export function portSetSummary(pool: { kind: string; psidOffset: number; psidLength: number }, psid: number): string | null {
  if (pool.kind !== "SHARED") return null;
  const params = validatePortParams({ offset: pool.psidOffset, psidLength: pool.psidLength, psid });
  return params.ok ? summarizePortSet(params.value) : params.error.message;
}

/** One row of the lease table. */
export interface LeaseRow {
  id: number;
  /** Dotted quad. */
  address: string;
  /** Numeric PSID (RFC 7597 §5.1); null for a dedicated address. */
  psid: number | null;
  /** "63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895"; null for a dedicated address. */
  portSet: string | null;
  pool: { id: number; name: string; kind: "SHARED" | "DEDICATED"; psidOffset: number; psidLength: number };
  state: LeaseStateName;
  /** OFFERED or BOUND and not yet expired: holds its slot, and can be revoked. */
  live: boolean;
  clientId: string;
  client: DecodedClientId;
  hwAddress: string | null;
  ipv6Address: string | null;
  /** Whether ipv6Address is the client's RFC 8539 softwire source (option 109). */
  softwireSource: boolean;
  startedAt: Date;
  expiresAt: Date;
  quarantineUntil: Date | null;
}

function toRow(lease: SelectedLease, now: Date): LeaseRow {
  const shared = lease.pool.kind === "SHARED";
  return {
    id: lease.id,
    address: formatIpv4(Number(lease.address)),
    psid: shared ? lease.psid : null,
    portSet: portSetSummary(lease.pool, lease.psid),
    pool: { ...lease.pool, kind: lease.pool.kind as LeaseRow["pool"]["kind"] },
    state: lease.state as LeaseStateName,
    live: (lease.state === "OFFERED" || lease.state === "BOUND") && lease.expiresAt > now,
    clientId: lease.clientId,
    client: decodeClientId(lease.clientId),
    hwAddress: lease.hwAddress,
    ipv6Address: lease.ipv6Address,
    softwireSource: lease.softwireSource,
    startedAt: lease.startedAt,
    expiresAt: lease.expiresAt,
    quarantineUntil: lease.quarantineUntil,
  };
}

// --- reads -----------------------------------------------------------------------------------

export interface LeasePage {
  total: number;
  page: number;
  pageSize: number;
  rows: LeaseRow[];
}

/** One page of the lease table, filtered and sorted in the database. */
export async function listLeases(db: Database, request: LeaseListRequest, now: Date = new Date()): Promise<LeasePage> {
  const where = leaseWhere(request.filter, now);
  const [total, rows] = await Promise.all([
    db.lease.count({ where }),
    db.lease.findMany({
      where,
      select: leaseSelect,
      orderBy: orderBy(request.sort, request.dir),
      skip: (request.page - 1) * request.pageSize,
      take: request.pageSize,
    }),
  ]);
  return { total, page: request.page, pageSize: request.pageSize, rows: rows.map((row) => toRow(row, now)) };
}

/** The pools the filter offers (every pool, by name). */
export function leasePoolChoices(db: Database): Promise<{ id: number; name: string; kind: string }[]> {
  return db.pool.findMany({ select: { id: true, name: true, kind: true }, orderBy: { name: "asc" } });
}

/** One DHCPv6 relay the last query came through, innermost (next to the client) first. */
export interface RelayHop {
  hopCount: number | null;
  linkAddress: string | null;
  peerAddress: string | null;
  /** Interface-Id (option 18) as hex, and as text when it is printable. */
  interfaceId: string | null;
  interfaceIdText: string | null;
}

/** The stored relay chain (dhcp4o6/client-context.ts writes it); never throws. */
export function parseRelayInfo(json: string | null): RelayHop[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return value
    .filter((hop): hop is Record<string, unknown> => hop !== null && typeof hop === "object")
    .map((hop) => {
      const interfaceId = text(hop.interfaceId);
      const printable = interfaceId && /^([0-9a-f]{2})+$/i.test(interfaceId) ? Buffer.from(interfaceId, "hex").toString("latin1") : null;
      return {
        hopCount: typeof hop.hopCount === "number" ? hop.hopCount : null,
        linkAddress: text(hop.linkAddress),
        peerAddress: text(hop.peerAddress),
        interfaceId,
        interfaceIdText: printable && /^[\x20-\x7e]+$/.test(printable) ? printable : null,
      };
    });
}

export interface LeaseHistoryEntry {
  id: number;
  at: Date;
  fromState: LeaseStateName | null;
  toState: LeaseStateName;
  clientId: string;
  /** "client:REQUEST", "operator:alice", "system:expiry". */
  actor: string;
  /** "client", "operator", "system" (the part before the colon). */
  actorKind: string;
  /** "REQUEST", "alice", "expiry". */
  actorName: string;
  detail: string | null;
}

export interface LeaseDetail extends LeaseRow {
  /** Every range of the port set, "1344-1407"; empty for a dedicated address. */
  portRanges: string[];
  pool: LeaseRow["pool"] & { brAddress: string | null; leaseTime: number; renewTime: number | null; rebindTime: number | null };
  lastTransaction: Date;
  relayChain: RelayHop[];
  history: LeaseHistoryEntry[];
  /** Until when the slot would stay quarantined if revoked now (quarantine.ts); null when not live. */
  revokeQuarantineUntil: Date | null;
}

/** Everything about one lease, with its history oldest first. */
export async function getLeaseDetail(db: Database, id: number, now: Date = new Date()): Promise<LeaseDetail> {
  const lease = await db.lease.findUnique({
    where: { id },
    select: {
      ...leaseSelect,
      relayInfo: true,
      lastTransaction: true,
      pool: { select: { ...leaseSelect.pool.select, brAddress: true, leaseTime: true, renewTime: true, rebindTime: true } },
      events: { orderBy: [{ at: "asc" }, { id: "asc" }] },
    },
  });
  if (!lease) throw new RuleError(`No lease with id ${id}`, "id", "not-found");
  const row = toRow(lease, now);
  const params = validatePortParams({ offset: lease.pool.psidOffset, psidLength: lease.pool.psidLength, psid: lease.psid });
  return {
    ...row,
    pool: { ...row.pool, brAddress: lease.pool.brAddress, leaseTime: lease.pool.leaseTime, renewTime: lease.pool.renewTime, rebindTime: lease.pool.rebindTime },
    portRanges: lease.pool.kind === "SHARED" && params.ok ? portRanges(params.value).map(formatPortRange) : [],
    lastTransaction: lease.lastTransaction,
    relayChain: parseRelayInfo(lease.relayInfo),
    history: lease.events.map((event) => {
      const colon = event.actor.indexOf(":");
      return {
        id: event.id,
        at: event.at,
        fromState: event.fromState as LeaseStateName | null,
        toState: event.toState as LeaseStateName,
        clientId: event.clientId,
        actor: event.actor,
        actorKind: colon < 0 ? event.actor : event.actor.slice(0, colon),
        actorName: colon < 0 ? "" : event.actor.slice(colon + 1),
        detail: event.detail,
      };
    }),
    revokeQuarantineUntil: row.live ? quarantineEnd(lease.expiresAt, now) : null,
  };
}

export interface RevocableCount {
  /** Live leases matching the filter: what "revoke matching" would revoke now. */
  count: number;
  /** The earliest and latest end of their quarantine (quarantine.ts); null when count is 0. */
  quarantineFrom: Date | null;
  quarantineUntil: Date | null;
}

/** How many leases matching the filter are live, and until when their slots would stay quarantined. */
export async function countRevocable(db: Pick<Database, "lease">, filter: LeaseFilter, now: Date = new Date()): Promise<RevocableCount> {
  const where: LeaseWhere = { AND: [leaseWhere(filter, now), liveAt(now)] };
  const agg = await db.lease.aggregate({ where, _count: { _all: true }, _min: { expiresAt: true }, _max: { expiresAt: true } });
  const count = agg._count._all;
  if (count === 0 || !agg._min.expiresAt || !agg._max.expiresAt) return { count, quarantineFrom: null, quarantineUntil: null };
  return { count, quarantineFrom: quarantineEnd(agg._min.expiresAt, now), quarantineUntil: quarantineEnd(agg._max.expiresAt, now) };
}
