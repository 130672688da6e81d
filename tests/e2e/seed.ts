import Database from "better-sqlite3";
import { E2E_DATABASE_FILE } from "./fixtures";

// Pools and leases for the with-data tests. The console cannot create pools yet (pool forms
// come with pool management), so they are written straight into the e2e server's SQLite file,
// in the storage format Prisma uses there: addresses as uint32 integers, times as ISO text.

const ip = (dotted: string) => dotted.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const iso = (date: Date) => date.toISOString().replace("Z", "+00:00");

export const SEEDED = {
  shared: { name: "shared-east", first: "192.0.2.0", last: "192.0.2.15", psidOffset: 6, psidLength: 4, leaseTime: 3_600 },
  dedicated: { name: "dedicated-west", first: "198.51.100.10", last: "198.51.100.20", leaseTime: 86_400 },
  /** Leases in the shared pool: more than one page of 50. */
  sharedLeases: 60,
  dedicatedLeases: 3,
} as const;

export interface Seeded {
  /** How many leases are in each state, over both pools. */
  states: Record<string, number>;
  /** Live (offered or bound) leases per pool name. */
  live: Record<string, number>;
}

/** Writes two pools and their leases. */
export function seedPoolsAndLeases(): Seeded {
  const db = new Database(E2E_DATABASE_FILE, { timeout: 5_000 });
  const now = new Date();
  const states: Record<string, number> = {};
  const live: Record<string, number> = {};
  try {
    const addPool = db.prepare(
      `INSERT INTO pool (name, kind, first_address, last_address, psid_offset, psid_length, lease_time, enabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    const addLease = db.prepare(
      `INSERT INTO lease (pool_id, address, psid, state, client_id, ipv6_address, started_at, expires_at, last_transaction, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      const { shared, dedicated } = SEEDED;
      const sharedId = addPool.run(shared.name, "SHARED", ip(shared.first), ip(shared.last), shared.psidOffset, shared.psidLength, shared.leaseTime, iso(now), iso(now)).lastInsertRowid;
      const dedicatedId = addPool.run(dedicated.name, "DEDICATED", ip(dedicated.first), ip(dedicated.last), 0, 0, dedicated.leaseTime, iso(now), iso(now)).lastInsertRowid;
      const lease = (pool: string, poolId: number | bigint, address: number, psid: number, state: string, n: number) => {
        states[state] = (states[state] ?? 0) + 1;
        if (state === "BOUND" || state === "OFFERED") live[pool] = (live[pool] ?? 0) + 1;
        const expires = new Date(now.getTime() + 3_600_000);
        const clientId = `01020000${n.toString(16).padStart(4, "0")}`;
        addLease.run(poolId, address, psid, state, clientId, `2001:db8:${n.toString(16)}::1`, iso(now), iso(expires), iso(now), iso(now));
      };
      // The shared pool's 16 addresses × PSIDs 1-15 (PSID 0 holds the well-known ports).
      const cycle = ["BOUND", "BOUND", "BOUND", "OFFERED", "BOUND", "EXPIRED", "BOUND", "RELEASED", "BOUND", "REVOKED"];
      for (let n = 0; n < SEEDED.sharedLeases; n++) lease(shared.name, sharedId, ip(shared.first) + (n % 16), 1 + Math.floor(n / 16), cycle[n % cycle.length]!, n);
      for (let n = 0; n < SEEDED.dedicatedLeases; n++) lease(dedicated.name, dedicatedId, ip(dedicated.first) + n, 0, n === 2 ? "DECLINED" : "BOUND", 1000 + n);
    })();
  } finally {
    db.close();
  }
  return { states, live };
}
