import type { Logger } from "pino";
import type { Database } from "../db";
import type { DatagramHandler, HandlingResult } from "../udp/datagram-handler";

export interface Dhcp4o6HandlerOptions {
  db: Database;
  log: Pick<Logger, "debug" | "warn">;
}

// Foundation stage: classify and count. The allocation engine replaces this with full DORA.
export function createDhcp4o6Handler(_options: Dhcp4o6HandlerOptions): DatagramHandler {
  return {
    async handle(datagram): Promise<HandlingResult> {
      const type = datagram[0];
      if (type === undefined) return { kind: "drop", reason: "empty" };
      return { kind: "drop", reason: "not-implemented", receivedType: `dhcpv6-${type}` };
    },
  };
}
