import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The Prometheus metrics of this process; one registry per process, kept on globalThis. */
export interface PortshareMetrics {
  registry: Registry;
  packetsReceived: Counter<"type">;
  packetsSent: Counter<"type">;
  packetsDropped: Counter<"reason">;
  /** Time from a datagram's arrival to its reply being handed to the socket (allocation included). */
  exchangeSeconds: Histogram<"type">;
  commitBatchSize: Histogram<string>;
  commitSeconds: Histogram<string>;
  databaseErrors: Counter<"operation">;
  poolSlots: Gauge<"pool" | "kind">;
  poolSlotsTaken: Gauge<"pool" | "kind">;
  poolAddresses: Gauge<"pool" | "kind">;
}

const KEY = Symbol.for("portshare.metrics");

export function metrics(): PortshareMetrics {
  const holder = globalThis as { [KEY]?: PortshareMetrics };
  return (holder[KEY] ??= createMetrics());
}

function createMetrics(): PortshareMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "portshare_" });
  const registers = [registry];
  return {
    registry,
    packetsReceived: new Counter({
      name: "portshare_dhcp_packets_received_total",
      help: "DHCPv6 datagrams received, by DHCPv4 message type inside (or the DHCPv6 type when there is none)",
      labelNames: ["type"],
      registers,
    }),
    packetsSent: new Counter({ name: "portshare_dhcp_packets_sent_total", help: "Replies sent, by DHCPv4 message type", labelNames: ["type"], registers }),
    packetsDropped: new Counter({ name: "portshare_dhcp_packets_dropped_total", help: "Datagrams dropped without a reply, by reason", labelNames: ["reason"], registers }),
    exchangeSeconds: new Histogram({
      name: "portshare_dhcp_exchange_seconds",
      help: "Time from receiving a query to sending its reply, commit included, by DHCPv4 message type received",
      labelNames: ["type"],
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    commitBatchSize: new Histogram({
      name: "portshare_lease_commit_batch_size",
      help: "Lease writes grouped into one database transaction",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    commitSeconds: new Histogram({
      name: "portshare_lease_commit_seconds",
      help: "Duration of one group commit of lease writes",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 2],
      registers,
    }),
    databaseErrors: new Counter({ name: "portshare_database_errors_total", help: "Failed database operations, by operation", labelNames: ["operation"], registers }),
    poolSlots: new Gauge({ name: "portshare_pool_slots", help: "Port sets (shared pools) or addresses (dedicated pools) a pool can hand out", labelNames: ["pool", "kind"], registers }),
    poolSlotsTaken: new Gauge({ name: "portshare_pool_slots_taken", help: "Slots held by live leases, quarantine or reservations", labelNames: ["pool", "kind"], registers }),
    poolAddresses: new Gauge({ name: "portshare_pool_addresses", help: "IPv4 addresses in a pool", labelNames: ["pool", "kind"], registers }),
  };
}

/** A counter's values by label, for the console (prom-client keeps them; no second bookkeeping). */
export async function countsByLabel(counter: Counter<string>, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const sample of (await counter.get()).values) {
    const key = String(sample.labels[label] ?? "");
    out[key] = (out[key] ?? 0) + sample.value;
  }
  return out;
}
