// `npm run bench [-- SECTION...] [--postgres] [--workers N] [--spread client,split] [--clients N] [--windows 1,16,64] [--seconds S]`
// Sections: codec, psid, dhcp, startup [--leases N] (all by default). Prints figures; asserts nothing.
// The dhcp section starts a Portshare worker (`npm run dhcp`) on a temporary database with a
// /16 shared pool of PSID length 6 (4M port sets) and a /16 dedicated pool, drives it with the
// load generator over [::1], prints a table and one JSON line, and stops what it started.
// --workers N (PostgreSQL only) starts N workers on the one database, with distinct worker ids
// and ports and one server identifier; --spread says how clients use them: "client" (each
// client's whole exchange at one worker) and/or "split" (DISCOVER at one, REQUEST at the next).
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  createBootReply,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  leaseTimeOption,
  messageTypeOption,
  portParamsOption,
  serverIdentifierOption,
  type Dhcpv4Message,
} from "../../server/wire";
import { runCodecBench } from "./codec";
import { runLoad, type LoadMode, type LoadResult, type LoadSpread } from "./load-generator";
import { runPsidBench } from "./psid";
import { runStartupBench } from "./startup";

const root = path.resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const VALUED = new Set(["--clients", "--windows", "--seconds", "--leases", "--workers", "--spread"]);
const sections = args.filter((a, i) => !a.startsWith("--") && !VALUED.has(args[i - 1] ?? ""));
const wanted = (s: string) => sections.length === 0 || sections.includes(s);

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp6");
  await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Waits until the child prints a line matching `pattern`; rejects if it exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${seen.slice(-2000)}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** Canned OFFER and ACK responses for the echo server (the generator's ceiling). */
function cannedResponses(): [string, string] {
  const request: Dhcpv4Message = {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr: new Uint8Array(16), sname: new Uint8Array(64), file: new Uint8Array(128), options: [],
  };
  const make = (type: number) =>
    Buffer.from(
      encodeDhcpv6Message({
        kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0,
        options: [dhcpv4MsgOption(encodeDhcpv4Message(createBootReply(request, {
          yiaddr: 0x0a000001,
          options: [messageTypeOption(type), serverIdentifierOption(0xc0000201), leaseTimeOption(3600), portParamsOption({ offset: 6, psidLength: 6, psid: 1 })],
        })))],
      }),
    ).toString("hex");
  return [make(2), make(5)];
}

interface Row {
  label: string;
  result: LoadResult;
  spread?: LoadSpread;
}

function printTable(title: string, rows: Row[], countDuplicates = true) {
  console.log(`\n${title}`);
  console.log("mode            window  clients  done     per-s    p50-ms  p99-ms  max-ms  naks  timeouts  retrans  DUPLICATES");
  for (const { label, result: r } of rows) {
    console.log(
      `${label.padEnd(15)} ${String(r.window).padStart(6)}  ${String(r.clients).padStart(7)}  ${String(r.completed).padStart(7)}  ${r.perSecond.toFixed(0).padStart(7)}  ` +
        `${r.p50ms.toFixed(2).padStart(6)}  ${r.p99ms.toFixed(2).padStart(6)}  ${r.maxms.toFixed(1).padStart(6)}  ${String(r.naks).padStart(4)}  ${String(r.timeouts).padStart(8)}  ` +
        `${String(r.retransmissions).padStart(7)}  ${!countDuplicates ? "n/a" : r.duplicates === 0 ? "0" : `!!! ${r.duplicates} DUPLICATE GRANTS !!!`}`,
    );
  }
}

async function dhcpBench(): Promise<Record<string, unknown>> {
  const postgres = flag("postgres");
  const clients = Number(value("clients", "50000"));
  const windows = value("windows", "1,16,64").split(",").map(Number);
  const maxSeconds = Number(value("seconds", "60"));
  const workerCount = Number(value("workers", "1"));
  if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error("--workers must be a whole number ≥ 1");
  if (workerCount > 1 && !postgres) throw new Error("--workers above 1 needs --postgres: workers scale out on one PostgreSQL database (SQLite is one worker)");
  const spreads = value("spread", workerCount > 1 ? "client,split" : "client").split(",") as LoadSpread[];
  if (spreads.some((s) => s !== "client" && s !== "split")) throw new Error("--spread takes client, split or client,split");
  const dir = mkdtempSync(path.join(tmpdir(), "portshare-bench-"));
  let databaseUrl = `file:${path.join(dir, "bench.db")}`;
  let dropDatabase = async () => {};
  if (postgres) {
    const adminUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const name = `portshare_bench_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  }
  const pools = {
    pools: [
      { name: "bench-shared", kind: "shared", range: "10.64.0.0/16", psidOffset: 6, psidLength: 6, leaseTime: 3600 },
      { name: "bench-dedicated", kind: "dedicated", range: "10.128.0.0/16", leaseTime: 3600 },
    ],
  };
  const poolFile = path.join(dir, "pools.json");
  writeFileSync(poolFile, JSON.stringify(pools));

  const echoPort = await freeUdpPort();
  const [offerHex, ackHex] = cannedResponses();
  const echo = spawn(process.execPath, [path.join(root, "tests/bench/echo-server.mjs"), String(echoPort), offerHex, ackHex], { stdio: ["ignore", "pipe", "pipe"] });
  const ports: number[] = [];
  for (let i = 0; i < workerCount; i++) ports.push(await freeUdpPort());
  const workers = ports.map((port, i) =>
    spawn(process.execPath, ["--import", "tsx", path.join(root, "server/main/dhcp.ts")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DATABASE_URL: databaseUrl, DHCP_PORT: String(port), DHCP_ADDRESS: "::1", PORTSHARE_POOLS: poolFile, LOG_LEVEL: "warn", PORTSHARE_ADMIN_PASSWORD: "bench-only-password",
        // Workers behind one service share the server identifier a REQUEST names (option 54).
        PORTSHARE_WORKER_ID: `bench-${i + 1}`, PORTSHARE_SERVER_ID: "192.0.2.1",
        // The engine is measured, not the limiter (each generated client has its own peer-address anyway).
        RATE_LIMIT_PER_SECOND: "0" },
    }),
  );
  const targets = ports.map((port) => ({ address: "::1", port }));
  try {
    await waitForLine(echo, /listening/, "echo server");
    const startedAt = performance.now();
    await Promise.all(workers.map((worker, i) => waitForLine(worker, /Portshare 4o6 server/, `worker ${i + 1}`)));
    const what = workerCount === 1 ? "worker" : `${workerCount} workers`;
    console.log(`${what} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s on ${postgres ? "PostgreSQL" : "SQLite"} (pool: /16, PSID length 6 = 4,194,304 port sets)`);

    const ceiling: Row[] = [];
    for (const window of [1, 64]) {
      ceiling.push({ label: "echo dora", result: await runLoad({ targets: [{ address: "::1", port: echoPort }], mode: "dora", clients: Math.min(clients, 50_000), window, maxSeconds }) });
    }
    // The echo server grants one canned slot to everyone, so duplicates mean nothing there.
    printTable("Generator ceiling (trivial echo server, no allocation):", ceiling, false);

    const rows: Row[] = [];
    let firstClient = 0;
    const run = async (label: string, mode: LoadMode, window: number, held?: LoadResult["leases"], spread: LoadSpread = spreads[0]!) => {
      const result = await runLoad({ targets, spread, mode, clients, firstClient, window, maxSeconds }, held);
      if (mode === "dora" || mode === "dora-dedicated") firstClient += clients;
      rows.push({ label: workerCount > 1 ? `${label.split(" ")[0]}/${spread}` : label, result, spread });
      return result;
    };
    let last: LoadResult | undefined;
    for (const window of windows) for (const spread of spreads) last = await run("dora (shared)", "dora", window, undefined, spread);
    await run("dora-dedicated", "dora-dedicated", windows[windows.length - 1]!);
    if (last) await run("renew (shared)", "renew", windows[windows.length - 1]!, last.leases);
    if (last) await run("release (shared)", "release", windows[windows.length - 1]!, last.leases);
    printTable(`Portshare on ${postgres ? "PostgreSQL" : "SQLite"} (${workerCount === 1 ? "one worker" : `${workerCount} workers`}, generator and server on this machine):`, rows);

    const duplicates = rows.reduce((n, r) => n + r.result.duplicates, 0);
    if (duplicates > 0) console.log(`\n!!! ${duplicates} DUPLICATE GRANTS: two clients were given one (address, PSID) !!!`);
    const summary = (r: Row) => ({ label: r.label, spread: r.spread, window: r.result.window, perSecond: Math.round(r.result.perSecond), p50ms: +r.result.p50ms.toFixed(3), p99ms: +r.result.p99ms.toFixed(3), naks: r.result.naks, timeouts: r.result.timeouts, duplicates: r.result.duplicates });
    return { backend: postgres ? "postgresql" : "sqlite", workers: workerCount, clients, ceiling: ceiling.map((r) => ({ ...summary(r), duplicates: undefined })), runs: rows.map(summary), duplicates };
  } finally {
    await Promise.all(workers.map((worker) => stopChild(worker)));
    await stopChild(echo);
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  }
}

const report: Record<string, unknown> = {};
if (wanted("codec")) await runCodecBench();
if (wanted("codec") || wanted("psid")) await runPsidBench();
if (wanted("dhcp")) report.dhcp = await dhcpBench();
if (wanted("startup")) report.startup = await runStartupBench(Number(value("leases", "1000000")));
console.log(JSON.stringify({ bench: "portshare", at: new Date().toISOString(), ...report }));
