// A 4o6 test client for the integration tests: builds DHCPV4-QUERY messages (optionally
// relayed), sends them over a real UDP socket on loopback and decodes what comes back.
// It deliberately lets a test craft any message, including wrong ones.
import dgram from "node:dgram";
import {
  DhcpMessageType,
  clientIdentifierOption,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  dhcpMessageType,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Option,
  interfaceIdOption,
  messageTypeOption,
  parameterRequestListOption,
  parseIpv4,
  parseIpv6,
  portParamsOption,
  relayPortOption,
  requestedIpAddressOption,
  serverIdentifierOption,
  softwireSourceOption,
  type Dhcp4o6Message,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type Dhcpv6Message,
  type Dhcpv6Option,
  type PortParams,
  type RelayMessage,
} from "@/server/wire";

export interface QueryInit {
  type: number;
  /** 6-byte MAC; also makes the RFC 4361 client identifier unless clientId is given. */
  mac: Uint8Array;
  /** Full option 61 value; null sends none. Default: 255 + IAID 1 + DUID-LL of mac. */
  clientId?: Uint8Array | null;
  xid?: number;
  ciaddr?: number;
  requestedIp?: number;
  serverId?: number;
  /** Parameter Request List; default [1, 3, 6, 51, 54] plus 159 when shared. */
  prl?: number[];
  shared?: boolean;
  portParams?: PortParams;
  softwireSource?: string;
  /** U flag of the DHCPV4-QUERY. */
  unicast?: boolean;
  extraOptions?: Dhcpv4Option[];
  /** DHCPv6 options of the DHCPV4-QUERY besides 87 (e.g. an ORO). */
  v6Options?: Dhcpv6Option[];
}

export function macOf(n: number): Uint8Array {
  return Uint8Array.of(0x02, 0x00, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** RFC 4361 client identifier: 255, IAID, DUID-LL (type 3, hardware type 1, MAC). */
export function rfc4361ClientIdOf(mac: Uint8Array, iaid = 1): Uint8Array {
  return Uint8Array.of(255, (iaid >>> 24) & 255, (iaid >>> 16) & 255, (iaid >>> 8) & 255, iaid & 255, 0, 3, 0, 1, ...mac);
}

export const ip = (text: string): number => parseIpv4(text)!;

let nextXid = 0x1000;

/** The embedded DHCPv4 request. */
export function dhcpv4Request(init: QueryInit): Dhcpv4Message {
  const chaddr = new Uint8Array(16);
  chaddr.set(init.mac);
  const options: Dhcpv4Option[] = [messageTypeOption(init.type)];
  if (init.requestedIp !== undefined) options.push(requestedIpAddressOption(init.requestedIp));
  if (init.serverId !== undefined) options.push(serverIdentifierOption(init.serverId));
  const prl = init.prl ?? [1, 3, 6, 51, 54, ...(init.shared ? [159] : [])];
  if (prl.length > 0 && init.type !== DhcpMessageType.RELEASE && init.type !== DhcpMessageType.DECLINE) options.push(parameterRequestListOption(prl));
  const clientId = init.clientId === undefined ? rfc4361ClientIdOf(init.mac) : init.clientId;
  if (clientId) options.push(clientIdentifierOption(clientId));
  if (init.portParams) options.push(portParamsOption(init.portParams));
  if (init.softwireSource) options.push(softwireSourceOption(parseIpv6(init.softwireSource)!));
  options.push(...(init.extraOptions ?? []));
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: init.xid ?? nextXid++, secs: 0, flags: 0,
    ciaddr: init.ciaddr ?? 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr, sname: new Uint8Array(64), file: new Uint8Array(128), options,
  };
}

/** The DHCPV4-QUERY carrying a DHCPv4 message. */
export function dhcpv4Query(v4: Dhcpv4Message, unicast = false, v6Options: Dhcpv6Option[] = []): Dhcp4o6Message {
  return { kind: "4o6", msgType: 20, unicast, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(v4)), ...v6Options] };
}

export interface RelayHop {
  linkAddress: string;
  peerAddress: string;
  interfaceId?: string;
  /** Adds option 135 with this port (RFC 8357): the reply then comes back to the sender's port. */
  relayPort?: number;
}

/** Wraps a message in RELAY-FORW layers, the first hop being the relay next to the client. */
export function relayed(message: Dhcpv6Message, hops: RelayHop[]): Dhcpv6Message {
  let m = message;
  hops.forEach((hop, i) => {
    const options: Dhcpv6Option[] = [];
    if (hop.interfaceId) options.push(interfaceIdOption(new TextEncoder().encode(hop.interfaceId)));
    if (hop.relayPort !== undefined) options.push(relayPortOption(hop.relayPort));
    const relay: RelayMessage = {
      kind: "relay", msgType: 12, hopCount: i, linkAddress: parseIpv6(hop.linkAddress)!, peerAddress: parseIpv6(hop.peerAddress)!,
      options, relayMessageIndex: 0, message: m,
    };
    m = relay;
  });
  return m;
}

export interface Response {
  /** The whole decoded DHCPv6 message. */
  message: Dhcpv6Message;
  /** The DHCPV4-RESPONSE inside the relays. */
  response: Dhcp4o6Message;
  dhcpv4: Dhcpv4Message;
  type: number | undefined;
  bytes: Uint8Array;
}

export function parseResponse(bytes: Uint8Array): Response {
  const message = decodeDhcpv6Message(bytes);
  let inner = message;
  while (inner.kind === "relay") inner = inner.message;
  if (inner.kind !== "4o6" || inner.msgType !== 21) throw new Error(`not a DHCPV4-RESPONSE: ${inner.msgType}`);
  const v4 = decodeDhcpv4Message(getDhcpv6Option(inner, 87)!);
  return { message, response: inner, dhcpv4: v4, type: dhcpMessageType(v4), bytes };
}

/** A UDP socket on [::1] that talks to one server. */
export class TestClient {
  private constructor(
    private readonly socket: dgram.Socket,
    /** Settable: a test server that answers on this client's port is started after the client. */
    public serverPort: number,
    readonly serverAddress: string,
  ) {}

  /** `localPort` 546 makes it a standard DHCPv6 client, which a real worker answers (needs root). */
  static async open(serverPort: number, serverAddress = "::1", localPort = 0): Promise<TestClient> {
    const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
    await new Promise<void>((resolve) => socket.bind(localPort, "::1", resolve));
    return new TestClient(socket, serverPort, serverAddress);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  send(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, this.serverPort, this.serverAddress, (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Sends a DHCPv6 message and waits for one datagram back; null after `timeoutMs` of silence,
   * or as soon as `settled` resolves without a reply (a test that knows when the server has
   * finished with the message need not wait the whole timeout to conclude it stays silent).
   */
  async exchange(message: Dhcpv6Message | Uint8Array, timeoutMs = 2000, settled?: Promise<unknown>): Promise<Response | null> {
    const bytes = message instanceof Uint8Array ? message : encodeDhcpv6Message(message);
    const reply = new Promise<Buffer | null>((resolve) => {
      const done = (data: Buffer | null) => {
        clearTimeout(timer);
        this.socket.off("message", onMessage);
        resolve(data);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      const onMessage = (data: Buffer) => done(data);
      this.socket.on("message", onMessage);
      void settled?.then(() => done(null));
    });
    await this.send(bytes);
    const data = await reply;
    return data ? parseResponse(data) : null;
  }

  /** One DHCPv4 exchange sent directly (not relayed). */
  query(init: QueryInit, timeoutMs?: number): Promise<Response | null> {
    return this.exchange(dhcpv4Query(dhcpv4Request(init), init.unicast ?? false, init.v6Options), timeoutMs);
  }
}
