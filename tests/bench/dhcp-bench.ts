// The dhcp section of `npm run bench`: Portshare worker(s) on a temporary database with a /16
// shared pool of PSID length 6 (4M port sets) and a /16 dedicated pool, ISC Kea in 4o6 mode
// beside it when installed (issue 7: compare in one run), both driven over [::1] by the same
// load generator, after the generator's own ceiling against a trivial echo server.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { cannedResponses } from "./echo-responses";
import { keaAvailable, startKea4o6, type KeaServer } from "./kea";
import { runLoad, type HeldLease, type LoadMode, type LoadOptions, type LoadResult, type LoadSpread, type LoadTarget } from "./load-generator";
import { buildNative, nativeLoadAvailable, runNativeLoad } from "./native-load";
import { cpuSeconds, freeUdpPort, stopChild, waitForLine } from "./processes";

const root = path.resolve(import.meta.dirname, "..", "..");

export interface DhcpBenchOptions {
  postgres: boolean;
  clients: number;
  windows: number[];
  maxSeconds: number;
  workers: number;
  spreads: LoadSpread[];
  /** "native" (tests/bench/native/load4o6.c) unless gcc cannot build it, or "ts" (runLoad). */
  generator?: "native" | "ts";
  /** Run Kea beside Portshare when it is installed (default true). */
  kea: boolean;
  /** PORTSHARE_SOLE_WORKER (PostgreSQL, one worker): offers in memory, no lookups of other workers' leases. */
  soleWorker?: boolean;
  /** SQLITE_SYNCHRONOUS of the worker: FULL (the default: every ACK's commit is on disk) or NORMAL. */
  sqliteSynchronous?: "FULL" | "NORMAL";
}

type Load = (options: LoadOptions, held?: HeldLease[]) => Promise<LoadResult>;

interface Row {
  server: "portshare" | "kea" | "echo";
  label: string;
  result: LoadResult;
  spread?: LoadSpread;
  /** Server CPU (all its processes) per completed exchange, in microseconds. */
  cpuMicros?: number;
}


function printTable(title: string, rows: Row[], countDuplicates = true) {
  console.log(`\n${title}`);
  console.log("mode               window  clients  done     per-s    p50-ms  p99-ms  max-ms  naks  timeouts  retrans  cpu-µs/exch  DUPLICATES");
  for (const { label, result: r, cpuMicros } of rows) {
    console.log(
      `${label.padEnd(18)} ${String(r.window).padStart(6)}  ${String(r.clients).padStart(7)}  ${String(r.completed).padStart(7)}  ${r.perSecond.toFixed(0).padStart(7)}  ` +
        `${r.p50ms.toFixed(2).padStart(6)}  ${r.p99ms.toFixed(2).padStart(6)}  ${r.maxms.toFixed(1).padStart(6)}  ${String(r.naks).padStart(4)}  ${String(r.timeouts).padStart(8)}  ` +
        `${String(r.retransmissions).padStart(7)}  ${(cpuMicros === undefined ? "-" : cpuMicros.toFixed(0)).padStart(11)}  ` +
        `${!countDuplicates ? "n/a" : r.duplicates === 0 ? "0" : `!!! ${r.duplicates} DUPLICATE GRANTS !!!`}`,
    );
  }
}

/** A temporary database: a SQLite file in `dir`, or a fresh PostgreSQL database dropped afterwards. */
async function benchDatabase(postgres: boolean, dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgres) return { url: `file:${path.join(dir, "bench.db")}`, drop: async () => {} };
  const adminUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `portshare_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The echo server: native beside the native generator (the Node one would be the limit), else Node. */
async function startEcho(native: boolean, port: number): Promise<ChildProcess> {
  const [offerHex, ackHex] = cannedResponses();
  const echo = native
    ? spawn(await buildNative("echo4o6"), [String(port), offerHex, ackHex], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, [path.join(root, "tests/bench/echo-server.mjs"), String(port), offerHex, ackHex], { stdio: ["ignore", "pipe", "pipe"] });
  await waitForLine(echo, /listening/, "echo server");
  return echo;
}

export async function runDhcpBench(options: DhcpBenchOptions): Promise<Record<string, unknown>> {
  const { postgres, clients, windows, maxSeconds, workers: workerCount, spreads } = options;
  if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error("--workers must be a whole number ≥ 1");
  if (workerCount > 1 && !postgres) throw new Error("--workers above 1 needs --postgres: workers scale out on one PostgreSQL database (SQLite is one worker)");
  if (options.soleWorker && (!postgres || workerCount > 1)) throw new Error("--sole-worker is for one worker on --postgres");

  const native = options.generator !== "ts" && (await nativeLoadAvailable());
  if (options.generator === "native" && !native) throw new Error("--generator native: gcc could not build tests/bench/native/load4o6.c");
  const load: Load = native ? runNativeLoad : runLoad;
  console.log(
    native
      ? "load generator: native (tests/bench/native/load4o6.c, built with gcc): the TypeScript one needs a whole core near 16k DORA/s, which a 2-core machine cannot spare beside the server"
      : `load generator: TypeScript (runLoad)${options.generator === "ts" ? "" : "; gcc could not build the native one"}`,
  );

  const dir = mkdtempSync(path.join(tmpdir(), "portshare-bench-"));
  const database = await benchDatabase(postgres, dir);
  const poolFile = path.join(dir, "pools.json");
  writeFileSync(poolFile, JSON.stringify({
    pools: [
      { name: "bench-shared", kind: "shared", range: "10.64.0.0/16", psidOffset: 6, psidLength: 6, leaseTime: 3600 },
      { name: "bench-dedicated", kind: "dedicated", range: "10.128.0.0/16", leaseTime: 3600 },
    ],
  }));

  const echoPort = await freeUdpPort();
  const echo = await startEcho(native, echoPort).catch((error: Error) => error);
  const ports: number[] = [];
  for (let i = 0; i < workerCount; i++) ports.push(await freeUdpPort());
  const workers = ports.map((port, i) =>
    // As `npm run dhcp` starts it (package.json), young-generation size included.
    spawn(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", path.join(root, "server/main/dhcp.ts")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DATABASE_URL: database.url, DHCP_PORT: String(port), DHCP_ADDRESS: "::1", PORTSHARE_POOLS: poolFile, LOG_LEVEL: "warn", PORTSHARE_ADMIN_PASSWORD: "bench-only-password",
        // Workers behind one service share the server identifier a REQUEST names (option 54).
        PORTSHARE_WORKER_ID: `bench-${i + 1}`, PORTSHARE_SERVER_ID: "192.0.2.1",
        // The engine is measured, not the limiter (each generated client has its own peer-address anyway).
        RATE_LIMIT_PER_SECOND: "0", SQLITE_SYNCHRONOUS: options.sqliteSynchronous ?? "FULL",
        PORTSHARE_SOLE_WORKER: String(options.soleWorker ?? false) },
    }),
  );
  const targets: LoadTarget[] = ports.map((port) => ({ address: "::1", port }));
  let kea: KeaServer | undefined;
  try {
    if (echo instanceof Error) throw echo;
    const startedAt = performance.now();
    await Promise.all(workers.map((worker, i) => waitForLine(worker, /Portshare 4o6 server/, `worker ${i + 1}`)));
    const what = workerCount === 1 ? "worker" : `${workerCount} workers`;
    const backend = postgres ? `PostgreSQL${options.soleWorker ? ", sole worker" : ""}` : `SQLite, synchronous=${options.sqliteSynchronous ?? "FULL"}`;
    console.log(`${what} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s on ${backend} (pool: /16, PSID length 6 = 4,194,304 port sets)`);

    if (options.kea) {
      const available = await keaAvailable();
      if (available.ok) {
        kea = await startKea4o6({ dir, port: await freeUdpPort() });
        console.log(`Kea ${available.version} in 4o6 mode beside it (memfile with persistence, logging at WARN; dedicated addresses only: Kea has no port sets)`);
      } else {
        console.log(`Kea comparison skipped: ${available.why}`);
      }
    }

    const ceiling: Row[] = [];
    const echoTarget = { address: "::1", port: echoPort };
    for (const window of [1, 16, 64]) {
      ceiling.push({ server: "echo", label: "echo dora", result: await load({ targets: [echoTarget], mode: "dora", clients: Math.min(clients, 50_000), window, maxSeconds }) });
    }
    // The echo server grants one canned slot to everyone, so duplicates mean nothing there.
    printTable(`Generator ceiling (trivial ${native ? "native" : "Node"} echo server, no allocation):`, ceiling, false);

    const workerCpu = () => workers.reduce((sum, w) => sum + cpuSeconds(w.pid), 0);
    const keaCpu = () => (kea ? kea.cpuSeconds().dhcp4 + kea.cpuSeconds().dhcp6 : 0);
    let nextClient = 0;
    /** One run against Portshare or Kea; DORA runs take fresh clients. */
    const measure = async (server: "portshare" | "kea", label: string, mode: LoadMode, window: number, held?: HeldLease[], spread: LoadSpread = spreads[0]!): Promise<Row> => {
      const on = server === "kea" ? [kea!.target] : targets;
      const cpu = server === "kea" ? keaCpu : workerCpu;
      const before = cpu();
      const result = await load({ targets: on, spread, mode, clients, firstClient: nextClient, window, maxSeconds }, held);
      if (mode === "dora" || mode === "dora-dedicated") nextClient += clients;
      const cpuMicros = result.completed > 0 ? ((cpu() - before) * 1e6) / result.completed : undefined;
      return { server, label: workerCount > 1 && server === "portshare" ? `${label.split(" ")[0]}/${spread}` : label, result, spread, cpuMicros };
    };

    // Warm-up (JIT, page cache, database files), not reported: the first run would pay for it.
    await load({ targets, mode: "dora", clients: Math.min(clients, 5000), firstClient: 900_000_000, window: 16, maxSeconds });
    if (kea) await load({ targets: [kea.target], mode: "dora-dedicated", clients: Math.min(clients, 5000), firstClient: 900_000_000, window: 16, maxSeconds });

    // Portshare and Kea take turns at each window, so drift on a shared machine hits both alike.
    const rows: Row[] = [];
    const keaRows: Row[] = [];
    let last: Row | undefined;
    let keaLast: Row | undefined;
    for (const window of windows) {
      for (const spread of spreads) rows.push((last = await measure("portshare", "dora (shared)", "dora", window, undefined, spread)));
      if (kea) keaRows.push((keaLast = await measure("kea", "dora (dedicated)", "dora-dedicated", window)));
    }
    const top = windows[windows.length - 1]!;
    rows.push(await measure("portshare", "dora-dedicated", "dora-dedicated", top));
    if (last) rows.push(await measure("portshare", "renew (shared)", "renew", top, last.result.leases));
    if (keaLast) keaRows.push(await measure("kea", "renew", "renew", top, keaLast.result.leases));
    if (last) rows.push(await measure("portshare", "release (shared)", "release", top, last.result.leases));
    if (keaLast) keaRows.push(await measure("kea", "release", "release", top, keaLast.result.leases));

    printTable(`Portshare on ${backend} (${workerCount === 1 ? "one worker" : `${workerCount} workers`}, generator and server on this machine; cpu = the worker processes' CPU per exchange):`, rows);
    if (kea) {
      printTable("Kea 4o6 (kea-dhcp6 + kea-dhcp4, memfile; cpu = both daemons' CPU per exchange):", keaRows);
      console.log("\nPortshare ÷ Kea, same run:");
      for (const window of windows) {
        const ours = rows.find((r) => r.label.startsWith("dora (shared)") && r.result.window === window);
        const theirs = keaRows.find((r) => r.label === "dora (dedicated)" && r.result.window === window);
        if (ours && theirs && theirs.result.perSecond > 0) console.log(`  DORA at window ${window}: ${(ours.result.perSecond / theirs.result.perSecond).toFixed(2)}×`);
      }
      const renew = [rows.find((r) => r.label.startsWith("renew")), keaRows.find((r) => r.label === "renew")];
      if (renew[0] && renew[1] && renew[1].result.perSecond > 0) console.log(`  renew at window ${top}: ${(renew[0].result.perSecond / renew[1].result.perSecond).toFixed(2)}×`);
    }

    const duplicates = [...rows, ...keaRows].reduce((n, r) => n + r.result.duplicates, 0);
    if (duplicates > 0) console.log(`\n!!! ${duplicates} DUPLICATE GRANTS: two clients were given one (address, PSID) !!!`);
    const summary = (r: Row) => ({
      label: r.label, spread: r.spread, window: r.result.window, perSecond: Math.round(r.result.perSecond), p50ms: +r.result.p50ms.toFixed(3), p99ms: +r.result.p99ms.toFixed(3),
      maxms: +r.result.maxms.toFixed(3), naks: r.result.naks, timeouts: r.result.timeouts, retransmissions: r.result.retransmissions, duplicates: r.result.duplicates,
      cpuMicrosPerExchange: r.cpuMicros === undefined ? undefined : Math.round(r.cpuMicros),
    });
    return {
      backend: postgres ? "postgresql" : "sqlite", soleWorker: postgres ? Boolean(options.soleWorker) : undefined, sqliteSynchronous: postgres ? undefined : (options.sqliteSynchronous ?? "FULL"), workers: workerCount, clients, generator: native ? "native" : "ts",
      ceiling: ceiling.map((r) => ({ ...summary(r), duplicates: undefined })), runs: rows.map(summary), kea: kea ? keaRows.map(summary) : undefined, duplicates,
    };
  } finally {
    await kea?.stop();
    await Promise.all(workers.map((worker) => stopChild(worker)));
    if (!(echo instanceof Error)) await stopChild(echo);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
