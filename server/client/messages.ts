/**
 * The DHCPv4 messages a 4o6 client sends (RFC 2131 §4.4, Table 5; RFC 7618 §6, §7; RFC 8539
 * §7), built with server/wire. Pure: the caller chooses xid and secs; where a message goes
 * and with which U flag is the state machine's business (lease-state.ts).
 */
import {
  BOOTREQUEST,
  DhcpMessageType,
  clientIdentifierOption,
  messageTypeOption,
  parameterRequestListOption,
  portParamsOption,
  requestedIpAddressOption,
  serverIdentifierOption,
  softwireSourceOption,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type PortParams,
} from "../wire";

/** Who the client is: chaddr, and the RFC 4361 client identifier made of IAID and DUID. */
export interface ClientIdentity {
  /** Hardware address for chaddr (htype 1, Ethernet): 6 bytes. */
  mac: Uint8Array;
  /** RFC 4361 §6.1 IAID, uint32. */
  iaid: number;
  /** DUID (2-byte type + 1..128 bytes) [RFC 8415 §11]. */
  duid: Uint8Array;
}

/** What the client asks for in every DISCOVER and REQUEST. */
export interface RequestPreferences {
  /** List 159 in the Parameter Request List: the client accepts a shared address [RFC 7618 §6 item 1]. */
  shared: boolean;
  /** A PSID-length size hint for the DISCOVER (159 with only PSID-len set) [RFC 7618 §7]. */
  psidLengthHint?: number;
  /** RFC 8539 §7.1, §7.2: the softwire IPv6 source (16 bytes), sent as option 109 in every REQUEST. */
  softwireSource?: Uint8Array;
}

/** An (address, port set) the client holds or was offered; portParams undefined = full address. */
export interface Slot {
  address: number;
  portParams?: PortParams;
}

/** DHCPv4 options the client asks for: mask, router, DNS, lease time, server id, T1, T2. */
export const BASE_PARAMETER_REQUEST_LIST: readonly number[] = [1, 3, 6, 51, 54, 58, 59];
/** Option 159, OPTION_V4_PORTPARAMS [RFC 7618 §9]. */
export const V4_PORTPARAMS = 159;

/** DUID-LL (type 3) for an Ethernet address [RFC 8415 §11.4]. */
export function duidLl(mac: Uint8Array): Uint8Array {
  return Uint8Array.of(0, 3, 0, 1, ...mac);
}

/** Option 61's value in RFC 4361 §6.1 form: type 255, IAID (4 bytes), DUID. */
export function rfc4361ClientIdentifier(iaid: number, duid: Uint8Array): Uint8Array {
  return Uint8Array.of(255, (iaid >>> 24) & 255, (iaid >>> 16) & 255, (iaid >>> 8) & 255, iaid & 255, ...duid);
}

/** The client identifier a ClientIdentity sends. */
export function clientIdentifierOf(identity: ClientIdentity): Uint8Array {
  return rfc4361ClientIdentifier(identity.iaid, identity.duid);
}

function parameterRequestList(prefs: RequestPreferences): number[] {
  return prefs.shared ? [...BASE_PARAMETER_REQUEST_LIST, V4_PORTPARAMS] : [...BASE_PARAMETER_REQUEST_LIST];
}

interface HeaderFields {
  xid: number;
  secs: number;
  ciaddr?: number;
}

function bootRequest(identity: ClientIdentity, header: HeaderFields, options: Dhcpv4Option[]): Dhcpv4Message {
  const chaddr = new Uint8Array(16);
  chaddr.set(identity.mac.subarray(0, 16));
  return {
    op: BOOTREQUEST,
    htype: 1,
    hlen: Math.min(identity.mac.length, 16),
    hops: 0,
    xid: header.xid >>> 0,
    secs: Math.max(0, Math.min(0xffff, Math.floor(header.secs))),
    // The B flag means nothing in 4o6: replies come back over DHCPv6 (RFC 7341 §11).
    flags: 0,
    ciaddr: header.ciaddr ?? 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr,
    sname: new Uint8Array(64),
    file: new Uint8Array(128),
    options,
  };
}

/**
 * DHCPDISCOVER [RFC 2131 §4.4.1]: option 61 (RFC 7341 §9 makes it a MUST), option 55 with 159
 * when shared, and optionally a hint [RFC 7618 §7]: option 50 + the 159 previously held
 * (re-allocation), or 159 with only the PSID length (size).
 */
export function buildDiscover(identity: ClientIdentity, prefs: RequestPreferences, header: HeaderFields, previous?: Slot): Dhcpv4Message {
  const options: Dhcpv4Option[] = [messageTypeOption(DhcpMessageType.DISCOVER)];
  if (previous) options.push(requestedIpAddressOption(previous.address));
  options.push(parameterRequestListOption(parameterRequestList(prefs)), clientIdentifierOption(clientIdentifierOf(identity)));
  if (prefs.shared) {
    if (previous?.portParams) options.push(portParamsOption(previous.portParams));
    else if (!previous && prefs.psidLengthHint !== undefined) options.push(portParamsOption({ offset: 0, psidLength: prefs.psidLengthHint, psid: 0 }));
  }
  return bootRequest(identity, { xid: header.xid, secs: header.secs }, options);
}

function requestOptions(identity: ClientIdentity, prefs: RequestPreferences, slot: Slot, fields: { requested: boolean; serverId?: number }): Dhcpv4Option[] {
  const options: Dhcpv4Option[] = [messageTypeOption(DhcpMessageType.REQUEST)];
  if (fields.requested) options.push(requestedIpAddressOption(slot.address));
  if (fields.serverId !== undefined) options.push(serverIdentifierOption(fields.serverId));
  // RFC 2131 §4.3.2 / §3.5: a client that sent 55 in its DISCOVER repeats it in its REQUESTs.
  options.push(parameterRequestListOption(parameterRequestList(prefs)), clientIdentifierOption(clientIdentifierOf(identity)));
  // RFC 7618 §6 item 3, §7: the 159 of the offer, or of the lease being renewed or rebooted.
  if (slot.portParams) options.push(portParamsOption(slot.portParams));
  // RFC 8539 §7.1, §7.2: every REQUEST that creates or extends a lease carries 109.
  if (prefs.softwireSource) options.push(softwireSourceOption(prefs.softwireSource));
  return options;
}

/** DHCPREQUEST in SELECTING: 50 = offered address, 54 = the chosen server, ciaddr 0 [RFC 2131 Table 4]. */
export function buildSelectingRequest(identity: ClientIdentity, prefs: RequestPreferences, header: HeaderFields, offer: Slot & { serverId: number }): Dhcpv4Message {
  return bootRequest(identity, { xid: header.xid, secs: header.secs }, requestOptions(identity, prefs, offer, { requested: true, serverId: offer.serverId }));
}

/** DHCPREQUEST in INIT-REBOOT: 50 = the stored address, no 54, ciaddr 0 [RFC 2131 Table 4, RFC 7618 §7]. */
export function buildInitRebootRequest(identity: ClientIdentity, prefs: RequestPreferences, header: HeaderFields, lease: Slot): Dhcpv4Message {
  return bootRequest(identity, { xid: header.xid, secs: header.secs }, requestOptions(identity, prefs, lease, { requested: true }));
}

/**
 * DHCPREQUEST in RENEWING or REBINDING: ciaddr = the leased address, no 50, no 54 [RFC 2131
 * Table 4]; the two differ only in the U flag of the DHCPV4-QUERY [RFC 7341 §8].
 */
export function buildExtendRequest(identity: ClientIdentity, prefs: RequestPreferences, header: HeaderFields, lease: Slot): Dhcpv4Message {
  return bootRequest(identity, { xid: header.xid, secs: header.secs, ciaddr: lease.address }, requestOptions(identity, prefs, lease, { requested: false }));
}

/**
 * DHCPRELEASE [RFC 2131 §4.4.6]: ciaddr = the leased address, 54, 61, and 159 with the port set
 * held [RFC 7618 §6 item 6, §7]; no 109 [RFC 8539 §7.3]; secs 0 [RFC 2131 Table 5].
 */
export function buildRelease(identity: ClientIdentity, xid: number, lease: Slot & { serverId: number }): Dhcpv4Message {
  const options: Dhcpv4Option[] = [
    messageTypeOption(DhcpMessageType.RELEASE),
    serverIdentifierOption(lease.serverId),
    clientIdentifierOption(clientIdentifierOf(identity)),
  ];
  if (lease.portParams) options.push(portParamsOption(lease.portParams));
  return bootRequest(identity, { xid, secs: 0, ciaddr: lease.address }, options);
}
