// Pools, leases and operators for the lease search, revoke and export tests, written straight
// through Prisma (the allocator is not needed to test reads and operator actions).
import { createCaller } from "@/server/api/root";
import type { Context } from "@/server/api/trpc";
import type { Database } from "@/server/db/client";
import type { Prisma } from "@/server/db/generated/sqlite/client";

export const ip = (dotted: string): number => dotted.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
export const mac = (last: string, prefix = "02:00:00:00:00") => `${prefix}:${last}`;
/** RFC 4361 client id: 255, IAID, DUID-LL (type 3, hardware type 1, MAC). */
export const rfc4361 = (macText: string, iaid = 1) => `ff${iaid.toString(16).padStart(8, "0")}00030001${macText.replaceAll(":", "")}`;

export interface SeededLeases {
  sharedPoolId: number;
  dedicatedPoolId: number;
  /** Named leases by their role in the tests. */
  ids: Record<"bound" | "offered" | "released" | "expired" | "dedicated" | "declined", number>;
  /** Bulk BOUND leases of the shared pool (192.0.2.4-192.0.2.11 × PSIDs 1-4). */
  bulkIds: number[];
  total: number;
  now: Date;
}

const HOUR = 3_600_000;

export const RELAY_CHAIN = [
  { hopCount: 0, linkAddress: "2001:db8:100::1", peerAddress: "fe80::a1", interfaceId: Buffer.from("ge-0/0/1.100").toString("hex") },
  { hopCount: 1, linkAddress: "::", peerAddress: "2001:db8:100::1" },
];

export async function seedLeases(db: Database, now = new Date()): Promise<SeededLeases> {
  const shared = await db.pool.create({
    data: {
      name: "shared-a", kind: "SHARED", firstAddress: BigInt(ip("192.0.2.0")), lastAddress: BigInt(ip("192.0.2.15")),
      psidOffset: 6, psidLength: 4, leaseTime: 3600, brAddress: "2001:db8:ffff::1",
    },
  });
  const dedicated = await db.pool.create({
    data: { name: "full-b", kind: "DEDICATED", firstAddress: BigInt(ip("198.51.100.0")), lastAddress: BigInt(ip("198.51.100.63")), leaseTime: 86400 },
  });
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const lease = (data: {
    poolId: number; address: string; psid?: number; state: "OFFERED" | "BOUND" | "RELEASED" | "EXPIRED" | "DECLINED" | "REVOKED";
    clientId: string; hwAddress?: string | null; ipv6Address?: string | null; softwireSource?: boolean; relayInfo?: string | null;
    startedAt?: Date; expiresAt: Date;
  }) =>
    db.lease.create({
      data: {
        poolId: data.poolId, address: BigInt(ip(data.address)), psid: data.psid ?? 0, state: data.state, clientId: data.clientId,
        hwAddress: data.hwAddress ?? null, ipv6Address: data.ipv6Address ?? null, softwireSource: data.softwireSource ?? false,
        relayInfo: data.relayInfo ?? null, startedAt: data.startedAt ?? at(-HOUR / 2), expiresAt: data.expiresAt, lastTransaction: at(-HOUR / 2),
      },
    });

  const bound = await lease({
    poolId: shared.id, address: "192.0.2.1", psid: 5, state: "BOUND", clientId: rfc4361(mac("a1")), hwAddress: mac("a1"),
    ipv6Address: "2001:db8:1::1", softwireSource: true, relayInfo: JSON.stringify(RELAY_CHAIN), expiresAt: at(HOUR),
  });
  await db.leaseEvent.createMany({
    data: [
      { leaseId: bound.id, at: at(-HOUR / 2 - 1000), fromState: null, toState: "OFFERED", clientId: bound.clientId, actor: "client:DISCOVER" },
      { leaseId: bound.id, at: at(-HOUR / 2), fromState: "OFFERED", toState: "BOUND", clientId: bound.clientId, actor: "client:REQUEST" },
    ],
  });
  const offered = await lease({
    poolId: shared.id, address: "192.0.2.1", psid: 6, state: "OFFERED", clientId: rfc4361(mac("a2")), hwAddress: mac("a2"),
    ipv6Address: "2001:db8:1::2", expiresAt: at(HOUR / 2),
  });
  const released = await lease({
    poolId: shared.id, address: "192.0.2.2", psid: 5, state: "RELEASED", clientId: rfc4361(mac("a3")), hwAddress: mac("a3"),
    ipv6Address: "2001:db8:1::3", softwireSource: true, expiresAt: at(-HOUR),
  });
  const expired = await lease({
    poolId: shared.id, address: "192.0.2.3", psid: 7, state: "BOUND", clientId: rfc4361(mac("a4")), hwAddress: mac("a4"),
    ipv6Address: "2001:db8:1::4", softwireSource: true, expiresAt: at(-10_000),
  });
  const dedicatedLease = await lease({
    poolId: dedicated.id, address: "198.51.100.5", state: "BOUND", clientId: `01${mac("a5").replaceAll(":", "")}`, hwAddress: mac("a5"),
    ipv6Address: "2001:db8:2::5", expiresAt: at(2 * HOUR),
  });
  const declined = await lease({
    poolId: dedicated.id, address: "198.51.100.6", state: "DECLINED", clientId: rfc4361(mac("a6")), hwAddress: mac("a6"),
    ipv6Address: "2001:db8:2::6", expiresAt: at(HOUR),
  });

  const rows: Prisma.LeaseCreateManyInput[] = [];
  let n = 0;
  for (let host = 4; host <= 11; host++) {
    for (let psid = 1; psid <= 4; psid++, n++) {
      const m = mac(`${n.toString(16).padStart(2, "0")}`, "02:00:5e:00:10");
      rows.push({
        poolId: shared.id, address: BigInt(ip(`192.0.2.${host}`)), psid, state: "BOUND", clientId: rfc4361(m, 7),
        // Every fourth one without a MAC or IPv6 (sorting puts them last).
        hwAddress: n % 4 === 3 ? null : m, ipv6Address: n % 4 === 3 ? null : `2001:db8:5e::${(n + 16).toString(16)}`, softwireSource: n % 4 !== 3,
        startedAt: at(-HOUR / 4 + n * 1000), expiresAt: at(HOUR + n * 60_000), lastTransaction: at(-HOUR / 4),
      });
    }
  }
  await db.lease.createMany({ data: rows });
  const bulkIds = (await db.lease.findMany({ where: { clientId: { startsWith: "ff00000007" } }, select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id);

  return {
    sharedPoolId: shared.id,
    dedicatedPoolId: dedicated.id,
    ids: { bound: bound.id, offered: offered.id, released: released.id, expired: expired.id, dedicated: dedicatedLease.id, declined: declined.id },
    bulkIds,
    total: 6 + bulkIds.length,
    now,
  };
}

/** Operators (no password needed: the callers are built with the operator in the context). */
export async function seedOperators(db: Database): Promise<{ admin: { id: number; username: string }; viewer: { id: number; username: string } }> {
  const admin = await db.operator.create({ data: { username: "lease-admin", passwordHash: "x", role: "ADMIN" } });
  const viewer = await db.operator.create({ data: { username: "lease-viewer", passwordHash: "x", role: "VIEWER" } });
  return { admin, viewer };
}

/** A server-side caller signed in as this operator (or anonymous). */
export function callerAs(db: Database, operator: { id: number; username: string; role?: "ADMIN" | "VIEWER" } | null, role: "ADMIN" | "VIEWER" = "ADMIN") {
  const ctx: Context = { db, sessionToken: undefined, operator: operator ? { id: operator.id, username: operator.username, role: operator.role ?? role } : null, secure: false };
  return createCaller(ctx);
}
