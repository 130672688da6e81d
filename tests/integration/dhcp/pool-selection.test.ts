// protocol.md §3.7, choosing the pool for a 4o6 client from DHCPv6 context (relay link-address,
// Interface-Id, IPv6 source prefix; unscoped pools serve the rest), and pools defined in a pool
// file (PORTSHARE_POOLS, server/alloc/pool-file.ts) serving clients over UDP.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPoolFile, loadPoolFile } from "@/server/alloc/pool-file";
import { DhcpMessageType, leaseTime, portParams, subnetMask, type Dhcpv6Message } from "@/server/wire";
import { testBackends } from "../support/databases";
import { ip, macOf, relayed } from "../../support/test-client";
import { Harness, addPools, discover, dora, sleep, viaRelay, type Ask, type Path } from "./harness";

const backends = await testBackends();

const POOLS = [
  { name: "by-link", kind: "dedicated", range: "198.51.100.10-198.51.100.19", leaseTime: 3600, linkAddressPrefix: "2001:db8:1::/48" },
  { name: "by-iface", kind: "dedicated", range: "198.51.100.20-198.51.100.29", leaseTime: 3600, interfaceId: "port-7" },
  { name: "by-other-source", kind: "dedicated", range: "198.51.100.30-198.51.100.39", leaseTime: 3600, sourcePrefix: "2001:db8:ffff::/48" },
  { name: "unscoped", kind: "dedicated", range: "198.51.100.40-198.51.100.49", leaseTime: 3600 },
];
const BY_SOURCE = { name: "by-source", kind: "dedicated", range: "198.51.100.50-198.51.100.59", leaseTime: 3600, sourcePrefix: "::1/128" };

const poolOf = (address: number) => {
  const last = address & 255;
  return last < 20 ? "by-link" : last < 30 ? "by-iface" : last < 40 ? "by-other-source" : last < 50 ? "unscoped" : "by-source";
};

/** Two relays: the one next to the client (link-address, Interface-Id) and one relaying it. */
const twoRelays =
  (inner: { linkAddress: string; interfaceId?: string }, outer: { linkAddress: string; interfaceId?: string }): Path =>
  (m: Dhcpv6Message) =>
    relayed(m, [
      { peerAddress: "fe80::2", ...inner },
      { peerAddress: "2001:db8:9::2", ...outer },
    ]);

describe.each(backends)("pool selection (protocol.md §3.7) on %s", (backend) => {
  let h: Harness;
  let n = 7000;
  const client = (via: Path | undefined): Ask => ({ mac: macOf(n++), via });
  const poolFor = async (via?: Path) => poolOf((await discover(h.client, client(via))).dhcpv4.yiaddr);

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("serves a relayed client whose relay link-address is inside a pool's prefix from that pool", async () => {
    expect(await poolFor(viaRelay({ linkAddress: "2001:db8:1:42::1" }))).toBe("by-link");
  });

  it("serves a client whose nearest relay sends a matching Interface-Id from that pool", async () => {
    expect(await poolFor(viaRelay({ interfaceId: "port-7" }))).toBe("by-iface");
    // Exact bytes: a longer or differently cased id does not match.
    expect(await poolFor(viaRelay({ interfaceId: "port-77" }))).toBe("unscoped");
    expect(await poolFor(viaRelay({ interfaceId: "PORT-7" }))).toBe("unscoped");
  });

  it("serves every other client from the unscoped pools: other link-addresses, other sources, direct queries", async () => {
    expect(await poolFor(viaRelay({ linkAddress: "2001:db8:2::1" }))).toBe("unscoped");
    expect(await poolFor(undefined)).toBe("unscoped");
  });

  it("uses the first global link-address from the client outwards, and the Interface-Id of the relay nearest the client", async () => {
    // A link-local link-address says nothing about the client's link; the next relay's global one does.
    expect(await poolFor(twoRelays({ linkAddress: "fe80::1" }, { linkAddress: "2001:db8:1::9" }))).toBe("by-link");
    // An Interface-Id of the outer relay names the inner relay's port, not the client's.
    expect(await poolFor(twoRelays({ linkAddress: "::" }, { linkAddress: "::", interfaceId: "port-7" }))).toBe("unscoped");
    expect(await poolFor(twoRelays({ linkAddress: "::", interfaceId: "port-7" }, { linkAddress: "::" }))).toBe("by-iface");
  });

  it("serves clients by the IPv6 source prefix of the datagram once such a pool exists, and keeps configuration order", async () => {
    await addPools(h.db, [BY_SOURCE]);
    // The pool change reaches the running server by signal; wait for the reload.
    for (let i = 0; i < 100 && h.server.allocator.poolUsage().length < 5; i++) await sleep(10);
    expect(h.server.allocator.poolUsage()).toHaveLength(5);
    expect(await poolFor(undefined)).toBe("by-source");
    // Relayed queries come from ::1 too; the first configured matching pool serves them.
    expect(await poolFor(viaRelay({ linkAddress: "2001:db8:1::3" }))).toBe("by-link");
    expect(await poolFor(viaRelay({ linkAddress: "2001:db8:3::3" }))).toBe("by-source");
  });
});

describe.each(backends)("pools from a pool file (PORTSHARE_POOLS) on %s", (backend) => {
  let h: Harness;
  let dir: string;
  const write = (name: string, pools: unknown[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify({ pools }, null, 2));
    return file;
  };
  const FILE_POOLS = [
    { name: "file-shared", kind: "shared", range: "192.0.2.0/29", psidOffset: 6, psidLength: 6, reservedPorts: ["5060"], leaseTime: 7200 },
    { name: "file-dedicated", kind: "dedicated", range: "203.0.113.0/28", leaseTime: 600 },
  ];
  const log = { info: () => {} };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "portshare-pools-"));
    const file = write("pools.json", FILE_POOLS);
    // As server/main/start-worker.ts does: apply the file, then start the allocator.
    h = await Harness.start(backend, [], {}, async (db) => {
      const outcome = await applyPoolFile(db, await loadPoolFile(file), log);
      expect(outcome.created).toEqual(["file-shared", "file-dedicated"]);
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leases a shared address with the file's PSID layout and lease time", async () => {
    const { ack, grant } = await dora(h.client, { mac: macOf(8001), shared: true });
    expect(grant.address >= ip("192.0.2.0") && grant.address <= ip("192.0.2.7")).toBe(true);
    expect(grant.params).toMatchObject({ offset: 6, psidLength: 6 });
    expect(leaseTime(ack.dhcpv4)).toBeGreaterThanOrEqual(7199);
    expect(leaseTime(ack.dhcpv4)).toBeLessThanOrEqual(7200);
  });

  it("leases a dedicated address inside the file's prefix, less its network and broadcast address", async () => {
    for (let i = 0; i < 14; i++) {
      const { ack, grant } = await dora(h.client, { mac: macOf(8100 + i) });
      expect(grant.address > ip("203.0.113.0") && grant.address < ip("203.0.113.15")).toBe(true);
      expect(subnetMask(ack.dhcpv4)).toBe(ip("255.255.255.240"));
      expect(portParams(ack.dhcpv4)).toBeUndefined();
    }
    // 14 usable addresses: the 15th client gets none.
    expect(await h.client.query({ type: DhcpMessageType.DISCOVER, mac: macOf(8199) }, 300)).toBeNull();
  });

  it("applies a changed file to the running server: unchanged pools stay, a new pool serves at once", async () => {
    const file = write("pools-2.json", [...FILE_POOLS, { name: "file-extra", kind: "dedicated", range: "203.0.113.64/28", leaseTime: 600, interfaceId: "extra" }]);
    const outcome = await applyPoolFile(h.db, await loadPoolFile(file), log);
    expect(outcome).toMatchObject({ created: ["file-extra"], updated: [], unchanged: ["file-shared", "file-dedicated"] });
    for (let i = 0; i < 100 && h.server.allocator.poolUsage().length < 3; i++) await sleep(10);
    const { grant } = await dora(h.client, { mac: macOf(8200), via: viaRelay({ interfaceId: "extra" }) });
    expect(grant.address > ip("203.0.113.64") && grant.address < ip("203.0.113.79")).toBe(true);
  });
});
