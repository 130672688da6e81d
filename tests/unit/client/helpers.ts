// Shared helpers of the client unit tests: a client identity, server replies built with
// server/wire, and a machine configuration with no jitter.
import type { MachineConfig } from "@/server/client/lease-state";
import { clientIdentifierOf, type ClientIdentity } from "@/server/client/messages";
import type { Endpoint, ReceivedResponse } from "@/server/client/transport";
import {
  DhcpMessageType,
  clientIdentifierOption,
  createBootReply,
  getDhcpv4Option,
  leaseTimeOption,
  messageOption,
  messageTypeOption,
  parseIpv4,
  parseIpv6,
  portParamsOption,
  rebindingTimeOption,
  renewalTimeOption,
  s46BrOption,
  serverIdentifierOption,
  softwireSourceOption,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type Dhcpv6Option,
  type PortParams,
} from "@/server/wire";

export const ip = (text: string): number => parseIpv4(text)!;

export const IDENTITY: ClientIdentity = {
  mac: Uint8Array.of(2, 0, 0, 0, 0, 1),
  iaid: 1,
  duid: Uint8Array.of(0, 3, 0, 1, 2, 0, 0, 0, 0, 1),
};

export const SERVER: Endpoint = { address: "2001:db8::547", port: 547 };
export const SERVER_B: Endpoint = { address: "2001:db8::548", port: 547 };
export const SERVER_ID = ip("192.0.2.254");
export const SERVER_ID_B = ip("192.0.2.253");
export const T0 = Date.UTC(2026, 0, 1);

export function config(overrides: Partial<MachineConfig> = {}): MachineConfig {
  let xid = 0x1000;
  return {
    identity: IDENTITY,
    prefs: { shared: true },
    policy: { preferShared: false, askedShared: true, requireBr: false },
    retransmit: { firstWaitMs: 4000, attempts: 4, rebootAttempts: 2 },
    offerWindowMs: 1000,
    respondersExpected: 1,
    maxRestarts: 3,
    // 0.5 → no jitter: waits are exactly 4 s, 8 s, ...
    random: () => 0.5,
    newXid: () => xid++,
    ...overrides,
  };
}

export interface ReplyInit {
  type: number;
  yiaddr?: number;
  serverId?: number;
  lease?: number;
  t1?: number;
  t2?: number;
  portParams?: PortParams;
  softwireSource?: Uint8Array;
  /** Replace the echoed client identifier (RFC 6842) with this one, or null for none. */
  clientId?: Uint8Array | null;
  message?: string;
  extra?: Dhcpv4Option[];
  dhcpv6?: Dhcpv6Option[];
}

/** A server reply to `request`, as the client receives it. */
export function reply(request: Dhcpv4Message, init: ReplyInit): ReceivedResponse {
  const options: Dhcpv4Option[] = [messageTypeOption(init.type), serverIdentifierOption(init.serverId ?? SERVER_ID)];
  if (init.type !== DhcpMessageType.NAK) {
    options.push(leaseTimeOption(init.lease ?? 3600));
    if (init.t1 !== undefined) options.push(renewalTimeOption(init.t1));
    if (init.t2 !== undefined) options.push(rebindingTimeOption(init.t2));
    if (init.portParams) options.push(portParamsOption(init.portParams));
    if (init.softwireSource) options.push(softwireSourceOption(init.softwireSource));
  } else if (init.message) {
    options.push(messageOption(init.message));
  }
  options.push(...(init.extra ?? []));
  const id = init.clientId === undefined ? getDhcpv4Option(request, 61) : init.clientId;
  if (id) options.push(clientIdentifierOption(id));
  const dhcpv4 = createBootReply(request, { yiaddr: init.type === DhcpMessageType.NAK ? 0 : (init.yiaddr ?? ip("192.0.2.10")), ciaddr: 0, options });
  return { dhcpv4, options: init.dhcpv6 ?? [], relayLayers: 0 };
}

export const offer = (request: Dhcpv4Message, init: Omit<ReplyInit, "type"> = {}) => reply(request, { type: DhcpMessageType.OFFER, ...init });
export const ack = (request: Dhcpv4Message, init: Omit<ReplyInit, "type"> = {}) => reply(request, { type: DhcpMessageType.ACK, ...init });
export const nak = (request: Dhcpv4Message, init: Omit<ReplyInit, "type"> = {}) => reply(request, { type: DhcpMessageType.NAK, ...init });

export const PSID5: PortParams = { offset: 6, psidLength: 4, psid: 5 };
export const v6 = (text: string): Uint8Array => parseIpv6(text)!;
/** OPTION_S46_BR (90) [RFC 8539 §4.1]. */
export const br = (text = "2001:db8:ffff::1"): Dhcpv6Option => s46BrOption(v6(text));
export const CLIENT_ID = clientIdentifierOf(IDENTITY);
export const optionCodes = (m: Dhcpv4Message) => m.options.map((o) => o.code);
