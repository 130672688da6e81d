/**
 * How the client's DHCPv4 messages travel: inside a DHCPV4-QUERY [RFC 7341 §6], optionally
 * wrapped in RELAY-FORW layers as a 4o6 relay would wrap them [RFC 8415 §19.1], over a UDP
 * socket; and how DHCPV4-RESPONSEs are taken apart again. Framing is pure and uses
 * server/wire; the socket is a small interface so the state machine can run on a fake one.
 */
import dgram from "node:dgram";
import {
  DecodeError,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Options,
  interfaceIdOption,
  optionRequestOption,
  relayPortOption,
  type Dhcp4o6Message,
  type Dhcpv4Message,
  type Dhcpv6Message,
  type Dhcpv6Option,
} from "../wire";

/** A UDP endpoint; `address` is IPv6 text, optionally with a zone ("fe80::1%eth0"). */
export interface Endpoint {
  address: string;
  port: number;
}

/** The DHCPv6 client port [RFC 8415 §7.2]: where a 4o6 server answers a direct query. */
export const DHCPV6_CLIENT_PORT = 546;
/** The DHCPv6 server/relay port [RFC 8415 §7.2]. */
export const DHCPV6_SERVER_PORT = 547;
/** All_DHCP_Relay_Agents_and_Servers [RFC 8415 §7.1]. */
export const ALL_DHCP_RELAY_AGENTS_AND_SERVERS = "ff02::1:2";

/** "[2001:db8::1]:547", "[fe80::1%eth0]:547". */
export function formatEndpoint(e: Endpoint): string {
  return `[${e.address}]:${e.port}`;
}

/** Whether an IPv6 text address is multicast (ff00::/8). */
export function isMulticast(address: string): boolean {
  return /^ff[0-9a-f]{2}:/i.test(address);
}

/** Where a query goes and how it is wrapped on the way. */
export interface QueryPath {
  /**
   * RELAY-FORW layers to wrap the query in (0 = sent directly). The client plays every relay:
   * hop-count 0 next to the client, one more per layer [RFC 8415 §19.1.2].
   */
  relayHops: number;
  /** The innermost layer's link-address (the client's link) [RFC 8415 §19.1.1]; outer layers use ::. */
  linkAddress: Uint8Array;
  /** The client's IPv6 address: the innermost layer's peer-address, and the outer layers' too. */
  peerAddress: Uint8Array;
  /** Interface-Id (option 18) of the innermost layer. */
  interfaceId?: Uint8Array;
  /**
   * The UDP port the client sends from. When it is not 547, every layer carries option 135 so
   * the server answers the port the datagram came from [RFC 8357 §5.1, §5.2].
   */
  localPort: number;
}

const UNSPECIFIED = new Uint8Array(16);

/**
 * The bytes of one DHCPV4-QUERY carrying `dhcpv4`, with the U flag and, when `oro` is not
 * empty, an ORO (option 6) at DHCPv6 level (RFC 8539 §5: 90 and 137), wrapped per `path`.
 */
export function frameQuery(dhcpv4: Dhcpv4Message, unicast: boolean, oro: readonly number[], path: QueryPath): Uint8Array {
  const options: Dhcpv6Option[] = [dhcpv4MsgOption(encodeDhcpv4Message(dhcpv4))];
  // RFC 7341 §9: never 88 in the ORO of a DHCPV4-QUERY.
  const asked = oro.filter((code) => code !== 88);
  if (asked.length > 0) options.push(optionRequestOption(asked));
  const query: Dhcp4o6Message = { kind: "4o6", msgType: 20, unicast, mbzFlags: 0, options };
  return encodeDhcpv6Message(wrapInRelayForwards(query, path));
}

/** Wraps a message in path.relayHops RELAY-FORW layers (innermost built first). */
export function wrapInRelayForwards(message: Dhcpv6Message, path: QueryPath): Dhcpv6Message {
  let m = message;
  for (let hop = 0; hop < path.relayHops; hop++) {
    const options: Dhcpv6Option[] = [];
    if (hop === 0 && path.interfaceId) options.push(interfaceIdOption(path.interfaceId));
    // RFC 8357 §5.1: Downstream Source Port is the port the layer below sent from when it was
    // not the standard one: the client itself for the first hop (0 = standard), us above it.
    if (path.localPort !== DHCPV6_SERVER_PORT) options.push(relayPortOption(hop === 0 ? 0 : path.localPort));
    m = {
      kind: "relay",
      msgType: 12,
      hopCount: hop,
      linkAddress: hop === 0 ? path.linkAddress : UNSPECIFIED,
      peerAddress: path.peerAddress,
      options,
      relayMessageIndex: options.length,
      message: m,
    };
  }
  return m;
}

/** A DHCPV4-RESPONSE taken apart. */
export interface ReceivedResponse {
  /** The DHCPv4 reply inside option 87. */
  dhcpv4: Dhcpv4Message;
  /** DHCPv6 options of the DHCPV4-RESPONSE besides 87 (e.g. 90, 137 [RFC 8539 §5]). */
  options: Dhcpv6Option[];
  /** How many RELAY-REPL layers it came in. */
  relayLayers: number;
}

/** Why a datagram is not a DHCPV4-RESPONSE the client can use. */
export class ResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResponseError";
  }
}

/**
 * Decodes a datagram received by the client: RELAY-REPL layers (if any) around one
 * DHCPV4-RESPONSE with exactly one option 87 holding a BOOTREPLY. Its flags are ignored
 * [RFC 7341 §6.4]. Throws ResponseError (wire DecodeErrors are turned into one).
 */
export function unframeResponse(bytes: Uint8Array): ReceivedResponse {
  let message: Dhcpv6Message;
  try {
    message = decodeDhcpv6Message(bytes);
  } catch (error) {
    if (error instanceof DecodeError) throw new ResponseError(`undecodable DHCPv6 message: ${error.message}`);
    throw error;
  }
  let relayLayers = 0;
  while (message.kind === "relay") {
    if (message.msgType !== 13) throw new ResponseError("a RELAY-FORW, not a reply");
    relayLayers++;
    message = message.message;
  }
  if (message.kind !== "4o6" || message.msgType !== 21) throw new ResponseError(`DHCPv6 message type ${message.msgType}, not DHCPV4-RESPONSE (21)`);
  const v4 = getDhcpv6Options(message, 87);
  if (v4.length !== 1) throw new ResponseError(`${v4.length} options 87 in a DHCPV4-RESPONSE, must be exactly 1`);
  let dhcpv4: Dhcpv4Message;
  try {
    dhcpv4 = decodeDhcpv4Message(v4[0]!);
  } catch (error) {
    if (error instanceof DecodeError) throw new ResponseError(`undecodable DHCPv4 message: ${error.message}`);
    throw error;
  }
  if (dhcpv4.op !== 2) throw new ResponseError("the DHCPv4 message is not a BOOTREPLY");
  return { dhcpv4, options: message.options.filter((o) => o.code !== 87), relayLayers };
}

/** The socket the client talks through. */
export interface Transport {
  /** The UDP port the socket is bound to. */
  readonly localPort: number;
  send(bytes: Uint8Array, to: Endpoint): Promise<void>;
  /** Registers a listener for received datagrams; returns its remover. */
  onDatagram(listener: (bytes: Uint8Array, from: Endpoint) => void): () => void;
  close(): Promise<void>;
}

/** A socket problem the user can act on (bind refused, port in use). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}

/** A UDP/IPv6 socket. */
export class UdpTransport implements Transport {
  private readonly listeners = new Set<(bytes: Uint8Array, from: Endpoint) => void>();

  private constructor(private readonly socket: dgram.Socket) {
    socket.on("message", (data, rinfo) => {
      for (const listener of [...this.listeners]) listener(data, { address: rinfo.address, port: rinfo.port });
    });
  }

  /** Binds [address]:port (default [::]:546, the DHCPv6 client port, which needs root). */
  static async open(options: { address?: string; port?: number } = {}): Promise<UdpTransport> {
    const address = options.address ?? "::";
    const port = options.port ?? DHCPV6_CLIENT_PORT;
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        const where = formatEndpoint({ address, port });
        if (error.code === "EACCES") reject(new TransportError(`cannot bind UDP ${where}: permission denied (port ${port} needs root or CAP_NET_BIND_SERVICE; pass --port to use another)`));
        else if (error.code === "EADDRINUSE") reject(new TransportError(`cannot bind UDP ${where}: already in use (another DHCPv6 client? pass --port)`));
        else if (error.code === "EADDRNOTAVAIL") reject(new TransportError(`cannot bind UDP ${where}: no such local address`));
        else reject(new TransportError(`cannot bind UDP ${where}: ${error.message}`));
      };
      socket.once("error", onError);
      socket.bind(port, address, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    // After binding, a socket error (e.g. ICMP port unreachable reported on some systems) is not fatal.
    socket.on("error", () => {});
    return new UdpTransport(socket);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, to.port, to.address, (error) => (error ? reject(error) : resolve())));
  }

  onDatagram(listener: (bytes: Uint8Array, from: Endpoint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/**
 * The IPv6 source address the system would use toward `to` (a connected UDP socket's local
 * address; nothing is sent), or undefined when there is no route.
 */
export async function sourceAddressToward(to: Endpoint): Promise<string | undefined> {
  const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
  try {
    return await new Promise<string | undefined>((resolve) => {
      socket.once("error", () => resolve(undefined));
      socket.connect(to.port, to.address, () => {
        const local = socket.address().address;
        resolve(local.replace(/%.*$/, ""));
      });
    });
  } finally {
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}
