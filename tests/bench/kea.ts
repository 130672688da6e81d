// ISC Kea in DHCPv4-over-DHCPv6 mode (RFC 7341) as the benchmark's yardstick (issue 7): Debian's
// kea-dhcp4-server and kea-dhcp6-server (2.2), memfile leases with persistence on, logging at WARN,
// the load generator on this machine over [::1]. This file only starts and stops the two daemons;
// run.ts drives them with the same runLoad (or runNativeLoad) it drives Portshare with.
//
// What it took (Kea ARM 2.2 in /usr/share/doc/kea/html/_sources/arm/, and trying it here):
// - The DHCPv6 daemon takes the DHCPV4-QUERY and hands it over a pair of UDP sockets on ::1 to the
//   DHCPv4 daemon, which allocates and hands the DHCPV4-RESPONSE back (ARM "DHCPv4-over-DHCPv6:
//   DHCPv6 Side" / "DHCPv4 Side"): both configs carry the same "dhcp4o6-port" P; the v6 daemon
//   binds [::1]:P, the v4 daemon [::1]:P+1, so two consecutive free ports are picked.
// - Loopback is served only when named explicitly (ARM "Interface Configuration"): the v6 daemon
//   gets "lo/::1" (lo has no link-local address here, so the unicast form is the only one that
//   opens a socket), and `-p PORT` moves it off 547 ("useful for testing purposes only", man
//   kea-dhcp6). "data-directory" keeps its server DUID file out of /var/lib/kea.
// - The v4 daemon must have "lo" among its interfaces too, with "dhcp-socket-type": "udp" (raw
//   sockets are refused on loopback, ARM "Interface Configuration" of DHCPv4): a 4o6 query is
//   tagged with the v6 daemon's receiving interface (lo), and without an IPv4 socket there Kea
//   drops it ("Interface lo/1 does not have any suitable IPv4 sockets open", DHCP4_PACKET_DROP_0007)
//   because it takes the server identifier from that socket — hence "127.0.0.1" as option 54.
//   Its `-p PORT` moves that socket off 67; nothing is sent to it.
// - Subnet choice (ARM "DHCPv4-over-DHCPv6: DHCPv4 Side"): "4o6-subnet" is matched against the
//   UDP source address of the query, i.e. the relay's own address (here ::1), not the relay's
//   link-address nor the client's peer-address: a 4o6-subnet of 2001:db8:ffff::/64 (the
//   generator's link-address) or 2001:db8::/32 (covering every peer) selects nothing
//   (DHCPSRV_SUBNET4O6_SELECT_FAILED). So "4o6-subnet": "::1/128".
// - Reply destination: Kea honours option 135 relay-source-port (RFC 8357; ARM "Supported
//   Standards" of DHCPv6): a RELAY-FORW carrying it is answered with a RELAY-REPL to that source
//   port, so the generator's relayed form works as with Portshare (`relay: true`). A direct
//   DHCPV4-QUERY is answered at the client port 546 (or `-P`), never at the sender's port, which
//   the generator's ephemeral socket would not see.
// - Leases: memfile with "persist": true (every REQUEST appends a row to the CSV file) and
//   "lfc-interval": 0 (no lease-file cleanup process during a run) (ARM "Memfile - Basic Storage
//   for Leases"). Pool 10.0.0.1-10.3.255.254 (/14, 262,142 addresses) so ~220,000 clients fit.
// - Option 159 (RFC 7618 port parameters) in the parameter request list is ignored: Kea has no
//   port sets, so for Kea "dora" and "dora-dedicated" are the same dedicated-address exchange.
// - Multi-threading is off, Kea 2.2's default (the daemons log DHCPx_MULTI_THREADING_INFO).
// - Environment (ARM "Logging" and the PID-file paragraph of "Starting and Stopping"):
//   KEA_PIDFILE_DIR points into the run directory, KEA_LOCKFILE_DIR=none; loggers at WARN to
//   stdout. The daemons run as root (this machine's user), which Kea expects.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runLoad } from "./load-generator";
import { cpuSeconds, freeUdpPort, stopChild } from "./processes";

const SEARCH = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];

function findBinary(name: string): string | undefined {
  for (const dir of SEARCH) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether both Kea daemons are installed (`apt-get install kea-dhcp4-server kea-dhcp6-server`). */
export async function keaAvailable(): Promise<{ ok: true; version: string } | { ok: false; why: string }> {
  const dhcp4 = findBinary("kea-dhcp4");
  const dhcp6 = findBinary("kea-dhcp6");
  if (!dhcp4 || !dhcp6) {
    const missing = [!dhcp4 && "kea-dhcp4", !dhcp6 && "kea-dhcp6"].filter(Boolean).join(" and ");
    return { ok: false, why: `${missing} not found on PATH or in /usr/sbin (apt-get install kea-dhcp4-server kea-dhcp6-server)` };
  }
  const version = spawnSync(dhcp6, ["-v"], { encoding: "utf8" });
  if (version.status !== 0) return { ok: false, why: `${dhcp6} -v failed: ${version.stderr || version.error?.message}` };
  return { ok: true, version: version.stdout.trim() };
}

export interface KeaServer {
  /** Where the load goes: the DHCPv6 daemon on [::1]. */
  target: { address: string; port: number };
  /** Whether the generator's relayed form (RELAY-FORW with option 135) gets replies: it does. */
  relay: boolean;
  pids: { dhcp4: number; dhcp6: number };
  /** CPU seconds each daemon has used since it started (sample before and after a run). */
  cpuSeconds(): { dhcp4: number; dhcp6: number };
  /** The daemons' output so far (WARN and above), for diagnostics. */
  log(): string;
  stop(): Promise<void>;
}

/** Kea 2.2's configuration for the DHCPv6 side (see the notes at the top). */
function dhcp6Config(dir: string, dhcp4o6Port: number) {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["lo/::1"], "re-detect": false },
      "dhcp4o6-port": dhcp4o6Port,
      "data-directory": dir,
      // The daemon needs a lease database even though 4o6 stores nothing on this side.
      "lease-database": { type: "memfile", persist: true, name: path.join(dir, "kea-leases6.csv"), "lfc-interval": 0 },
      "subnet6": [],
      "multi-threading": { "enable-multi-threading": false },
      loggers: [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "WARN" }],
    },
  };
}

/** Kea 2.2's configuration for the DHCPv4 side (see the notes at the top). */
function dhcp4Config(dir: string, dhcp4o6Port: number) {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"], "dhcp-socket-type": "udp", "re-detect": false },
      "dhcp4o6-port": dhcp4o6Port,
      "lease-database": { type: "memfile", persist: true, name: path.join(dir, "kea-leases4.csv"), "lfc-interval": 0 },
      "valid-lifetime": 3600,
      subnet4: [
        {
          id: 1,
          subnet: "10.0.0.0/14",
          // Matched against the query's UDP source, the relay's address: the generator on ::1.
          "4o6-subnet": "::1/128",
          pools: [{ pool: "10.0.0.1 - 10.3.255.254" }],
        },
      ],
      "multi-threading": { "enable-multi-threading": false },
      loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "WARN" }],
    },
  };
}

/** A client index far above any bench run's, for the readiness probe's one lease. */
const PROBE_CLIENT = 0x3fff_ff00;

/**
 * Writes both configurations into `dir`, starts kea-dhcp4 and kea-dhcp6 (the latter listening on
 * [::1]:`port`), and resolves once a relayed DORA through them completes. `stop()` ends both and
 * removes the files written into `dir` (not `dir` itself).
 */
export async function startKea4o6(options: { dir: string; port: number }): Promise<KeaServer> {
  const available = await keaAvailable();
  if (!available.ok) throw new Error(available.why);
  const dhcp4Binary = findBinary("kea-dhcp4")!;
  const dhcp6Binary = findBinary("kea-dhcp6")!;
  const { dir, port } = options;
  const dhcp4o6Port = await freeUdpPort("udp6", "::1", 2);
  // The v4 daemon's own (unused) socket on lo, off port 67.
  const dhcp4Port = await freeUdpPort("udp4", "127.0.0.1");
  const config4 = path.join(dir, "kea-dhcp4-4o6.json");
  const config6 = path.join(dir, "kea-dhcp6-4o6.json");
  writeFileSync(config4, JSON.stringify(dhcp4Config(dir, dhcp4o6Port), null, 2));
  writeFileSync(config6, JSON.stringify(dhcp6Config(dir, dhcp4o6Port), null, 2));

  const env = { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: "none", KEA_LFC_EXECUTABLE: findBinary("kea-lfc") ?? "/usr/sbin/kea-lfc" };
  let output = "";
  const launch = (binary: string, args: string[], name: string) => {
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      output += chunk.toString().replace(/^(?=.)/gm, `[${name}] `);
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("error", (error) => (output += `[${name}] ${error.message}\n`));
    return child;
  };
  const dhcp4 = launch(dhcp4Binary, ["-c", config4, "-p", String(dhcp4Port)], "kea-dhcp4");
  const dhcp6 = launch(dhcp6Binary, ["-c", config6, "-p", String(port)], "kea-dhcp6");
  const start4 = cpuSeconds(dhcp4.pid);
  const start6 = cpuSeconds(dhcp6.pid);

  const written = [
    config4, config6, "kea-leases4.csv", "kea-leases6.csv", "kea-dhcp6-serverid",
    "kea-dhcp4-4o6.kea-dhcp4.pid", "kea-dhcp6-4o6.kea-dhcp6.pid",
  ].map((f) => path.resolve(dir, f));
  const stop = async () => {
    await Promise.all([stopChild(dhcp6), stopChild(dhcp4)]);
    for (const file of written) rmSync(file, { force: true });
    // Lease-file cleanup leftovers (.1, .2, .completed), should an LFC ever have run.
    for (const base of ["kea-leases4.csv", "kea-leases6.csv"]) for (const suffix of [".1", ".2", ".output", ".completed"]) rmSync(path.join(dir, base + suffix), { force: true });
  };

  const target = { address: "::1", port };
  try {
    const deadline = performance.now() + 20_000;
    for (;;) {
      for (const [child, name] of [[dhcp4, "kea-dhcp4"], [dhcp6, "kea-dhcp6"]] as const) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      }
      const probe = await runLoad({ targets: [target], relay: true, mode: "dora-dedicated", clients: 1, firstClient: PROBE_CLIENT, window: 1, maxSeconds: 1, retransmitSeconds: 0.25, retries: 3 });
      if (probe.completed === 1 && probe.naks === 0) break;
      if (performance.now() > deadline) throw new Error("Kea did not answer a relayed DHCPv4-over-DHCPv6 DORA within 20 s");
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }

  return {
    target,
    relay: true,
    pids: { dhcp4: dhcp4.pid!, dhcp6: dhcp6.pid! },
    cpuSeconds: () => ({ dhcp4: cpuSeconds(dhcp4.pid) - start4, dhcp6: cpuSeconds(dhcp6.pid) - start6 }),
    log: () => output,
    stop,
  };
}
