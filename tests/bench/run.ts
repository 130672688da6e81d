// `npm run bench [-- SECTION...] [--postgres] [--workers N] [--spread client,split] [--clients N] [--windows 1,16,64]
//   [--seconds S] [--generator native|ts] [--no-kea] [--sqlite-sync FULL|NORMAL] [--sole-worker]`
// Sections: codec, psid, dhcp, startup [--leases N] (all by default). Prints figures; asserts nothing.
// The dhcp section (dhcp-bench.ts) starts a Portshare worker (`npm run dhcp`) on a temporary
// database with a /16 shared pool of PSID length 6 (4M port sets) and a /16 dedicated pool, and
// Kea in 4o6 mode beside it when installed, drives both with the load generator over [::1],
// prints tables and one JSON line, and stops what it started.
// --workers N (PostgreSQL only) starts N workers on the one database, with distinct worker ids
// and ports and one server identifier; --spread says how clients use them: "client" (each
// client's whole exchange at one worker) and/or "split" (DISCOVER at one, REQUEST at the next).
import { runCodecBench } from "./codec";
import { runDhcpBench } from "./dhcp-bench";
import type { LoadSpread } from "./load-generator";
import { runPsidBench } from "./psid";
import { runStartupBench } from "./startup";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const VALUED = new Set(["--clients", "--windows", "--seconds", "--leases", "--workers", "--spread", "--generator", "--sqlite-sync"]);
const sections = args.filter((a, i) => !a.startsWith("--") && !VALUED.has(args[i - 1] ?? ""));
const wanted = (s: string) => sections.length === 0 || sections.includes(s);

function dhcpOptions() {
  const workers = Number(value("workers", "1"));
  const spreads = value("spread", workers > 1 ? "client,split" : "client").split(",") as LoadSpread[];
  if (spreads.some((s) => s !== "client" && s !== "split")) throw new Error("--spread takes client, split or client,split");
  const sync = value("sqlite-sync", "FULL").toUpperCase();
  if (sync !== "FULL" && sync !== "NORMAL") throw new Error("--sqlite-sync takes FULL or NORMAL");
  const generator = value("generator", "");
  if (generator !== "" && generator !== "native" && generator !== "ts") throw new Error("--generator takes native or ts");
  return {
    postgres: flag("postgres"),
    clients: Number(value("clients", "50000")),
    windows: value("windows", "1,16,64").split(",").map(Number),
    maxSeconds: Number(value("seconds", "60")),
    workers,
    spreads,
    generator: generator === "" ? undefined : (generator as "native" | "ts"),
    kea: !flag("no-kea"),
    soleWorker: flag("sole-worker"),
    sqliteSynchronous: sync as "FULL" | "NORMAL",
  };
}

const report: Record<string, unknown> = {};
if (wanted("codec")) await runCodecBench();
if (wanted("codec") || wanted("psid")) await runPsidBench();
if (wanted("dhcp")) report.dhcp = await runDhcpBench(dhcpOptions());
if (wanted("startup")) report.startup = await runStartupBench(Number(value("leases", "1000000")));
console.log(JSON.stringify({ bench: "portshare", at: new Date().toISOString(), ...report }));
