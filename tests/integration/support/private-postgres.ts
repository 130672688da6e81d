// A private PostgreSQL cluster that a test owns: initdb in a temporary directory, pg_ctl to
// start and stop it on a free port, so that a test may take the database away under a running
// worker without touching the shared server on 5432. initdb refuses to run as root, so as root
// every command runs as the `postgres` user (runuser) in a directory it owns.
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PrivateCluster {
  port: number;
  /** postgresql://postgres@127.0.0.1:PORT/NAME */
  url(database?: string): string;
  start(): Promise<void>;
  /** pg_ctl stop: "fast" ends every session at once (what an operator or a failover does). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops the cluster if it runs and removes its directory. */
  destroy(): void;
}

function binaries(): { initdb: string; pgCtl: string } | string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin", "initdb"))) : [];
  if (versions.length === 0) return `no PostgreSQL server binaries under ${base}/*/bin (apt-get install postgresql)`;
  const bin = path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0]!, "bin");
  return { initdb: path.join(bin, "initdb"), pgCtl: path.join(bin, "pg_ctl") };
}

/** uid and gid of `postgres` from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Makes a cluster (initdb, not started). Returns a reason string instead when this machine
 * cannot: no server binaries, or root without a `postgres` user or runuser.
 */
export async function createPrivateCluster(): Promise<PrivateCluster | string> {
  const bins = binaries();
  if (typeof bins === "string") return bins;
  const root = process.getuid?.() === 0;
  const user = root ? postgresUser() : undefined;
  if (root && !user) return "running as root and there is no postgres user to run initdb as";
  if (root && spawnSync("runuser", ["--help"]).error) return "running as root and runuser is not available to run initdb as postgres";
  const as = (command: string, args: string[]): [string, string[]] => (root ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args]);

  const dir = mkdtempSync(path.join(tmpdir(), "portshare-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  try {
    await run(...as(bins.initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${(error as Error).message.split("\n")[0]}`;
  }
  const port = await freeTcpPort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const pgCtl = (args: string[]) => run(...as(bins.pgCtl, ["-D", data, ...args]), { timeout: 30_000 });
  let running = false;

  // Whatever happens to the test process, the cluster does not outlive it.
  const onExit = () => {
    if (running) spawnSync(...as(bins.pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  return {
    port,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await pgCtl(["-o", options, "-l", path.join(dir, "server.log"), "-w", "start"]);
      running = true;
    },
    async stop(mode = "fast") {
      await pgCtl(["-m", mode, "-w", "stop"]);
      running = false;
    },
    destroy() {
      process.off("exit", onExit);
      onExit();
      running = false;
    },
  };
}
