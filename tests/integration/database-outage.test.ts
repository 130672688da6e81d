// A worker process under load while its PostgreSQL goes away and comes back (a private cluster
// this test starts with initdb + pg_ctl, so the shared server is never touched). While the
// database is down the worker must stay up, send no ACK (every ACK a client ever received is a
// committed BOUND row), and count what it drops as "database-unavailable"; once the database is
// back it answers again by itself, without a restart.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "@/server/db/client";
import { resolveDatabaseConfig } from "@/server/db/config";
import { applyMigrations } from "@/server/db/migrations";
import { DhcpMessageType, portParams } from "@/server/wire";
import { Multiplexer, addPools, hex, muxAsk, sleep } from "./dhcp/harness";
import { createPrivateCluster, type PrivateCluster } from "./support/private-postgres";
import { killAllWorkers, relayPath, scrapeMetrics, spawnWorker, stopWorker, WORKER_SERVER_ID, type WorkerProcess } from "./support/worker-processes";
import { ip, macOf, rfc4361ClientIdOf } from "../support/test-client";

const cluster = await createPrivateCluster();
if (typeof cluster === "string") console.warn(`database-outage.test.ts: cannot run a private PostgreSQL cluster (${cluster}); skipping the outage case`);

const POOLS = [{ name: "outage-shared", kind: "shared", range: "10.90.0.0/22", psidOffset: 6, psidLength: 4, leaseTime: 3600 }];

interface Ack {
  n: number;
  clientId: string;
  slot: string;
  at: number;
}

/** Clients doing DORA one after another in `window` lanes; a client that gets no answer tries again. */
class Load {
  readonly acks: Ack[] = [];
  private next = 0;
  private running = true;
  private readonly lanes: Promise<void>[];

  constructor(
    private readonly mux: Multiplexer,
    private readonly port: number,
    window: number,
  ) {
    this.lanes = Array.from({ length: window }, () => this.lane());
  }

  private async lane(): Promise<void> {
    while (this.running) {
      const n = this.next++;
      const init = { mac: macOf(300_000 + n), shared: true, via: relayPath(n, this.mux.port) };
      while (this.running && !(await this.dora(n, init))) await sleep(50);
    }
  }

  private async dora(n: number, init: { mac: Uint8Array; shared: boolean; via: ReturnType<typeof relayPath> }): Promise<boolean> {
    const once = { tries: 1, waitMs: 300 };
    const offer = await muxAsk(this.mux, this.port, DhcpMessageType.DISCOVER, init, once);
    if (offer?.type !== DhcpMessageType.OFFER) return false;
    const params = portParams(offer.dhcpv4);
    const ack = await muxAsk(this.mux, this.port, DhcpMessageType.REQUEST, { ...init, requestedIp: offer.dhcpv4.yiaddr, serverId: ip(WORKER_SERVER_ID), portParams: params }, once);
    if (ack?.type !== DhcpMessageType.ACK) return false;
    this.acks.push({ n, clientId: hex(rfc4361ClientIdOf(init.mac)), slot: `${ack.dhcpv4.yiaddr}/${portParams(ack.dhcpv4)?.psid ?? 0}`, at: Date.now() });
    return true;
  }

  acksSince(at: number): number {
    return this.acks.filter((a) => a.at >= at).length;
  }

  async until(condition: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
  }
}

const counter = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

describe.skipIf(typeof cluster === "string")("a worker while its PostgreSQL goes away and comes back", () => {
  const pgCluster = cluster as PrivateCluster;
  let worker: WorkerProcess;
  let mux: Multiplexer;
  let url: string;

  beforeAll(async () => {
    await pgCluster.start();
    const admin = new pg.Client({ connectionString: pgCluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE "portshare"');
    await admin.end();
    url = pgCluster.url("portshare");
    const config = resolveDatabaseConfig(url);
    await applyMigrations(config);
    const db = await createDatabase(config);
    await addPools(db, POOLS);
    await db.$disconnect();
    mux = await Multiplexer.open();
    worker = await spawnWorker("outage-worker", { DATABASE_URL: url }, { metrics: true });
  });

  afterAll(async () => {
    killAllWorkers();
    await worker?.exited;
    mux?.close();
    pgCluster.destroy();
  });

  it("drops and counts what it cannot commit, never ACKs without a commit, and resumes by itself", async () => {
    const metricsUrl = worker.metricsUrl!;
    const readyUrl = metricsUrl.replace("/metrics", "/ready");
    const load = new Load(mux, worker.port, 16);
    try {
      await load.until(() => load.acks.length >= 100, 20_000, "the first 100 ACKs");

      // The database goes away (every session ended, new connections refused).
      await pgCluster.stop("fast");
      const down = Date.now();
      await sleep(2500);
      expect(worker.alive(), worker.output()).toBe(true);
      // Nothing can commit now, so nothing is ACKed (a reply already on its way at the stop aside;
      // the check that counts is below: every ACK is a committed row).
      expect(load.acks.filter((a) => a.at > down + 1000)).toEqual([]);
      const during = await scrapeMetrics(metricsUrl);
      expect(counter(during, 'portshare_dhcp_packets_dropped_total{reason="database-unavailable"}')).toBeGreaterThan(0);
      expect(counter(during, 'portshare_dhcp_packets_dropped_total{reason="internal-error"}')).toBe(0);
      expect((await fetch(readyUrl)).status).toBe(503);

      // It comes back; the same worker process answers again.
      await pgCluster.start();
      const up = Date.now();
      await load.until(() => load.acksSince(up) >= 100, 30_000, "100 ACKs after the database returned");
      expect(worker.alive()).toBe(true);
      expect((await fetch(readyUrl)).status).toBe(200);
    } finally {
      await load.stop();
    }

    // Every ACK ever received is a committed BOUND row of that client on that (address, PSID).
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ client_id: string; slot: string; state: string }>(
      "SELECT client_id, address::text || '/' || psid::text AS slot, state FROM lease",
    );
    await client.end();
    const bySlot = new Map(rows.map((r) => [r.slot, r]));
    const uncommitted = load.acks.filter((a) => bySlot.get(a.slot)?.state !== "BOUND" || bySlot.get(a.slot)?.client_id !== a.clientId);
    expect(uncommitted).toEqual([]);
    expect(new Set(load.acks.map((a) => a.slot)).size).toBe(load.acks.length);

    expect(worker.output()).not.toMatch(/internal error/);
    expect((await stopWorker(worker)).code).toBe(0);
  });
});
