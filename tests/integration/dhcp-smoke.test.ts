import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType, portParams, serverIdentifier, type PortParams } from "@/server/wire";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";
import { startTestServer, TEST_SERVER_ID, type TestServer } from "./support/dhcp-server";
import { ip, macOf, type TestClient } from "../support/test-client";

const backends = await testBackends();

describe.each(backends)("4o6 DORA over real UDP on %s", (backend) => {
  let t: TestDatabase;
  let server: TestServer;
  let client: TestClient;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await t.db.pool.create({
      data: { name: "shared-a", kind: "SHARED", firstAddress: BigInt(ip("192.0.2.0")), lastAddress: BigInt(ip("192.0.2.3")), psidOffset: 6, psidLength: 4, leaseTime: 3600 },
    });
    await t.db.pool.create({
      data: { name: "full-a", kind: "DEDICATED", firstAddress: BigInt(ip("198.51.100.0")), lastAddress: BigInt(ip("198.51.100.63")), leaseTime: 3600 },
    });
    server = await startTestServer(t);
    client = server.client;
  });
  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  it("leases a shared address with its port set: DISCOVER → OFFER, REQUEST → ACK", async () => {
    const mac = macOf(1);
    const offer = await client.query({ type: DhcpMessageType.DISCOVER, mac, shared: true });
    expect(offer?.type).toBe(DhcpMessageType.OFFER);
    const offered = portParams(offer!.dhcpv4) as PortParams;
    expect(offered).toMatchObject({ offset: 6, psidLength: 4 });
    expect(serverIdentifier(offer!.dhcpv4)).toBe(TEST_SERVER_ID);

    const ack = await client.query({
      type: DhcpMessageType.REQUEST, mac, shared: true, requestedIp: offer!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID, portParams: offered,
    });
    expect(ack?.type).toBe(DhcpMessageType.ACK);
    expect(ack!.dhcpv4.yiaddr).toBe(offer!.dhcpv4.yiaddr);
    expect(portParams(ack!.dhcpv4)).toEqual(offered);
    const lease = await t.db.lease.findFirstOrThrow({ where: { state: "BOUND" } });
    expect(Number(lease.address)).toBe(offer!.dhcpv4.yiaddr);
    expect(lease.psid).toBe(offered.psid);
  });

  it("leases a dedicated address to a client that did not ask for 159", async () => {
    const mac = macOf(2);
    const offer = await client.query({ type: DhcpMessageType.DISCOVER, mac });
    expect(offer?.type).toBe(DhcpMessageType.OFFER);
    expect(portParams(offer!.dhcpv4)).toBeUndefined();
    expect(offer!.dhcpv4.yiaddr >>> 8).toBe(ip("198.51.100.0") >>> 8);
    const ack = await client.query({ type: DhcpMessageType.REQUEST, mac, requestedIp: offer!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID });
    expect(ack?.type).toBe(DhcpMessageType.ACK);
  });
});
