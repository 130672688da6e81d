/**
 * DHCPv4 option codes, the validation applied to the options a server reads, typed
 * accessors on a decoded message and builders for reply options [RFC 2132].
 *
 * Every option listed in {@link checkDhcpv4Option} is validated when the message is
 * decoded, so the accessors here never throw on a decoded message: they return the
 * typed value, or undefined when the option is absent.
 */
import { readUint16, readUint32, uint32Bytes } from "./big-endian";
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";
import { encodePortParams, readPortParams, type PortParams } from "./port-params";
import type { Dhcpv4Option } from "./dhcpv4";

/** DHCPv4 option codes used by the server (protocol.md §2.3). */
export const Dhcpv4OptionCode = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DOMAIN_NAME_SERVER: 6,
  REQUESTED_IP_ADDRESS: 50,
  IP_ADDRESS_LEASE_TIME: 51,
  OPTION_OVERLOAD: 52,
  DHCP_MESSAGE_TYPE: 53,
  SERVER_IDENTIFIER: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAXIMUM_DHCP_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  CLIENT_IDENTIFIER: 61,
  DHCP4O6_S46_SADDR: 109,
  V4_PORTPARAMS: 159,
  END: 255,
} as const;

/** Values of option 53 [RFC 2132 §9.6]. */
export const DhcpMessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type DhcpMessageTypeValue = (typeof DhcpMessageType)[keyof typeof DhcpMessageType];

const NAMES: Record<number, string> = {
  1: "Subnet Mask",
  3: "Router",
  6: "Domain Name Server",
  50: "Requested IP Address",
  51: "IP Address Lease Time",
  52: "Option Overload",
  53: "DHCP Message Type",
  54: "Server Identifier",
  55: "Parameter Request List",
  56: "Message",
  57: "Maximum DHCP Message Size",
  58: "Renewal Time",
  59: "Rebinding Time",
  61: "Client Identifier",
  109: "DHCP4O6 S46 SADDR",
  159: "V4 PORTPARAMS",
};

/** "DHCPv4 option 61 (Client Identifier)": the field name used in errors. */
export function dhcpv4OptionField(code: number): string {
  const name = NAMES[code];
  return name === undefined ? `DHCPv4 option ${code}` : `DHCPv4 option ${code} (${name})`;
}

function badLength(code: number, at: number, length: number, rule: string): DecodeError {
  return new DecodeError("bad-length", at, dhcpv4OptionField(code), `length ${length}, ${rule}`);
}

/**
 * Validates the (joined) value of an option the server reads; unknown codes pass.
 * `at` is the offset of the option's first instance, reported in errors.
 */
export function checkDhcpv4Option(code: number, data: Uint8Array, at: number): void {
  const n = data.length;
  switch (code) {
    case 53: // RFC 2132 §9.6
      if (n !== 1) throw badLength(code, at, n, "must be 1");
      return;
    case 1: // RFC 2132 §3.3
    case 50: // §9.1
    case 51: // §9.2
    case 54: // §9.7
    case 58: // §9.11
    case 59: // §9.12
      if (n !== 4) throw badLength(code, at, n, "must be 4");
      return;
    case 3: // RFC 2132 §3.5, §3.8: one or more addresses
    case 6:
      if (n === 0 || n % 4 !== 0) throw badLength(code, at, n, "must be a non-zero multiple of 4");
      return;
    case 55: // RFC 2132 §9.8
    case 56: // §9.9
      if (n === 0) throw badLength(code, at, n, "must be at least 1");
      return;
    case 57: // RFC 2132 §9.10
      if (n !== 2) throw badLength(code, at, n, "must be 2");
      return;
    case 61: // RFC 2132 §9.14: type + at least one byte
      if (n < 2) throw badLength(code, at, n, "must be at least 2");
      return;
    case 109: // RFC 8539 §6.2
      if (n !== 16) throw badLength(code, at, n, "must be 16");
      return;
    case 159: // RFC 7618 §9, validated per protocol.md §4.2
      if (n !== 4) throw badLength(code, at, n, "must be 4");
      readPortParams(data, 0, dhcpv4OptionField(code), at);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Accessors. They take anything with an options list (a decoded or a built message).

interface HasOptions {
  readonly options: readonly Dhcpv4Option[];
}

/** The value of option `code` (already joined per RFC 3396), or undefined. */
export function getDhcpv4Option(msg: HasOptions, code: number): Uint8Array | undefined {
  const options = msg.options;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o.code === code) return o.data;
  }
  return undefined;
}

function u32Of(msg: HasOptions, code: number): number | undefined {
  const d = getDhcpv4Option(msg, code);
  return d === undefined || d.length < 4 ? undefined : readUint32(d, 0);
}

function addressesOf(msg: HasOptions, code: number): number[] | undefined {
  const d = getDhcpv4Option(msg, code);
  if (d === undefined) return undefined;
  const out: number[] = [];
  for (let i = 0; i + 4 <= d.length; i += 4) out.push(readUint32(d, i));
  return out;
}

/** Option 53: the DHCP message type (see {@link DhcpMessageType}); undefined for BOOTP. */
export function dhcpMessageType(msg: HasOptions): number | undefined {
  return getDhcpv4Option(msg, 53)?.[0];
}

/** Option 50 as uint32. */
export function requestedIpAddress(msg: HasOptions): number | undefined {
  return u32Of(msg, 50);
}

/** Option 51, seconds (0xffffffff = infinite). */
export function leaseTime(msg: HasOptions): number | undefined {
  return u32Of(msg, 51);
}

/** Option 54 as uint32. */
export function serverIdentifier(msg: HasOptions): number | undefined {
  return u32Of(msg, 54);
}

/** Option 55: the requested option codes, one per byte, in the client's order. */
export function parameterRequestList(msg: HasOptions): Uint8Array | undefined {
  return getDhcpv4Option(msg, 55);
}

/** True when option 55 lists `code` (e.g. 159: the client asks for a shared address, RFC 7618 §8). */
export function requestsOption(msg: HasOptions, code: number): boolean {
  const prl = getDhcpv4Option(msg, 55);
  return prl !== undefined && prl.indexOf(code) !== -1;
}

/** Option 56 as text (NVT ASCII, read as Latin-1). */
export function messageText(msg: HasOptions): string | undefined {
  const d = getDhcpv4Option(msg, 56);
  if (d === undefined) return undefined;
  let s = "";
  for (let i = 0; i < d.length; i++) s += String.fromCharCode(d[i]!);
  return s;
}

/** Option 57 (the client may send values below the legal minimum 576; callers clamp). */
export function maxMessageSize(msg: HasOptions): number | undefined {
  const d = getDhcpv4Option(msg, 57);
  return d === undefined || d.length < 2 ? undefined : readUint16(d, 0);
}

/** Option 58 (T1), seconds. */
export function renewalTime(msg: HasOptions): number | undefined {
  return u32Of(msg, 58);
}

/** Option 59 (T2), seconds. */
export function rebindingTime(msg: HasOptions): number | undefined {
  return u32Of(msg, 59);
}

/** Option 61 value (type byte included); compare byte-for-byte [RFC 2132 §9.14]. */
export function clientIdentifier(msg: HasOptions): Uint8Array | undefined {
  return getDhcpv4Option(msg, 61);
}

/** Option 1 as uint32. */
export function subnetMask(msg: HasOptions): number | undefined {
  return u32Of(msg, 1);
}

/** Option 3 addresses as uint32s. */
export function routers(msg: HasOptions): number[] | undefined {
  return addressesOf(msg, 3);
}

/** Option 6 addresses as uint32s. */
export function domainNameServers(msg: HasOptions): number[] | undefined {
  return addressesOf(msg, 6);
}

/** Option 159 with the numeric PSID [RFC 7618 §9]. */
export function portParams(msg: HasOptions): PortParams | undefined {
  const d = getDhcpv4Option(msg, 159);
  return d === undefined ? undefined : readPortParams(d, 0, dhcpv4OptionField(159));
}

/** Option 109: the softwire IPv6 source address, 16 bytes [RFC 8539 §6.2]. */
export function softwireSource(msg: HasOptions): Uint8Array | undefined {
  return getDhcpv4Option(msg, 109);
}

/**
 * An RFC 4361 client identifier split into IAID and DUID (type 255 + IAID(4) + DUID),
 * or undefined when the value is not in that form.
 */
export function rfc4361ClientId(clientId: Uint8Array): { iaid: number; duid: Uint8Array } | undefined {
  if (clientId.length < 6 || clientId[0] !== 255) return undefined;
  return { iaid: readUint32(clientId, 1), duid: clientId.subarray(5) };
}

// ---------------------------------------------------------------------------------------
// Editing an options list (replies are built by the server, so these mutate in place).

/** Replaces every instance of `option.code` by `option` (at the first one's place) or appends it. */
export function setDhcpv4Option(msg: { options: Dhcpv4Option[] }, option: Dhcpv4Option): void {
  const options = msg.options;
  let placed = false;
  for (let i = 0; i < options.length; ) {
    if (options[i]!.code !== option.code) {
      i++;
    } else if (!placed) {
      options[i] = option;
      placed = true;
      i++;
    } else {
      options.splice(i, 1);
    }
  }
  if (!placed) options.push(option);
}

/** Removes every instance of `code`. */
export function removeDhcpv4Option(msg: { options: Dhcpv4Option[] }, code: number): void {
  const options = msg.options;
  for (let i = options.length - 1; i >= 0; i--) if (options[i]!.code === code) options.splice(i, 1);
}

// ---------------------------------------------------------------------------------------
// Builders: each returns one option ready for a message's options list.

function checkUint32(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError("bad-value", field, `${v} is not a uint32`);
}

function u32Option(code: number, v: number): Dhcpv4Option {
  checkUint32(v, dhcpv4OptionField(code));
  return { code, data: uint32Bytes(v) };
}

function addressListOption(code: number, addresses: readonly number[]): Dhcpv4Option {
  if (addresses.length === 0 || addresses.length > 63) {
    throw new EncodeError("bad-value", dhcpv4OptionField(code), `needs 1..63 addresses, got ${addresses.length}`);
  }
  const data = new Uint8Array(addresses.length * 4);
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i]!;
    checkUint32(a, dhcpv4OptionField(code));
    data[i * 4] = a >>> 24;
    data[i * 4 + 1] = a >>> 16;
    data[i * 4 + 2] = a >>> 8;
    data[i * 4 + 3] = a;
  }
  return { code, data };
}

/** Any option from raw bytes (1 <= code <= 254, not 52: the encoder writes 52 itself). */
export function dhcpv4Option(code: number, data: Uint8Array): Dhcpv4Option {
  return { code, data };
}

export function messageTypeOption(type: number): Dhcpv4Option {
  if (!Number.isInteger(type) || type < 0 || type > 255) throw new EncodeError("bad-value", dhcpv4OptionField(53), `${type} is not a uint8`);
  return { code: 53, data: Uint8Array.of(type) };
}

export function serverIdentifierOption(address: number): Dhcpv4Option {
  return u32Option(54, address);
}

export function requestedIpAddressOption(address: number): Dhcpv4Option {
  return u32Option(50, address);
}

export function leaseTimeOption(seconds: number): Dhcpv4Option {
  return u32Option(51, seconds);
}

export function renewalTimeOption(seconds: number): Dhcpv4Option {
  return u32Option(58, seconds);
}

export function rebindingTimeOption(seconds: number): Dhcpv4Option {
  return u32Option(59, seconds);
}

export function subnetMaskOption(mask: number): Dhcpv4Option {
  return u32Option(1, mask);
}

export function routersOption(addresses: readonly number[]): Dhcpv4Option {
  return addressListOption(3, addresses);
}

export function domainNameServersOption(addresses: readonly number[]): Dhcpv4Option {
  return addressListOption(6, addresses);
}

export function parameterRequestListOption(codes: readonly number[]): Dhcpv4Option {
  if (codes.length === 0) throw new EncodeError("bad-value", dhcpv4OptionField(55), "needs at least one code");
  const data = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < 1 || c > 254) throw new EncodeError("bad-value", dhcpv4OptionField(55), `${c} is not an option code`);
    data[i] = c;
  }
  return { code: 55, data };
}

export function maxMessageSizeOption(size: number): Dhcpv4Option {
  if (!Number.isInteger(size) || size < 0 || size > 0xffff) throw new EncodeError("bad-value", dhcpv4OptionField(57), `${size} is not a uint16`);
  return { code: 57, data: Uint8Array.of(size >>> 8, size & 0xff) };
}

/** Option 61 with the value given (type byte included), e.g. echoed from the request [RFC 6842 §3]. */
export function clientIdentifierOption(value: Uint8Array): Dhcpv4Option {
  if (value.length < 2) throw new EncodeError("bad-value", dhcpv4OptionField(61), "needs at least 2 bytes");
  return { code: 61, data: value };
}

/** Option 56 from text (Latin-1 code units; others are replaced by "?"). */
export function messageOption(text: string): Dhcpv4Option {
  if (text.length === 0) throw new EncodeError("bad-value", dhcpv4OptionField(56), "needs at least one character");
  const data = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    data[i] = c < 256 ? c : 0x3f;
  }
  return { code: 56, data };
}

/** Option 159 from the numeric PSID (written left-aligned, protocol.md §4.2). */
export function portParamsOption(params: PortParams): Dhcpv4Option {
  return { code: 159, data: encodePortParams(params) };
}

/** Option 109 from a 16-byte IPv6 address [RFC 8539 §6.2]. */
export function softwireSourceOption(address: Uint8Array): Dhcpv4Option {
  if (address.length !== 16) throw new EncodeError("bad-value", dhcpv4OptionField(109), `needs 16 bytes, got ${address.length}`);
  return { code: 109, data: address };
}
