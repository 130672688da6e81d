// PORTSHARE_SOLE_WORKER: a worker that is alone on its PostgreSQL database keeps offers in memory
// and looks nothing up for other workers, as a SQLite worker does; by default a PostgreSQL worker
// writes its offers, so that other workers on the database see them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType, portParams } from "@/server/wire";
import { Multiplexer, addPools, hex, leaseRows, muxAsk } from "./dhcp/harness";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "./support/databases";
import { killAllWorkers, relayPath, spawnWorker, stopWorker, WORKER_SERVER_ID } from "./support/worker-processes";
import { ip, macOf, rfc4361ClientIdOf } from "../support/test-client";

const POOLS = [{ name: "sole-shared", kind: "shared", range: "10.99.0.0/28", psidOffset: 6, psidLength: 6, leaseTime: 3600 }];

describe.skipIf(!(await postgresAvailable()))("PORTSHARE_SOLE_WORKER on PostgreSQL", () => {
  let t: TestDatabase;
  let mux: Multiplexer;

  beforeAll(async () => {
    t = await createTestDatabase("postgresql");
    await addPools(t.db, POOLS);
    mux = await Multiplexer.open();
  });
  afterAll(async () => {
    killAllWorkers();
    mux?.close();
    await t?.drop();
  });

  /** DISCOVER, then what the database holds for the client, then REQUEST. */
  const doraAt = async (port: number, n: number) => {
    const mac = macOf(700_000 + n);
    const init = { mac, shared: true, via: relayPath(n, mux.port) };
    const offer = await muxAsk(mux, port, DhcpMessageType.DISCOVER, init);
    expect(offer?.type).toBe(DhcpMessageType.OFFER);
    const clientId = hex(rfc4361ClientIdOf(mac));
    const afterOffer = (await leaseRows(t.db)).filter((r) => r.clientId === clientId).map((r) => r.state);
    const ack = await muxAsk(mux, port, DhcpMessageType.REQUEST, { ...init, requestedIp: offer!.dhcpv4.yiaddr, serverId: ip(WORKER_SERVER_ID), portParams: portParams(offer!.dhcpv4) });
    expect(ack?.type).toBe(DhcpMessageType.ACK);
    const afterAck = (await leaseRows(t.db)).filter((r) => r.clientId === clientId).map((r) => r.state);
    return { afterOffer, afterAck };
  };

  it("writes offers by default, so that other workers on the database see them", async () => {
    const worker = await spawnWorker("shared-mode", { DATABASE_URL: t.url });
    expect(await doraAt(worker.port, 1)).toEqual({ afterOffer: ["OFFERED"], afterAck: ["BOUND"] });
    expect((await stopWorker(worker)).code).toBe(0);
  });

  it("keeps offers in memory when the worker is the only one", async () => {
    const worker = await spawnWorker("sole", { DATABASE_URL: t.url, PORTSHARE_SOLE_WORKER: "true" });
    expect(await doraAt(worker.port, 2)).toEqual({ afterOffer: [], afterAck: ["BOUND"] });
    expect((await stopWorker(worker)).code).toBe(0);
  });

  it("names the variable when its value is not a boolean", async () => {
    await expect(spawnWorker("sole-bad", { DATABASE_URL: t.url, PORTSHARE_SOLE_WORKER: "maybe" }, { readyMs: 20_000 })).rejects.toThrow(/PORTSHARE_SOLE_WORKER must be true or false/);
  });
});
