// Real `npm run dhcp` worker processes for the scale-out, crash-safety and outage suites:
// spawned with `node --import tsx server/main/dhcp.ts`, killed or drained like an operator (or
// the kernel) would, and reached through one relay layer with option 135 (RFC 8357) so that
// their replies come back to the test's own socket.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { relayed, type RelayHop } from "../../support/test-client";
import type { Dhcpv6Message } from "@/server/wire";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

/** The server identifier every worker of a deployment shares (a REQUEST names it, whichever worker gets it). */
export const WORKER_SERVER_ID = "192.0.2.254";

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** The 4o6 UDP port on [::1]. */
  port: number;
  /** http://127.0.0.1:N/metrics when started with metrics. */
  metricsUrl?: string;
  /** Everything the process printed (the last 256 kB). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** Every process started here, so that a failing test leaves none running. */
const running = new Set<ChildProcess>();

/** Starts a worker and waits until its socket is bound (and its metrics listener, if asked). */
export async function spawnWorker(name: string, env: Record<string, string>, options: { metrics?: boolean; readyMs?: number } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/main/dhcp.ts")], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      PORTSHARE_ADMIN_PASSWORD: "worker-test-password",
      DHCP_ADDRESS: "::1",
      DHCP_PORT: "0",
      PORTSHARE_SERVER_ID: WORKER_SERVER_ID,
      PORTSHARE_WORKER_ID: name,
      ...(options.metrics ? { METRICS_PORT: "0" } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > 512_000) output = output.slice(-256_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;

  const until = Date.now() + (options.readyMs ?? 60_000);
  const ready = (): { port: number; metricsUrl?: string } | undefined => {
    const port = output.match(/Portshare 4o6 server: udp \[::1\]:(\d+)/)?.[1];
    const metricsUrl = output.match(/Portshare worker metrics: (http:\S+)/)?.[1];
    if (!port || (options.metrics && !metricsUrl)) return undefined;
    return { port: Number(port), metricsUrl };
  };
  for (;;) {
    const found = ready();
    if (found) return { name, child, ...found, output: () => output, exited, alive };
    if (!alive()) throw new Error(`worker ${name} exited before it was ready:\n${output}`);
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`worker ${name} was not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** SIGTERM (or another signal), then the exit; SIGKILL after `ms` if it is still running. */
export async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals = "SIGTERM", ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (worker.alive()) worker.child.kill(signal);
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), ms);
  const result = await worker.exited;
  clearTimeout(timer);
  return result;
}

/** Kills whatever is still running (afterAll, and after a failure). */
export function killAllWorkers(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/**
 * Client n's path to a worker: one relay whose peer-address is the client's own address (so
 * per-client limits see distinct subscribers) and whose option 135 sends the reply back to
 * `replyPort`.
 */
export function relayPath(n: number, replyPort: number, hop: Partial<RelayHop> = {}): (m: Dhcpv6Message) => Dhcpv6Message {
  const peer = `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::1`;
  return (m) => relayed(m, [{ linkAddress: "2001:db8:ffff::1", peerAddress: peer, relayPort: replyPort, ...hop }]);
}

/** Prometheus text → samples, keyed `name{labels}` exactly as exposed. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}
