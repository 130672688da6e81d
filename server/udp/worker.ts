import dgram from "node:dgram";
import { metrics } from "../metrics/registry";
import { traffic, type TrafficKind } from "../metrics/traffic";
import { setWorkerStatus } from "../metrics/worker-status";
import type { Logger } from "pino";
import type { DatagramHandler } from "../dhcp4o6/datagram-handler";

export interface DhcpWorkerOptions {
  /** UDP port to bind (DHCP_PORT); 0 picks a free one (tests). */
  port: number;
  /** IPv6 address to bind (DHCP_ADDRESS); "::" listens on every interface. */
  address: string;
  handler: DatagramHandler;
  /**
   * Interfaces on which to join All_DHCP_Relay_Agents_and_Servers (ff02::1:2) and All_DHCP_Servers
   * (ff05::1:3), so that clients told to multicast (an empty option 88, RFC 7341 §5) reach us.
   */
  multicastInterfaces?: readonly string[];
  log?: Pick<Logger, "warn" | "debug">;
}

/** RFC 8415 §7.1. */
const DHCP_MULTICAST_GROUPS = ["ff02::1:2", "ff05::1:3"];
/** A burst of queries must not overflow the socket; Linux caps this at net.core.rmem_max. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Largest datagram handled: a DHCPv4 message within a 1500-byte path plus 32 relay layers with
 * their options stays well below it.
 */
const MAX_DATAGRAM = 8192;

/** Which replies the dashboard's traffic chart counts. */
const SENT_TRAFFIC: Record<string, TrafficKind | undefined> = { OFFER: "offers", ACK: "acks", NAK: "naks" };

/** Thrown when the socket cannot be bound; the message names the setting to change. */
export class WorkerBindError extends Error {}

/**
 * The 4o6 socket: receives DHCPv6 datagrams, hands each to the protocol handler, sends what it
 * answers. Every datagram is counted as received and then as sent or dropped (with a reason).
 */
export class DhcpWorker {
  private socket?: dgram.Socket;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: Pick<Logger, "warn" | "debug">;

  constructor(private readonly options: DhcpWorkerOptions) {
    this.log = options.log ?? console;
  }

  /** Binds the socket; resolves with the bound address and port. */
  async start(): Promise<{ address: string; port: number }> {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(new WorkerBindError(bindErrorMessage(error, this.options)));
      };
      socket.once("error", onError);
      socket.bind({ port: this.options.port, address: this.options.address, exclusive: true }, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    socket.on("error", (error) => this.log.warn(`[dhcp] socket error: ${error.message}`));
    try {
      socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch (error) {
      this.log.warn(`[dhcp] could not enlarge the receive buffer: ${(error as Error).message}`);
    }
    for (const name of this.options.multicastInterfaces ?? []) {
      for (const group of DHCP_MULTICAST_GROUPS) {
        try {
          socket.addMembership(group, `::%${name}`);
        } catch (error) {
          this.log.warn(`[dhcp] could not join ${group} on ${name}: ${(error as Error).message}`);
        }
      }
    }
    socket.on("message", (datagram, source) => this.track(this.receive(datagram, source)));
    this.socket = socket;
    const { address, port } = socket.address();
    setWorkerStatus({ state: "listening", address, port, since: new Date() });
    return { address, port };
  }

  /** SIGTERM path: stop reading, let in-flight exchanges commit and reply, close. */
  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    setWorkerStatus({ state: "draining" });
    socket.removeAllListeners("message");
    await Promise.allSettled([...this.inFlight]);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.socket = undefined;
    setWorkerStatus({ state: "stopped" });
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async receive(datagram: Buffer, source: dgram.RemoteInfo): Promise<void> {
    const m = metrics();
    if (datagram.length > MAX_DATAGRAM) {
      // No real 4o6 query comes near this, and a huge one of tiny options costs the decoder the most.
      m.packetsReceived.inc({ type: "unknown" });
      m.packetsDropped.inc({ reason: "too-large" });
      return;
    }
    const started = performance.now();
    let result;
    try {
      result = await this.options.handler.handle(datagram, { address: source.address, port: source.port });
    } catch (error) {
      // A handler bug must not stop the worker from answering others.
      m.packetsReceived.inc({ type: "unknown" });
      m.packetsDropped.inc({ reason: "internal-error" });
      this.log.warn(`[dhcp] internal error on a datagram from [${source.address}]:${source.port}: ${(error as Error).stack ?? error}`);
      return;
    }
    m.packetsReceived.inc({ type: result.receivedType ?? "unknown" });
    if (result.kind === "no-reply") return;
    if (result.kind === "drop") {
      m.packetsDropped.inc({ reason: result.reason });
      traffic().count("drops");
      this.log.debug(`[dhcp] dropped a datagram from [${source.address}]:${source.port}: ${result.reason}`);
      return;
    }
    const socket = this.socket;
    if (!socket) return; // closed while the handler worked; the client retransmits
    await new Promise<void>((resolve) =>
      socket.send(result.bytes, result.port, result.address, (error) => {
        if (error) {
          m.packetsDropped.inc({ reason: "send-failed" });
          this.log.warn(`[dhcp] send to [${result.address}]:${result.port} failed: ${error.message}`);
        } else {
          m.packetsSent.inc({ type: result.sentType });
          m.exchangeSeconds.observe({ type: result.receivedType }, (performance.now() - started) / 1000);
          const kind = SENT_TRAFFIC[result.sentType];
          if (kind) traffic().count(kind);
        }
        resolve();
      }),
    );
  }
}

function bindErrorMessage(error: NodeJS.ErrnoException, options: DhcpWorkerOptions): string {
  const where = `[${options.address}]:${options.port}`;
  if (error.code === "EADDRINUSE") return `cannot bind the 4o6 socket on ${where}: the port is in use; set DHCP_PORT to another port`;
  if (error.code === "EACCES") return `cannot bind the 4o6 socket on ${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); set DHCP_PORT to a port above 1023`;
  if (error.code === "EADDRNOTAVAIL" || error.code === "EINVAL")
    return `cannot bind the 4o6 socket on ${where}: the address is not on this host or not IPv6; set DHCP_ADDRESS`;
  return `cannot bind the 4o6 socket on ${where}: ${error.message}; check DHCP_ADDRESS and DHCP_PORT`;
}
