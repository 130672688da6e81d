import pino, { type Logger } from "pino";
import { Allocator, type LeaseLimits } from "@/server/alloc/allocator";
import { createDhcp4o6Handler } from "@/server/dhcp4o6/handler";
import type { DatagramHandler } from "@/server/dhcp4o6/datagram-handler";
import { DhcpWorker } from "@/server/udp/worker";
import { parseIpv4 } from "@/server/wire";
import { TestClient } from "../../support/test-client";
import type { TestDatabase } from "./databases";

export const TEST_SERVER_ID = parseIpv4("192.0.2.254")!;

export interface TestServer {
  port: number;
  allocator: Allocator;
  handler: DatagramHandler;
  worker: DhcpWorker;
  /**
   * A client socket on [::1] that the server answers on. The server sends direct replies to the
   * client port 546 and relayed ones (without option 135) to 547 (RFC 8415 §7.2); tests cannot
   * bind those, so this server uses this socket's port for both instead.
   */
  client: TestClient;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  offerHoldSeconds?: number;
  workerId?: string;
  sweepIntervalSeconds?: number;
  /** Where direct replies go (default: `client`'s port). */
  clientPort?: number;
  /** Where relayed replies without option 135 go (default: `client`'s port). */
  relayPort?: number;
  log?: Logger;
  /** The clock of the allocator and the handler (default Date.now); tests move it instead of sleeping. */
  now?: () => number;
  /** Other workers share the database (PostgreSQL scale-out): look leases they made up there. */
  sharedDatabase?: boolean;
  /** RFC 7618 §10 caps on live leases per client identifier and per subscriber prefix. */
  limits?: LeaseLimits;
  /** Per-client query rate limit of the protocol handler. */
  rateLimit?: { perSecond: number; burst: number };
}

/** The real worker (allocator, protocol handler, UDP socket on [::1]:ephemeral) on a test database. */
export async function startTestServer(t: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const client = await TestClient.open(0);
  const allocator = await Allocator.start({
    db: t.db,
    provider: t.config.provider,
    workerId: options.workerId ?? "test-worker",
    offerHoldSeconds: options.offerHoldSeconds ?? 60,
    sweepIntervalSeconds: options.sweepIntervalSeconds ?? 3600,
    log,
    now: options.now,
    sharedDatabase: options.sharedDatabase,
    limits: options.limits,
  });
  const handler = createDhcp4o6Handler({
    allocator,
    serverId: TEST_SERVER_ID,
    log,
    now: options.now,
    clientPort: options.clientPort ?? client.port,
    relayPort: options.relayPort ?? client.port,
    rateLimit: options.rateLimit,
  });
  const worker = new DhcpWorker({ port: 0, address: "::1", handler, log });
  const { port } = await worker.start();
  client.serverPort = port;
  return {
    port,
    allocator,
    handler,
    worker,
    client,
    async stop() {
      await worker.stop();
      await allocator.stop();
      client.close();
    },
  };
}
