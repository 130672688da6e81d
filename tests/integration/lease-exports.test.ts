import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINDING_CSV_COLUMNS, EXPORT_CHUNK_SIZE, LEASE_CSV_COLUMNS } from "@/server/alloc/exports";
import { exportResponse, type ExportKind } from "@/server/api/exports";
import { hashPassword } from "@/server/auth/password";
import { SESSION_COOKIE, signIn } from "@/server/auth/sessions";
import type { Database } from "@/server/db/client";
import type { Prisma } from "@/server/db/generated/sqlite/client";
import { csvObjects } from "../support/csv";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";
import { ip, mac, seedLeases, type SeededLeases } from "./support/lease-seed";

const backends = await testBackends();

async function sessionCookie(db: Database, username: string): Promise<string> {
  const password = "export-password-1";
  await db.operator.create({ data: { username, passwordHash: await hashPassword(password), role: "VIEWER" } });
  const session = await signIn(db, username, password);
  return `theme=dark; ${SESSION_COOKIE}=${encodeURIComponent(session!.token)}`;
}

const request = (kind: ExportKind, query: string, cookie?: string) =>
  new Request(`http://console.test/api/export/${kind}${query ? `?${query}` : ""}`, { headers: cookie ? { cookie } : {} });

describe.each(backends)("lease and binding exports on %s", (backend) => {
  let t: TestDatabase;
  let seeded: SeededLeases;
  let cookie: string;
  const now = new Date("2026-11-28T12:00:00Z");

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    seeded = await seedLeases(t.db, now);
    cookie = await sessionCookie(t.db, "export-viewer");
    // A lease whose text fields need RFC 4180 quoting (written straight to the table).
    const odd = await t.db.pool.create({ data: { name: "odd-c", kind: "DEDICATED", firstAddress: BigInt(ip("203.0.113.0")), lastAddress: BigInt(ip("203.0.113.3")), leaseTime: 600 } });
    await t.db.lease.create({
      data: {
        poolId: odd.id, address: BigInt(ip("203.0.113.1")), psid: 0, state: "BOUND", clientId: "00ab", hwAddress: 'say "hi", then\r\nleave',
        ipv6Address: "2001:db8:c::1", startedAt: now, expiresAt: new Date(now.getTime() + 600_000), lastTransaction: now,
      },
    });
  });
  afterAll(() => t.drop());

  /** `withCookie` null: no cookie at all. */
  const get = (kind: ExportKind, query = "", withCookie: string | null = cookie) => exportResponse(kind, request(kind, query, withCookie ?? undefined), t.db, { now });

  it("refuses requests without a live session with 401", async () => {
    for (const kind of ["leases.csv", "bindings.csv", "bindings.json"] as const) {
      const anonymous = await get(kind, "", null);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).toMatch(/Sign in first/);
      expect((await get(kind, "", `${SESSION_COOKIE}=forged-token`)).status).toBe(401);
    }
  });

  it("refuses unreadable filters with 400 naming the field", async () => {
    const response = await get("leases.csv", "q=not+a+thing!");
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^q: "not a thing!" is not a client identifier/);
    const state = await get("bindings.json", "state=gone&pool=a%20b");
    expect(state.status).toBe(400);
    const text = await state.text();
    expect(text).toMatch(/^pool: Pool is a pool name/m);
    expect(text).toMatch(/^state: Unknown state "GONE"/m);
  });

  it("exports every lease as RFC 4180 CSV: header, CRLF, quoting, ISO 8601 UTC times", async () => {
    const response = await get("leases.csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="portshare-leases-all-2026-11-28.csv"');
    const text = await response.text();
    const { header, rows } = csvObjects(text);
    expect(header).toEqual([...LEASE_CSV_COLUMNS]);
    expect(rows).toHaveLength(seeded.total + 1);
    expect(rows.map((row) => Number(row.id))).toEqual([...rows.map((row) => Number(row.id))].sort((a, b) => a - b));

    const bound = rows.find((row) => Number(row.id) === seeded.ids.bound)!;
    expect(bound).toMatchObject({
      pool: "shared-a", pool_kind: "shared", address: "192.0.2.1", psid: "5", psid_offset: "6", psid_length: "4",
      port_set: "63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895", state: "BOUND",
      client_iaid: "1", client_duid: `00030001${mac("a1").replaceAll(":", "")}`, hw_address: mac("a1"),
      ipv6_address: "2001:db8:1::1", softwire_source: "true", quarantine_until: "",
    });
    // The summary holds commas, so it is quoted on the wire.
    expect(text).toContain('"63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895"');
    for (const column of ["started_at", "expires_at", "last_transaction"]) expect(bound[column]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(bound.expires_at).toBe(new Date(now.getTime() + 3_600_000).toISOString());

    const dedicated = rows.find((row) => Number(row.id) === seeded.ids.dedicated)!;
    expect(dedicated).toMatchObject({ pool_kind: "dedicated", psid: "", psid_offset: "", port_set: "", client_iaid: "", softwire_source: "false" });

    // Quotes doubled, comma and CRLF kept inside one quoted field.
    const odd = rows.find((row) => row.pool === "odd-c")!;
    expect(odd.hw_address).toBe('say "hi", then\r\nleave');
    expect(text).toContain('"say ""hi"", then\r\nleave"');
  });

  it("honours the /leases filters, and names the pool in the file name", async () => {
    const response = await get("leases.csv", "pool=shared-a&state=live&q=192.0.2.0%2F28");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="portshare-leases-shared-a-2026-11-28.csv"');
    const { rows } = csvObjects(await response.text());
    expect(rows.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual([seeded.ids.bound, seeded.ids.offered, ...seeded.bulkIds].sort((a, b) => a - b));
    expect(rows.every((row) => row.pool === "shared-a" && (row.state === "BOUND" || row.state === "OFFERED"))).toBe(true);

    const byMac = csvObjects(await (await get("leases.csv", `q=${encodeURIComponent(mac("a6"))}`)).text());
    expect(byMac.rows.map((row) => Number(row.id))).toEqual([seeded.ids.declined]);
    // No match: the header alone.
    expect(await (await get("leases.csv", "pool=nothing-here")).text()).toBe(`${LEASE_CSV_COLUMNS.join(",")}\r\n`);
  });

  it("exports the binding table as RFC 8676 binding-entry JSON: BOUND, unexpired, shared leases with a softwire source", async () => {
    const response = await get("bindings.json", "pool=shared-a");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="portshare-bindings-shared-a-2026-11-28.json"');
    const body = (await response.json()) as { "binding-entry": Array<Record<string, unknown>> };
    expect(Object.keys(body)).toEqual(["binding-entry"]);
    const entries = body["binding-entry"];
    // The bound lease and the 24 bulk leases with a softwire source; not the offered, released,
    // expired or 109-less ones, nor the dedicated pool's.
    expect(entries).toHaveLength(25);
    expect(entries[0]).toEqual({
      "binding-ipv6info": "2001:db8:1::1",
      "binding-ipv4-addr": "192.0.2.1",
      "port-set": { "psid-offset": 6, "psid-len": 4, psid: 5 },
      "br-ipv6-addr": "2001:db8:ffff::1",
    });
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(["binding-ipv4-addr", "binding-ipv6info", "br-ipv6-addr", "port-set"]);
      const portSet = entry["port-set"] as { psid: number };
      expect(Number.isInteger(portSet.psid) && portSet.psid >= 0 && portSet.psid < 16).toBe(true);
    }
    // binding-ipv6info is the YANG list key: unique.
    expect(new Set(entries.map((entry) => entry["binding-ipv6info"])).size).toBe(entries.length);

    // The same filters as /leases: one address.
    const one = (await (await get("bindings.json", "q=192.0.2.1")).json()) as { "binding-entry": unknown[] };
    expect(one["binding-entry"]).toHaveLength(1);
    // A bound lease whose IPv6 address is only the query source (no option 109) is left out.
    const sourceOnly = await t.db.lease.create({
      data: {
        poolId: seeded.sharedPoolId, address: BigInt(ip("192.0.2.14")), psid: 9, state: "BOUND", clientId: "ff00000009", ipv6Address: "fe80::9",
        softwireSource: false, startedAt: now, expiresAt: new Date(now.getTime() + 600_000), lastTransaction: now,
      },
    });
    expect(((await (await get("bindings.json", "q=192.0.2.14")).json()) as { "binding-entry": unknown[] })["binding-entry"]).toEqual([]);
    await t.db.lease.delete({ where: { id: sourceOnly.id } });
    // Nothing bound in the dedicated pool's table, and an empty list is still valid JSON.
    expect(await (await get("bindings.json", "pool=full-b")).json()).toEqual({ "binding-entry": [] });
  });

  it("exports the binding table as CSV with the YANG leaf names", async () => {
    const response = await get("bindings.csv", "q=192.0.2.1");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="portshare-bindings-all-2026-11-28.csv"');
    const { header, rows } = csvObjects(await response.text());
    expect(header).toEqual([...BINDING_CSV_COLUMNS]);
    expect(rows).toEqual([
      {
        "binding-ipv6info": "2001:db8:1::1", "binding-ipv4-addr": "192.0.2.1", "psid-offset": "6", "psid-len": "4", psid: "5",
        "br-ipv6-addr": "2001:db8:ffff::1", "expires-at": new Date(now.getTime() + 3_600_000).toISOString(),
        pool: "shared-a", "lease-id": String(seeded.ids.bound),
      },
    ]);
  });
});

describe.each(backends)("exports stream 20,000 leases a chunk at a time on %s", (backend) => {
  const LEASES = 20_000;
  let t: TestDatabase;
  let cookie: string;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    const pool = await t.db.pool.create({
      data: { name: "big", kind: "SHARED", firstAddress: BigInt(ip("10.0.0.0")), lastAddress: BigInt(ip("10.0.31.255")), psidOffset: 6, psidLength: 4, leaseTime: 3600 },
    });
    const start = new Date();
    const expires = new Date(start.getTime() + 3_600_000);
    for (let base = 0; base < LEASES; base += 1000) {
      const rows: Prisma.LeaseCreateManyInput[] = [];
      for (let n = base; n < base + 1000; n++) {
        rows.push({
          poolId: pool.id, address: BigInt(ip("10.0.0.0") + Math.floor(n / 15)), psid: 1 + (n % 15), state: "BOUND",
          clientId: `ff00000001000300010200${n.toString(16).padStart(8, "0")}`, hwAddress: null, ipv6Address: `2001:db8:b::${n.toString(16)}`,
          softwireSource: true, startedAt: start, expiresAt: expires, lastTransaction: start,
        });
      }
      await t.db.lease.createMany({ data: rows });
    }
    cookie = await sessionCookie(t.db, "stream-viewer");
  }, 300_000);
  afterAll(() => t.drop());

  for (const kind of ["leases.csv", "bindings.json"] as const) {
    it(`${kind}: reads the table in chunks of ${EXPORT_CHUNK_SIZE} only as the reader asks for them`, async () => {
      const chunks: number[] = [];
      const response = await exportResponse(kind, request(kind, "", cookie), t.db, { onChunk: (rows) => chunks.push(rows) });
      // Building the response reads nothing yet.
      expect(chunks).toEqual([]);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      // The first read needs one chunk; the stream may have asked for one more to keep its queue full.
      expect(chunks.length).toBeGreaterThanOrEqual(1);
      expect(chunks.length).toBeLessThanOrEqual(2);
      let text = decoder.decode(first.value!, { stream: true });
      let reads = 1;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads++;
        text += decoder.decode(value, { stream: true });
        // Never more than two chunks ahead of what was read.
        expect(chunks.length).toBeLessThanOrEqual(reads + 1);
      }
      // Every query took at most a chunk, and the table was read exactly once.
      expect(Math.max(...chunks)).toBeLessThanOrEqual(EXPORT_CHUNK_SIZE);
      expect(chunks.reduce((sum, n) => sum + n, 0)).toBe(LEASES);
      expect(chunks.length).toBeGreaterThanOrEqual(LEASES / EXPORT_CHUNK_SIZE);

      if (kind === "leases.csv") {
        const { rows } = csvObjects(text);
        expect(rows).toHaveLength(LEASES);
        expect(new Set(rows.map((row) => row.id)).size).toBe(LEASES);
      } else {
        const entries = (JSON.parse(text) as { "binding-entry": unknown[] })["binding-entry"];
        expect(entries).toHaveLength(LEASES);
      }
    });
  }

  it("stops reading the table when the download is cancelled", async () => {
    const chunks: number[] = [];
    const response = await exportResponse("leases.csv", request("leases.csv", "", cookie), t.db, { chunkSize: 500, onChunk: (rows) => chunks.push(rows) });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const seen = chunks.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(chunks.length).toBe(seen);
    expect(seen).toBeLessThanOrEqual(2);
  });
});
