// The 4o6 hot path writes with its own prepared statements on the very SQLite connection that
// Prisma holds (server/db/client.ts). These tests hold one of Prisma's interactive transactions
// open while clients are served, and check that neither side's writes end up in the other's
// transaction: the ACK waits for Prisma's transaction, both commits survive, and a rolled-back
// Prisma transaction takes no binding with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType, portParams } from "@/server/wire";
import { createTestDatabase, type TestDatabase } from "./support/databases";
import { startTestServer, TEST_SERVER_ID, type TestServer } from "./support/dhcp-server";
import { ip, macOf } from "../support/test-client";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("hot path and Prisma transactions on one SQLite connection", () => {
  let t: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    t = await createTestDatabase("sqlite");
    await t.db.pool.create({
      data: { name: "shared", kind: "SHARED", firstAddress: BigInt(ip("192.0.2.0")), lastAddress: BigInt(ip("192.0.2.15")), psidOffset: 6, psidLength: 4, leaseTime: 3600 },
    });
    server = await startTestServer(t);
  });
  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  const dora = async (n: number) => {
    const mac = macOf(n);
    const offer = await server.client.query({ type: DhcpMessageType.DISCOVER, mac, shared: true });
    expect(offer?.type).toBe(DhcpMessageType.OFFER);
    return {
      mac,
      request: () =>
        server.client.query({ type: DhcpMessageType.REQUEST, mac, shared: true, requestedIp: offer!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: portParams(offer!.dhcpv4) }, 5000),
    };
  };

  it("answers a REQUEST only after an open Prisma transaction has committed, and keeps both writes", async () => {
    const client = await dora(1);
    let prismaCommitted = 0;
    const prisma = t.db.$transaction(async (tx) => {
      await tx.auditLog.create({ data: { actor: "test", action: "hold", target: "connection" } });
      await sleep(400);
      prismaCommitted = Date.now();
    }, { timeout: 10_000 });
    await sleep(50); // Prisma's BEGIN has run
    const ack = await client.request();
    const ackAt = Date.now();
    await prisma;
    expect(ack?.type).toBe(DhcpMessageType.ACK);
    expect(prismaCommitted).toBeGreaterThan(0);
    expect(ackAt).toBeGreaterThanOrEqual(prismaCommitted);
    expect(await t.db.auditLog.count({ where: { action: "hold" } })).toBe(1);
    expect(await t.db.lease.count({ where: { state: "BOUND" } })).toBe(1);
  });

  it("keeps a binding made while a Prisma transaction was open even when that transaction rolls back", async () => {
    const client = await dora(2);
    const prisma = t.db
      .$transaction(async (tx) => {
        await tx.auditLog.create({ data: { actor: "test", action: "rolled-back", target: "connection" } });
        await sleep(300);
        throw new Error("operator cancelled");
      }, { timeout: 10_000 })
      .catch((error: Error) => error.message);
    await sleep(50);
    const ack = await client.request();
    expect(await prisma).toBe("operator cancelled");
    expect(ack?.type).toBe(DhcpMessageType.ACK);
    expect(await t.db.auditLog.count({ where: { action: "rolled-back" } })).toBe(0);
    expect(await t.db.lease.count({ where: { state: "BOUND" } })).toBe(2);
  });
});
