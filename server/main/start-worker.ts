import { hostname, networkInterfaces } from "node:os";
import { Allocator } from "../alloc/allocator";
import { applyPoolFile, loadPoolFile } from "../alloc/pool-file";
import { getDatabaseConfig, type Database } from "../db";
import { createDhcp4o6Handler } from "../dhcp4o6/handler";
import { metrics } from "../metrics/registry";
import { DhcpWorker } from "../udp/worker";
import { formatIpv4, parseIpv4 } from "../wire";
import type { Logger } from "./logger";
import type { Settings } from "./settings";
import { startTrafficFlush } from "./traffic-flush";

/** A running 4o6 worker: the socket and the allocator behind it. */
export interface RunningWorker {
  worker: DhcpWorker;
  allocator: Allocator;
  stop(): Promise<void>;
}

/**
 * Applies the pool file (if any), loads the allocator, binds the 4o6 socket. Throws a one-line
 * error naming the setting when the socket cannot be bound.
 */
export async function startWorker(settings: Settings, db: Database, log: Logger, poolFile = settings.PORTSHARE_POOLS): Promise<RunningWorker> {
  if (poolFile) await applyPoolFile(db, await loadPoolFile(poolFile), log);
  const workerId = settings.PORTSHARE_WORKER_ID ?? `${hostname()}:${process.pid}`;
  const allocator = await Allocator.start({
    db,
    provider: getDatabaseConfig().provider,
    workerId,
    offerHoldSeconds: settings.OFFER_HOLD_SECONDS,
    // Workers on one PostgreSQL database see each other's offers and leases only through it.
    sharedDatabase: getDatabaseConfig().provider === "postgresql" && !settings.PORTSHARE_SOLE_WORKER,
    limits: { perClient: settings.MAX_LEASES_PER_CLIENT, perPrefix: settings.MAX_LEASES_PER_PREFIX, prefixLength: settings.SUBSCRIBER_PREFIX_LENGTH },
    log,
  });
  const serverId = settings.PORTSHARE_SERVER_ID ? parseIpv4(settings.PORTSHARE_SERVER_ID)! : defaultServerId();
  const rateLimit = settings.RATE_LIMIT_PER_SECOND > 0 ? { perSecond: settings.RATE_LIMIT_PER_SECOND, burst: settings.RATE_LIMIT_BURST } : undefined;
  const handler = createDhcp4o6Handler({ allocator, serverId, log, rateLimit });
  const worker = new DhcpWorker({
    port: settings.DHCP_PORT,
    address: settings.DHCP_ADDRESS,
    handler,
    multicastInterfaces: settings.DHCP_INTERFACES?.split(",") ?? (settings.DHCP_ADDRESS === "::" ? ipv6Interfaces() : []),
    log,
  });
  try {
    const bound = await worker.start();
    console.log(`Portshare 4o6 server: udp [${bound.address}]:${bound.port}, server identifier ${formatIpv4(serverId)}`);
  } catch (error) {
    await allocator.stop();
    throw error;
  }
  const flushTraffic = startTrafficFlush(db, workerId, log);
  const stopMetrics = exportAllocatorMetrics(allocator);
  return {
    worker,
    allocator,
    async stop() {
      stopMetrics();
      await worker.stop();
      await allocator.stop();
      await flushTraffic();
    },
  };
}

/** Interfaces with an IPv6 address other than loopback: where clients may multicast to us by default. */
function ipv6Interfaces(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addresses]) => (addresses ?? []).some((a) => a.family === "IPv6" && !a.internal))
    .map(([name]) => name);
}

/** Feeds the allocator's commit sizes, failures and pool usage to the Prometheus registry. */
function exportAllocatorMetrics(allocator: Allocator): () => void {
  const m = metrics();
  allocator.leaseWriter.onCommit = (size, seconds) => {
    m.commitBatchSize.observe(size);
    m.commitSeconds.observe(seconds);
  };
  allocator.leaseWriter.onFailure = () => m.databaseErrors.inc({ operation: "lease-commit" });
  const update = () => {
    for (const usage of allocator.poolUsage()) {
      const labels = { pool: usage.name, kind: usage.kind };
      m.poolSlots.set(labels, usage.slots);
      m.poolSlotsTaken.set(labels, usage.taken);
      m.poolAddresses.set(labels, usage.addresses);
    }
  };
  update();
  const timer = setInterval(update, 5000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Without PORTSHARE_SERVER_ID, option 54 is this host's first non-loopback IPv4 address (what
 * Kea uses: its DHCPv4 socket's address), else 127.0.0.1. 4o6 clients only compare it.
 */
function defaultServerId(): number {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === "IPv4" && !a.internal) return parseIpv4(a.address)!;
  }
  return parseIpv4("127.0.0.1")!;
}
