import pino from "pino";
import { Allocator } from "@/server/alloc/allocator";
import { createDhcp4o6Handler } from "@/server/dhcp4o6/handler";
import { DhcpWorker } from "@/server/udp/worker";
import { parseIpv4 } from "@/server/wire";
import type { TestDatabase } from "./databases";

export const TEST_SERVER_ID = parseIpv4("192.0.2.254")!;

export interface TestServer {
  port: number;
  allocator: Allocator;
  worker: DhcpWorker;
  stop(): Promise<void>;
}

/** The real worker (allocator, protocol handler, UDP socket on [::1]:ephemeral) on a test database. */
export async function startTestServer(
  t: TestDatabase,
  options: { offerHoldSeconds?: number; workerId?: string; sweepIntervalSeconds?: number } = {},
): Promise<TestServer> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const allocator = await Allocator.start({
    db: t.db,
    provider: t.config.provider,
    workerId: options.workerId ?? "test-worker",
    offerHoldSeconds: options.offerHoldSeconds ?? 60,
    sweepIntervalSeconds: options.sweepIntervalSeconds ?? 3600,
    log,
  });
  const handler = createDhcp4o6Handler({ allocator, serverId: TEST_SERVER_ID, log });
  const worker = new DhcpWorker({ port: 0, address: "::1", handler, log });
  const { port } = await worker.start();
  return {
    port,
    allocator,
    worker,
    async stop() {
      await worker.stop();
      await allocator.stop();
    },
  };
}
