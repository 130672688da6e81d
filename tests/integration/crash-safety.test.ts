// Crash safety of real worker processes (`npm run dhcp`): a worker killed with SIGKILL in the
// middle of a load loses no lease it ACKed (an ACK never leaves before its commit), a restarted
// worker renews every lease — its own and other workers' — and SIGTERM drains: the worker stops
// reading, finishes the commits in flight, sends their replies and exits 0.
// PostgreSQL: two workers on one database, each client's DISCOVER and REQUEST on different
// workers. SQLite (one machine, one worker): the same checks with one worker.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType, portParams, type PortParams } from "@/server/wire";
import { createTestDatabase, testBackends, type Backend, type TestDatabase } from "./support/databases";
import { Multiplexer, addPools, hex, leaseRows, muxAsk, sleep, type Ask } from "./dhcp/harness";
import { killAllWorkers, relayPath, spawnWorker, stopWorker, WORKER_SERVER_ID, type WorkerProcess } from "./support/worker-processes";
import { ip, macOf, rfc4361ClientIdOf } from "../support/test-client";

const backends = await testBackends();

const POOLS = [
  { name: "crash-shared", kind: "shared", range: "10.80.0.0/22", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
  { name: "crash-dedicated", kind: "dedicated", range: "10.81.0.0/23", leaseTime: 3600 },
];

interface Subscriber {
  n: number;
  init: Ask;
  id: string;
  ack?: { address: number; psid: number; params: PortParams | undefined; at: number; by: string };
}

const slotText = (address: number, psid: number) => `${address}/${psid}`;

describe.each(backends)("crash safety of worker processes on %s", (backend: Backend) => {
  const workerCount = backend === "postgresql" ? 2 : 1;
  const CLIENTS = backend === "postgresql" ? 500 : 300;
  let t: TestDatabase;
  let mux: Multiplexer;
  let workers: WorkerProcess[] = [];
  const subscribers: Subscriber[] = [];
  let killedAt = 0;

  const subscriber = (n: number): Subscriber => {
    const mac = macOf(900_000 + n);
    return { n, init: { mac, shared: n % 8 !== 0, via: relayPath(n, mux.port) }, id: hex(rfc4361ClientIdOf(mac)) };
  };

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await addPools(t.db, POOLS);
    mux = await Multiplexer.open();
    workers = await Promise.all(Array.from({ length: workerCount }, (_, i) => spawnWorker(`crash-${backend}-${i}`, { DATABASE_URL: t.url })));
  });

  afterAll(async () => {
    killAllWorkers();
    await Promise.all(workers.map((w) => w.exited));
    mux?.close();
    await t?.drop();
  });

  let restarted = false;
  /** The workers a client may still reach (the victim counts as gone from the moment it is killed). */
  const live = () => workers.filter((w) => w.alive() && !(w === workers[0] && killedAt > 0 && !restarted));

  /** DORA with the DISCOVER at one worker and the REQUEST at another (when there are two). */
  async function dora(s: Subscriber, discoverAt: WorkerProcess, requestAt: WorkerProcess): Promise<boolean> {
    const retransmit = { tries: 3, waitMs: 400 };
    const offer = await muxAsk(mux, discoverAt.port, DhcpMessageType.DISCOVER, s.init, retransmit);
    if (offer?.type !== DhcpMessageType.OFFER) return false;
    const ack = await muxAsk(
      mux,
      requestAt.port,
      DhcpMessageType.REQUEST,
      { ...s.init, requestedIp: offer.dhcpv4.yiaddr, serverId: ip(WORKER_SERVER_ID), portParams: portParams(offer.dhcpv4) },
      retransmit,
    );
    if (ack?.type !== DhcpMessageType.ACK) return false;
    const params = portParams(ack.dhcpv4);
    s.ack = { address: ack.dhcpv4.yiaddr, psid: params?.psid ?? 0, params, at: Date.now(), by: requestAt.name };
    return true;
  }

  /** A client tries up to four times, each time with workers that are still up (a client fails over). */
  async function bind(s: Subscriber): Promise<void> {
    for (let attempt = 0; attempt < 4 && !s.ack; attempt++) {
      const up = live();
      if (up.length === 0) return;
      const a = up[(s.n + attempt) % up.length]!;
      const b = up[(s.n + attempt + 1) % up.length]!;
      if (await dora(s, a, b)) return;
    }
  }

  it("loses no ACKed lease when a worker is killed with SIGKILL mid-load, and serves renewals after restart", async () => {
    for (let n = 0; n < CLIENTS; n++) subscribers.push(subscriber(n));
    let next = 0;
    let acked = 0;
    const victim = workers[0]!;
    await Promise.all(
      Array.from({ length: 48 }, async () => {
        while (next < subscribers.length) {
          const s = subscribers[next++]!;
          await bind(s);
          if (s.ack && ++acked >= CLIENTS / 3 && killedAt === 0) {
            killedAt = Date.now();
            victim.child.kill("SIGKILL");
          }
        }
      }),
    );
    expect(killedAt).toBeGreaterThan(0);
    expect((await victim.exited).signal).toBe("SIGKILL");

    const beforeKill = subscribers.filter((s) => s.ack && s.ack.at <= killedAt);
    expect(beforeKill.length).toBeGreaterThanOrEqual(Math.floor(CLIENTS / 3));
    if (workerCount > 1) {
      // The other worker carried on: every client is bound.
      expect(subscribers.filter((s) => !s.ack).map((s) => s.n)).toEqual([]);
    }

    // Every ACK a client received — before the kill above all — is a committed BOUND row with
    // that client on that (address, PSID).
    const rows = new Map((await leaseRows(t.db)).map((r) => [slotText(r.address, r.psid), r]));
    const lost = subscribers
      .filter((s) => s.ack)
      .filter((s) => {
        const row = rows.get(slotText(s.ack!.address, s.ack!.psid));
        return !row || row.state !== "BOUND" || row.clientId !== s.id;
      })
      .map((s) => `client ${s.n} (ACKed by ${s.ack!.by} ${s.ack!.at <= killedAt ? "before" : "after"} the kill)`);
    expect(lost).toEqual([]);

    // The killed worker comes back and renews every lease, its own and the other worker's.
    // (Info logging: the drain test below waits for its "SIGTERM: draining" line.)
    workers[0] = await spawnWorker(victim.name, { DATABASE_URL: t.url, LOG_LEVEL: "info" });
    restarted = true;
    const renewals = await Promise.all(
      subscribers
        .filter((s) => s.ack)
        .map(async (s) => {
          const ack = await muxAsk(
            mux,
            workers[0]!.port,
            DhcpMessageType.REQUEST,
            { ...s.init, ciaddr: s.ack!.address, portParams: s.ack!.params, unicast: true },
            { tries: 4, waitMs: 1000 },
          );
          const same = ack?.type === DhcpMessageType.ACK && ack.dhcpv4.yiaddr === s.ack!.address && (portParams(ack.dhcpv4)?.psid ?? 0) === s.ack!.psid;
          return same ? null : `client ${s.n}: ${ack ? `type ${ack.type}` : "no reply"}`;
        }),
    );
    expect(renewals.filter((r) => r !== null)).toEqual([]);

    // Clients the kill interrupted finish at the restarted worker.
    for (const s of subscribers.filter((c) => !c.ack)) await bind(s);
    expect(subscribers.filter((s) => !s.ack).map((s) => s.n)).toEqual([]);
    const bound = (await leaseRows(t.db)).filter((r) => r.state === "BOUND");
    expect(bound).toHaveLength(CLIENTS);
    expect(new Set(bound.map((r) => r.clientId)).size).toBe(CLIENTS);
  });

  it("drains on SIGTERM: queries read before the signal get their replies, later ones are not read, exit 0", async () => {
    const worker = workers[0]!;
    expect(worker.alive()).toBe(true);
    const inFlight = Array.from({ length: 60 }, (_, i) => subscriber(CLIENTS + i));
    const late = Array.from({ length: 5 }, (_, i) => subscriber(CLIENTS + 100 + i));
    // The queries in flight are REQUESTs: an ACK is what must never leave without its commit (a
    // single worker keeps its offers in memory, so the DISCOVERs are answered first).
    const offers = await Promise.all(inFlight.map((s) => muxAsk(mux, worker.port, DhcpMessageType.DISCOVER, s.init)));

    // PostgreSQL: a lock on the lease table holds the worker's commit, so the queries are
    // certainly in flight (read, not yet committed) when SIGTERM comes.
    let locker: pg.Client | undefined;
    if (backend === "postgresql") {
      locker = new pg.Client({ connectionString: t.url });
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE lease IN EXCLUSIVE MODE");
    }
    try {
      const replies = inFlight.map((s, i) => {
        const offer = offers[i]!;
        const request = { ...s.init, requestedIp: offer.dhcpv4.yiaddr, serverId: ip(WORKER_SERVER_ID), portParams: portParams(offer.dhcpv4) };
        return muxAsk(mux, worker.port, DhcpMessageType.REQUEST, request, { tries: 1, waitMs: 10_000 });
      });
      if (locker) {
        const until = Date.now() + 5000;
        for (;;) {
          // pg_locks, not pg_stat_activity: the latter is a snapshot taken once per transaction.
          const waiting = await locker.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'lease'::regclass");
          if (waiting.rows[0].n > 0) break;
          if (Date.now() > until) throw new Error(`the worker's commit never waited for the lock:\n${worker.output().slice(-3000)}`);
          await sleep(20);
        }
      }
      await sleep(200); // the rest of the burst is read meanwhile
      worker.child.kill("SIGTERM");
      // Once the signal is handled the socket is no longer read.
      const until = Date.now() + 5000;
      while (!/SIGTERM: draining/.test(worker.output())) {
        if (Date.now() > until) throw new Error(`the worker did not start draining:\n${worker.output().slice(-2000)}`);
        await sleep(10);
      }
      const lateReplies = late.map((s) => muxAsk(mux, worker.port, DhcpMessageType.DISCOVER, s.init, { tries: 1, waitMs: 1500 }));
      await sleep(300);
      await locker?.query("COMMIT");

      const answered = await Promise.all(replies);
      expect(await Promise.all(lateReplies)).toEqual(late.map(() => null));
      expect((await worker.exited).code).toBe(0);

      const rows = new Map((await leaseRows(t.db)).map((r) => [r.clientId, r]));
      // An ACK for every binding committed, a committed binding for every ACK.
      inFlight.forEach((s, i) => {
        const reply = answered[i];
        const row = rows.get(s.id);
        const bound = row?.state === "BOUND";
        if (locker) expect(reply?.type, `client ${s.n} was in flight at SIGTERM`).toBe(DhcpMessageType.ACK);
        expect(Boolean(reply), `client ${s.n}: ACK ${reply ? "sent" : "missing"}, binding ${bound ? "committed" : "not committed"}`).toBe(bound);
        if (reply && row) expect(slotText(row.address, row.psid)).toBe(slotText(reply.dhcpv4.yiaddr, portParams(reply.dhcpv4)?.psid ?? 0));
      });
      expect(answered.filter(Boolean).length).toBeGreaterThan(0);
      for (const s of late) expect(rows.get(s.id), `client ${s.n} asked after SIGTERM`).toBeUndefined();
    } finally {
      await locker?.end().catch(() => {});
    }
    // The other worker (PostgreSQL) drains too.
    for (const w of workers.slice(1)) expect((await stopWorker(w)).code).toBe(0);
  });
});
