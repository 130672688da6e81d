import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { leaseChanges } from "@/server/alloc/change-signal";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";
import { callerAs, ip, mac, RELAY_CHAIN, seedLeases, seedOperators, type SeededLeases } from "./support/lease-seed";

const backends = await testBackends();

describe.each(backends)("lease search, detail and revocation through tRPC on %s", (backend) => {
  let t: TestDatabase;
  let seeded: SeededLeases;
  let admin: ReturnType<typeof callerAs>;
  let viewer: ReturnType<typeof callerAs>;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    seeded = await seedLeases(t.db);
    const operators = await seedOperators(t.db);
    admin = callerAs(t.db, { ...operators.admin, role: "ADMIN" });
    viewer = callerAs(t.db, { ...operators.viewer, role: "VIEWER" });
  });
  afterAll(() => t.drop());

  /** The error a call fails with: code and message. */
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof TRPCError) return { code: error.code, message: error.message };
      throw error;
    }
    throw new Error("the call succeeded");
  };

  const ids = async (input: Parameters<typeof viewer.leases.list>[0]) => (await viewer.leases.list({ pageSize: 500, ...input })).rows.map((row) => row.id).sort((a, b) => a - b);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

  describe("search", () => {
    it("lists every lease, newest first, with rows shaped for the console", async () => {
      const page = await viewer.leases.list({});
      expect(page.total).toBe(seeded.total);
      expect(page.rows.length).toBe(Math.min(50, seeded.total));
      const rowIds = page.rows.map((row) => row.id);
      expect(rowIds).toEqual([...rowIds].sort((a, b) => b - a));

      const bound = (await viewer.leases.list({ q: "192.0.2.1", pageSize: 10 })).rows.find((row) => row.id === seeded.ids.bound)!;
      expect(bound).toMatchObject({
        address: "192.0.2.1",
        psid: 5,
        pool: { name: "shared-a", kind: "SHARED", psidOffset: 6, psidLength: 4 },
        state: "BOUND",
        live: true,
        hwAddress: mac("a1"),
        ipv6Address: "2001:db8:1::1",
        softwireSource: true,
      });
      // RFC 7597 §5.1, a = 6, k = 4, PSID 5: 63 ranges of 64 ports from 1344-1407 to 64832-64895.
      expect(bound.portSet).toBe("63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895");
      expect(bound.client).toMatchObject({ kind: "rfc4361", iaid: 1, duid: { typeName: "DUID-LL", short: mac("a1") } });
      expect(bound.client.summary).toBe(`IAID 1 · DUID-LL ${mac("a1")}`);

      const dedicated = (await viewer.leases.list({ pool: "full-b", pageSize: 10 })).rows.find((row) => row.id === seeded.ids.dedicated)!;
      expect(dedicated).toMatchObject({ address: "198.51.100.5", psid: null, portSet: null });
      expect(dedicated.client).toMatchObject({ kind: "hardware", hardwareType: 1, address: mac("a5") });
    });

    it("finds leases by part of the client identifier, with or without separators", async () => {
      expect(await ids({ q: "0200000000a1" })).toEqual([seeded.ids.bound]);
      expect(await ids({ q: "02:00:00:00:00:A1", field: "client" })).toEqual([seeded.ids.bound]);
      expect(await ids({ q: "ff00000007", field: "client" })).toEqual(seeded.bulkIds);
      // A client id without option 61 ("01" + chaddr).
      expect(await ids({ q: "010200000000a5" })).toEqual([seeded.ids.dedicated]);
    });

    it("finds leases by address, prefix, range and first octets", async () => {
      expect(await ids({ q: "192.0.2.1" })).toEqual(sorted([seeded.ids.bound, seeded.ids.offered]));
      expect(await ids({ q: "192.0.2.0/30" })).toEqual(sorted([seeded.ids.bound, seeded.ids.offered, seeded.ids.released, seeded.ids.expired]));
      expect(await ids({ q: "198.51.100.5-198.51.100.6" })).toEqual(sorted([seeded.ids.dedicated, seeded.ids.declined]));
      expect(await ids({ q: "198.51.100", field: "ipv4" })).toEqual(sorted([seeded.ids.dedicated, seeded.ids.declined]));
      expect((await ids({ q: "192.0.2.4 - 192.0.2.5" })).length).toBe(8);
    });

    it("finds leases by IPv6 address or part of one", async () => {
      expect(await ids({ q: "2001:db8:1::1" })).toEqual([seeded.ids.bound]);
      // Written in full, found in its RFC 5952 form.
      expect(await ids({ q: "2001:0DB8:0001:0000:0000:0000:0000:0003" })).toEqual([seeded.ids.released]);
      expect(await ids({ q: "2001:db8:2:", field: "ipv6" })).toEqual(sorted([seeded.ids.dedicated, seeded.ids.declined]));
    });

    it("finds leases by MAC address or part of one", async () => {
      expect(await ids({ q: mac("a5") })).toEqual([seeded.ids.dedicated]);
      expect(await ids({ q: "02-00-00-00-00-a6", field: "mac" })).toEqual([seeded.ids.declined]);
      expect(await ids({ q: "0200000000a4", field: "mac" })).toEqual([seeded.ids.expired]);
      expect((await ids({ q: "02:00:5e", field: "mac" })).length).toBe(24); // 32 bulk leases, every fourth without a MAC
    });

    it("filters by pool and state, and combines them with the search", async () => {
      expect(await ids({ pool: "full-b" })).toEqual(sorted([seeded.ids.dedicated, seeded.ids.declined]));
      expect(await ids({ state: "released,declined" })).toEqual(sorted([seeded.ids.released, seeded.ids.declined]));
      expect(await ids({ state: "OFFERED" })).toEqual([seeded.ids.offered]);
      // Live: offered or bound and not expired (the expired BOUND lease is not live).
      const live = await ids({ state: "live" });
      expect(live).toEqual(sorted([seeded.ids.bound, seeded.ids.offered, seeded.ids.dedicated, ...seeded.bulkIds]));
      expect(await ids({ pool: "shared-a", state: "bound", q: "192.0.2.0/30" })).toEqual(sorted([seeded.ids.bound, seeded.ids.expired]));
      expect(await ids({ pool: "no-such-pool" })).toEqual([]);
    });

    it("sorts in the database by each column, both ways", async () => {
      const all = async (sort: string, dir: "asc" | "desc") => (await viewer.leases.list({ sort, dir, pageSize: 500 })).rows;
      const asc = await all("address", "asc");
      const keys = asc.map((row) => ip(row.address) * 65536 + (row.psid ?? 0));
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      const desc = await all("address", "desc");
      expect(desc.map((row) => row.id)).toEqual(asc.map((row) => row.id).reverse());

      const byExpiry = (await all("expiresAt", "asc")).map((row) => row.expiresAt.getTime());
      expect(byExpiry).toEqual([...byExpiry].sort((a, b) => a - b));
      const byPool = (await all("pool", "desc")).map((row) => row.pool.name);
      expect(byPool.indexOf("shared-a")).toBeLessThan(byPool.lastIndexOf("full-b"));
      expect(byPool.slice(0, byPool.lastIndexOf("shared-a") + 1).every((name) => name === "shared-a")).toBe(true);

      // Leases without a MAC come last, in both directions.
      for (const dir of ["asc", "desc"] as const) {
        const macs = (await all("hwAddress", dir)).map((row) => row.hwAddress);
        const firstNull = macs.indexOf(null);
        expect(macs.slice(firstNull).every((value) => value === null)).toBe(true);
        const present = macs.slice(0, firstNull) as string[];
        const expected = [...present].sort();
        expect(present).toEqual(dir === "asc" ? expected : expected.reverse());
      }
      const byClient = (await all("clientId", "asc")).map((row) => row.clientId);
      expect(byClient).toEqual([...byClient].sort());
    });

    it("pages through the results", async () => {
      const first = await viewer.leases.list({ pageSize: 10, sort: "address", dir: "asc" });
      const second = await viewer.leases.list({ pageSize: 10, page: 2, sort: "address", dir: "asc" });
      const everything = await viewer.leases.list({ pageSize: 500, sort: "address", dir: "asc" });
      expect(first.total).toBe(seeded.total);
      expect(second.page).toBe(2);
      expect(second.rows.map((row) => row.id)).toEqual(everything.rows.slice(10, 20).map((row) => row.id));
      expect(first.rows.map((row) => row.id)).toEqual(everything.rows.slice(0, 10).map((row) => row.id));
      // URL text works too (the page passes searchParams through).
      expect((await viewer.leases.list({ page: "2", pageSize: 10, sort: "address", dir: "asc" })).rows.map((row) => row.id)).toEqual(second.rows.map((row) => row.id));
      expect((await viewer.leases.list({ page: 99, pageSize: 10 })).rows).toEqual([]);
    });

    it("refuses unreadable input with a message that names the field", async () => {
      expect(await failure(viewer.leases.list({ q: "hello world" }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^q: "hello world" is not a client identifier/) });
      expect(await failure(viewer.leases.list({ q: "192.0.2.300" }))).toMatchObject({ message: expect.stringMatching(/^q: "192\.0\.2\.300" is not an IPv4 address/) });
      expect(await failure(viewer.leases.list({ q: "192.0.2.1/24" }))).toMatchObject({ message: "q: 192.0.2.1/24 has host bits set; the prefix is 192.0.2.0/24" });
      expect(await failure(viewer.leases.list({ q: "192.0.2.9-192.0.2.1" }))).toMatchObject({ message: expect.stringMatching(/^q: The range ends/) });
      expect(await failure(viewer.leases.list({ q: "2001:db8::1", field: "mac" }))).toMatchObject({ message: expect.stringMatching(/^q: .* is not a MAC address/) });
      expect(await failure(viewer.leases.list({ field: "color" }))).toMatchObject({ message: expect.stringMatching(/^field: Search in must be one of/) });
      expect(await failure(viewer.leases.list({ state: "bound,lost" }))).toMatchObject({ message: expect.stringMatching(/^state: Unknown state "LOST"/) });
      expect(await failure(viewer.leases.list({ pool: "a b" }))).toMatchObject({ message: expect.stringMatching(/^pool: Pool is a pool name/) });
      expect(await failure(viewer.leases.list({ sort: "secret" }))).toMatchObject({ message: expect.stringMatching(/^sort: Sort must be one of/) });
      expect(await failure(viewer.leases.list({ page: "0" }))).toMatchObject({ message: "page: Page starts at 1" });
      expect(await failure(viewer.leases.list({ page: "two" }))).toMatchObject({ message: "page: Page must be a number" });
    });

    it("needs a signed-in operator", async () => {
      expect(await failure(callerAs(t.db, null).leases.list({}))).toMatchObject({ code: "UNAUTHORIZED" });
    });
  });

  describe("detail", () => {
    it("shows the port ranges in full, the relay chain, the decoded client id and the history", async () => {
      const lease = await viewer.leases.get({ id: seeded.ids.bound });
      expect(lease.portRanges).toHaveLength(63);
      expect(lease.portRanges[0]).toBe("1344-1407");
      expect(lease.portRanges[62]).toBe("64832-64895");
      expect(lease.pool).toMatchObject({ name: "shared-a", brAddress: "2001:db8:ffff::1", leaseTime: 3600 });
      expect(lease.relayChain).toEqual([
        { hopCount: 0, linkAddress: "2001:db8:100::1", peerAddress: "fe80::a1", interfaceId: RELAY_CHAIN[0]!.interfaceId, interfaceIdText: "ge-0/0/1.100" },
        { hopCount: 1, linkAddress: "::", peerAddress: "2001:db8:100::1", interfaceId: null, interfaceIdText: null },
      ]);
      expect(lease.client).toMatchObject({ kind: "rfc4361", iaid: 1, duid: { type: 3, hex: `00030001${mac("a1").replaceAll(":", "")}` } });
      expect(lease.history.map((event) => [event.fromState, event.toState, event.actorKind, event.actorName])).toEqual([
        [null, "OFFERED", "client", "DISCOVER"],
        ["OFFERED", "BOUND", "client", "REQUEST"],
      ]);
      expect(lease.revokeQuarantineUntil?.getTime()).toBe(lease.expiresAt.getTime());
      expect((await viewer.leases.get({ id: seeded.ids.released })).revokeQuarantineUntil).toBeNull();
    });

    it("answers NOT_FOUND for an unknown lease", async () => {
      expect(await failure(viewer.leases.get({ id: 999_999 }))).toMatchObject({ code: "NOT_FOUND", message: "No lease with id 999999" });
      expect(await failure(viewer.leases.get({ id: -1 }))).toMatchObject({ code: "BAD_REQUEST", message: "id: id must be a lease id" });
    });
  });

  describe("revocation", () => {
    it("refuses viewers with FORBIDDEN, and changes nothing", async () => {
      expect(await failure(viewer.leases.revoke({ id: seeded.ids.offered }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await failure(viewer.leases.revokeMatching({ filter: { pool: "shared-a" }, expectedCount: 1 }))).toMatchObject({ code: "FORBIDDEN" });
      expect((await viewer.leases.get({ id: seeded.ids.offered })).state).toBe("OFFERED");
      expect(await t.db.auditLog.count({ where: { action: { startsWith: "lease." } } })).toBe(0);
    });

    it("revokes one lease: REVOKED, quarantined until its expiry, a history event and an audit row", async () => {
      const before = await t.db.lease.findUniqueOrThrow({ where: { id: seeded.ids.offered } });
      const notified: number[][] = [];
      const unsubscribe = leaseChanges.subscribe((changed) => notified.push([...changed]));
      try {
        const result = await admin.leases.revoke({ id: seeded.ids.offered, reason: "abuse ticket 42" });
        expect(result.quarantineUntil.getTime()).toBe(before.expiresAt.getTime());
      } finally {
        unsubscribe();
      }
      expect(notified).toEqual([[seeded.ids.offered]]);
      const lease = await viewer.leases.get({ id: seeded.ids.offered });
      expect(lease).toMatchObject({ state: "REVOKED", live: false });
      expect(lease.quarantineUntil?.getTime()).toBe(before.expiresAt.getTime());
      expect(lease.history.at(-1)).toMatchObject({ fromState: "OFFERED", toState: "REVOKED", actor: "operator:lease-admin", detail: "abuse ticket 42" });
      const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "lease.revoke" } });
      expect(audit).toMatchObject({ actor: "lease-admin", target: `lease ${seeded.ids.offered}` });
      expect(JSON.parse(audit.after!)).toMatchObject({ state: "REVOKED", reason: "abuse ticket 42" });

      expect(await failure(admin.leases.revoke({ id: seeded.ids.offered }))).toMatchObject({ code: "CONFLICT", message: `Lease ${seeded.ids.offered} is revoked, not live` });
      expect(await failure(admin.leases.revoke({ id: seeded.ids.expired }))).toMatchObject({ code: "CONFLICT", message: `Lease ${seeded.ids.expired} is expired, not live` });
    });

    it("counts the live leases a filter would revoke, with their quarantine", async () => {
      const count = await viewer.leases.revocable({ pool: "shared-a", q: "192.0.2.4-192.0.2.5" });
      expect(count.count).toBe(8);
      const leases = await t.db.lease.findMany({ where: { address: { gte: BigInt(ip("192.0.2.4")), lte: BigInt(ip("192.0.2.5")) } } });
      const expiries = leases.map((lease) => lease.expiresAt.getTime());
      expect(count.quarantineFrom?.getTime()).toBe(Math.min(...expiries));
      expect(count.quarantineUntil?.getTime()).toBe(Math.max(...expiries));
      // Released and expired leases are not live: nothing to revoke.
      expect((await viewer.leases.revocable({ state: "released" })).count).toBe(0);
      expect((await viewer.leases.revocable({ q: "192.0.2.3" })).count).toBe(0);
    });

    it("revokes every live lease matching the filter after the count is confirmed", async () => {
      const filter = { pool: "shared-a", q: "192.0.2.4-192.0.2.5" };
      // A stale count is refused with the current one, and nothing changes.
      const stale = await failure(admin.leases.revokeMatching({ filter, expectedCount: 7 }));
      expect(stale).toMatchObject({ code: "CONFLICT", message: "The filter now matches 8 live leases, not 7; check the count and confirm again" });
      expect((await viewer.leases.revocable(filter)).count).toBe(8);

      const targets = await t.db.lease.findMany({ where: { address: { gte: BigInt(ip("192.0.2.4")), lte: BigInt(ip("192.0.2.5")) } }, orderBy: { id: "asc" } });
      const notified: number[][] = [];
      const unsubscribe = leaseChanges.subscribe((changed) => notified.push([...changed]));
      let result;
      try {
        result = await admin.leases.revokeMatching({ filter, expectedCount: 8, reason: "decommissioned CPEs" });
      } finally {
        unsubscribe();
      }
      expect(result.revoked).toBe(8);
      // One signal with every id, so the allocator reloads them at once.
      expect(notified).toHaveLength(1);
      expect(sorted(notified[0]!)).toEqual(targets.map((lease) => lease.id));

      for (const before of targets) {
        const after = await t.db.lease.findUniqueOrThrow({ where: { id: before.id }, include: { events: true } });
        expect(after.state).toBe("REVOKED");
        expect(after.quarantineUntil?.getTime()).toBe(before.expiresAt.getTime());
        expect(after.events).toHaveLength(1);
        expect(after.events[0]).toMatchObject({ fromState: "BOUND", toState: "REVOKED", actor: "operator:lease-admin", detail: "decommissioned CPEs (bulk revoke)", clientId: before.clientId });
      }
      expect(result.quarantineFrom.getTime()).toBe(Math.min(...targets.map((lease) => lease.expiresAt.getTime())));
      expect(result.quarantineUntil.getTime()).toBe(Math.max(...targets.map((lease) => lease.expiresAt.getTime())));

      // One audit row for the whole action: the filter, the count, the quarantine.
      const audits = await t.db.auditLog.findMany({ where: { action: "lease.revokeMatching" } });
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ actor: "lease-admin", target: "8 leases matching q=192.0.2.4-192.0.2.5, pool=shared-a" });
      expect(JSON.parse(audits[0]!.before!)).toEqual({ filter: { q: "192.0.2.4-192.0.2.5", pool: "shared-a" }, count: 8, states: { BOUND: 8 } });
      expect(JSON.parse(audits[0]!.after!)).toMatchObject({ state: "REVOKED", count: 8, reason: "decommissioned CPEs", quarantineUntil: result.quarantineUntil.toISOString() });

      // Done: the same filter now matches no live lease.
      expect(await failure(admin.leases.revokeMatching({ filter, expectedCount: 8 }))).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("now matches 0 live leases") });
      expect(await failure(admin.leases.revokeMatching({ filter, expectedCount: 0 }))).toMatchObject({ code: "BAD_REQUEST", message: "No live lease matches this filter; there is nothing to revoke" });
      // Other leases are untouched.
      expect((await viewer.leases.get({ id: seeded.ids.bound })).state).toBe("BOUND");
    });

    it("names the field of a bad bulk request", async () => {
      expect(await failure(admin.leases.revokeMatching({ filter: { q: "nonsense!" }, expectedCount: 1 }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^filter\.q: /) });
      expect(await failure(admin.leases.revokeMatching({ filter: {}, expectedCount: -1 }))).toMatchObject({ message: "expectedCount: expectedCount cannot be negative" });
    });

    it("keeps revoked slots out of later bulk revokes and records each action", async () => {
      const live = await viewer.leases.revocable({ q: "010200000000a5" });
      expect(live.count).toBe(1);
      await admin.leases.revokeMatching({ filter: { q: "010200000000a5" }, expectedCount: 1 });
      expect((await viewer.leases.get({ id: seeded.ids.dedicated })).state).toBe("REVOKED");
      expect(await t.db.auditLog.count({ where: { action: "lease.revokeMatching" } })).toBe(2);
      const audit = await viewer.audit.list({ action: "lease.revokeMatching" });
      expect(audit.rows[0]).toMatchObject({ actor: "lease-admin", target: "1 lease matching q=010200000000a5" });
    });
  });
});
