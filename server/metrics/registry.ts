import { Counter, Registry, collectDefaultMetrics } from "prom-client";

/** The Prometheus metrics of this process; one registry per process, kept on globalThis. */
export interface PortshareMetrics {
  registry: Registry;
  packetsReceived: Counter<"type">;
  packetsSent: Counter<"type">;
  packetsDropped: Counter<"reason">;
}

const KEY = Symbol.for("portshare.metrics");

export function metrics(): PortshareMetrics {
  const holder = globalThis as { [KEY]?: PortshareMetrics };
  return (holder[KEY] ??= createMetrics());
}

function createMetrics(): PortshareMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    packetsReceived: new Counter({
      name: "portshare_dhcp_packets_received_total",
      help: "DHCPv6 datagrams received, by DHCPv4 message type inside (or the DHCPv6 type when there is none)",
      labelNames: ["type"],
      registers: [registry],
    }),
    packetsSent: new Counter({
      name: "portshare_dhcp_packets_sent_total",
      help: "Replies sent, by DHCPv4 message type",
      labelNames: ["type"],
      registers: [registry],
    }),
    packetsDropped: new Counter({
      name: "portshare_dhcp_packets_dropped_total",
      help: "Datagrams dropped without a reply, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
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
