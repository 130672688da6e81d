/**
 * DHCPv6 message framing: client/server messages [RFC 8415 §8], the 4o6 messages
 * DHCPV4-QUERY / DHCPV4-RESPONSE [RFC 7341 §6], and RELAY-FORW / RELAY-REPL with any
 * depth of nesting up to {@link MAX_RELAY_DEPTH} [RFC 8415 §9, §19].
 *
 * Decoded byte fields (addresses, option data) are views into the input buffer.
 */
import { readUint16, writeUint16 } from "./big-endian";
import { allocUninitialized } from "./byte-buffer";
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";
import {
  checkDhcpv6Option,
  decodeOptionRequest,
  dhcpv6OptionField,
  dhcpv6OptionsLength,
  oroIncludes,
  readDhcpv6Options,
  writeDhcpv6Option,
  type Dhcpv6Option,
} from "./dhcpv6-options";

export const Dhcpv6MessageType = {
  SOLICIT: 1,
  ADVERTISE: 2,
  REQUEST: 3,
  CONFIRM: 4,
  RENEW: 5,
  REBIND: 6,
  REPLY: 7,
  RELEASE: 8,
  DECLINE: 9,
  RECONFIGURE: 10,
  INFORMATION_REQUEST: 11,
  RELAY_FORW: 12,
  RELAY_REPL: 13,
  DHCPV4_QUERY: 20,
  DHCPV4_RESPONSE: 21,
} as const;

/** Most relay layers accepted around one message (protocol.md §3.5 step 2, §9 row 2). */
export const MAX_RELAY_DEPTH = 32;
/** The U bit in the 24-bit flags of DHCPV4-QUERY [RFC 7341 §6.3] (Kea: 1 << 23). */
export const DHCPV4_QUERY_UNICAST_FLAG = 0x800000;
/** Fixed part of a relay message: msg-type, hop-count, link-address, peer-address. */
export const RELAY_HEADER_LENGTH = 34;

/** Any message with the client/server header: msg-type + 3-byte transaction-id [RFC 8415 §8]. */
export interface ClientServerMessage {
  kind: "client-server";
  /** Any type but 12, 13, 20, 21. */
  msgType: number;
  /** 24-bit transaction-id. */
  transactionId: number;
  options: Dhcpv6Option[];
}

/** DHCPV4-QUERY (20) or DHCPV4-RESPONSE (21) [RFC 7341 §6.2]. */
export interface Dhcp4o6Message {
  kind: "4o6";
  msgType: 20 | 21;
  /** U flag [RFC 7341 §6.3]: the DHCPv4 message would have been unicast in IPv4. */
  unicast: boolean;
  /** The other 23 flag bits (MBZ: senders set 0, receivers ignore them). */
  mbzFlags: number;
  /** Options in order; option 87 carries the DHCPv4 message as raw bytes. */
  options: Dhcpv6Option[];
}

/** The per-hop part of a relay message, i.e. what the reply chain needs from each layer. */
export interface RelayLayer {
  hopCount: number;
  /** 16 bytes. */
  linkAddress: Uint8Array;
  /** 16 bytes. */
  peerAddress: Uint8Array;
  /** The layer's options except option 9, in order; unknown ones kept. */
  options: Dhcpv6Option[];
  /** Position of option 9 among `options` (0 = first, options.length = last). */
  relayMessageIndex: number;
}

/** RELAY-FORW (12) or RELAY-REPL (13) [RFC 8415 §9]. */
export interface RelayMessage extends RelayLayer {
  kind: "relay";
  msgType: 12 | 13;
  /** The message carried in option 9, decoded. */
  message: Dhcpv6Message;
}

export type Dhcpv6Message = ClientServerMessage | Dhcp4o6Message | RelayMessage;

// ---------------------------------------------------------------------------------------
// Decoding

/** Offset of the last non-relay message decoded (for errors about it in the 4o6 decoder). */
let innermostStart = 0;
/** @internal */
export function lastInnermostOffset(): number {
  return innermostStart;
}

/**
 * Decodes the message in buf[start, end) nested inside `depth` relay layers; error offsets
 * count from buf[0].
 */
export function decodeDhcpv6Within(buf: Uint8Array, start: number, end: number, depth: number): Dhcpv6Message {
  if (end - start < 1) throw new DecodeError("truncated", start, "DHCPv6 msg-type", "no bytes");
  const msgType = buf[start]!;
  if (msgType === 12 || msgType === 13) {
    if (depth >= MAX_RELAY_DEPTH) {
      throw new DecodeError("too-deep", start, "DHCPv6 relay message", `more than ${MAX_RELAY_DEPTH} nested relay layers`);
    }
    if (end - start < RELAY_HEADER_LENGTH) {
      throw new DecodeError("truncated", start, "DHCPv6 relay header", `${end - start} bytes, needs 34`);
    }
    const options: Dhcpv6Option[] = [];
    let relayAt = -1;
    let relayEnd = 0;
    let relayMessageIndex = 0;
    let i = start + RELAY_HEADER_LENGTH;
    while (i < end) {
      if (i + 4 > end) {
        throw new DecodeError("truncated", i, "DHCPv6 relay option header", `${end - i} bytes left, an option header needs 4`);
      }
      const code = readUint16(buf, i);
      const length = readUint16(buf, i + 2);
      if (i + 4 + length > end) {
        throw new DecodeError("truncated", i, dhcpv6OptionField(code), `length ${length} runs past the end of the relay message`);
      }
      if (code === 9) {
        if (relayAt >= 0) throw new DecodeError("duplicate-option", i, dhcpv6OptionField(9), "appears twice in one relay message");
        relayAt = i + 4;
        relayEnd = i + 4 + length;
        relayMessageIndex = options.length;
      } else {
        checkDhcpv6Option(code, buf, i + 4, length);
        options.push({ code, data: buf.subarray(i + 4, i + 4 + length) });
      }
      i += 4 + length;
    }
    // RFC 8415 §9.1, §9.2: a relay message MUST carry option 9.
    if (relayAt < 0) throw new DecodeError("missing-option", start, dhcpv6OptionField(9), "absent from the relay message");
    return {
      kind: "relay",
      msgType,
      hopCount: buf[start + 1]!,
      linkAddress: buf.subarray(start + 2, start + 18),
      peerAddress: buf.subarray(start + 18, start + 34),
      options,
      relayMessageIndex,
      message: decodeDhcpv6Within(buf, relayAt, relayEnd, depth + 1),
    };
  }
  if (end - start < 4) {
    throw new DecodeError("truncated", start, msgType === 20 || msgType === 21 ? "DHCPv6 4o6 flags" : "DHCPv6 transaction-id", `${end - start} bytes, the header needs 4`);
  }
  innermostStart = start;
  const options: Dhcpv6Option[] = [];
  readDhcpv6Options(buf, start + 4, end, options, "DHCPv6 message");
  if (msgType === 20 || msgType === 21) {
    const b1 = buf[start + 1]!;
    return {
      kind: "4o6",
      msgType,
      unicast: (b1 & 0x80) !== 0,
      mbzFlags: ((b1 & 0x7f) << 16) | readUint16(buf, start + 2),
      options,
    };
  }
  return {
    kind: "client-server",
    msgType,
    transactionId: (buf[start + 1]! << 16) | readUint16(buf, start + 2),
    options,
  };
}

/** Decodes a DHCPv6 message (a UDP payload), relays and all. Throws DecodeError. */
export function decodeDhcpv6Message(bytes: Uint8Array): Dhcpv6Message {
  return decodeDhcpv6Within(bytes, 0, bytes.length, 0);
}

// ---------------------------------------------------------------------------------------
// Encoding

function checkInt(v: number, max: number, field: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= max)) {
    throw new EncodeError("bad-value", field, `${v} is not an integer in 0..${max}`);
  }
}

function checkAddress(a: Uint8Array, field: string): void {
  if (a.length !== 16) throw new EncodeError("bad-value", field, `an IPv6 address needs 16 bytes, got ${a.length}`);
}

function lengthAt(msg: Dhcpv6Message, depth: number): number {
  switch (msg.kind) {
    case "relay": {
      if (depth >= MAX_RELAY_DEPTH) throw new EncodeError("too-deep", "DHCPv6 relay message", `more than ${MAX_RELAY_DEPTH} nested relay layers`);
      if (msg.msgType !== 12 && msg.msgType !== 13) throw new EncodeError("bad-value", "DHCPv6 relay msg-type", `${String(msg.msgType)} is not 12 or 13`);
      checkInt(msg.hopCount, 0xff, "DHCPv6 hop-count");
      checkAddress(msg.linkAddress, "DHCPv6 link-address");
      checkAddress(msg.peerAddress, "DHCPv6 peer-address");
      checkInt(msg.relayMessageIndex, msg.options.length, "DHCPv6 relay message index");
      for (const o of msg.options) {
        if (o.code === 9) throw new EncodeError("bad-value", dhcpv6OptionField(9), "belongs in `message`, not in `options`");
      }
      const inner = lengthAt(msg.message, depth + 1);
      if (inner > 0xffff) throw new EncodeError("too-long", dhcpv6OptionField(9), `${inner} bytes, at most 65535`);
      return RELAY_HEADER_LENGTH + dhcpv6OptionsLength(msg.options) + 4 + inner;
    }
    case "4o6":
      if (msg.msgType !== 20 && msg.msgType !== 21) throw new EncodeError("bad-value", "DHCPv6 4o6 msg-type", `${String(msg.msgType)} is not 20 or 21`);
      checkInt(msg.mbzFlags, 0x7fffff, "DHCPv6 4o6 MBZ flags");
      return 4 + dhcpv6OptionsLength(msg.options);
    case "client-server":
      checkInt(msg.msgType, 0xff, "DHCPv6 msg-type");
      if (msg.msgType === 12 || msg.msgType === 13 || msg.msgType === 20 || msg.msgType === 21) {
        throw new EncodeError("bad-value", "DHCPv6 msg-type", `${msg.msgType} does not use the client/server header`);
      }
      checkInt(msg.transactionId, 0xffffff, "DHCPv6 transaction-id");
      return 4 + dhcpv6OptionsLength(msg.options);
    default:
      throw new EncodeError("bad-value", "DHCPv6 message kind", `unknown kind ${String((msg as { kind: unknown }).kind)}`);
  }
}

/** Encoded length of `msg`. Throws EncodeError. */
export function dhcpv6EncodedLength(msg: Dhcpv6Message): number {
  return lengthAt(msg, 0);
}

/** Writes `msg` (already measured by {@link dhcpv6EncodedLength}) at buf[at]; returns the end. */
function writeAt(msg: Dhcpv6Message, buf: Uint8Array, at: number): number {
  if (msg.kind === "relay") {
    buf[at] = msg.msgType;
    buf[at + 1] = msg.hopCount;
    buf.set(msg.linkAddress, at + 2);
    buf.set(msg.peerAddress, at + 18);
    let p = at + RELAY_HEADER_LENGTH;
    const options = msg.options;
    for (let i = 0; i <= options.length; i++) {
      if (i === msg.relayMessageIndex) {
        const innerStart = p + 4;
        const innerEnd = writeAt(msg.message, buf, innerStart);
        writeUint16(buf, p, 9);
        writeUint16(buf, p + 2, innerEnd - innerStart);
        p = innerEnd;
      }
      if (i < options.length) p = writeDhcpv6Option(buf, p, options[i]!);
    }
    return p;
  }
  buf[at] = msg.msgType;
  if (msg.kind === "4o6") {
    buf[at + 1] = (msg.unicast ? 0x80 : 0) | (msg.mbzFlags >>> 16);
    writeUint16(buf, at + 2, msg.mbzFlags & 0xffff);
  } else {
    buf[at + 1] = msg.transactionId >>> 16;
    writeUint16(buf, at + 2, msg.transactionId & 0xffff);
  }
  let p = at + 4;
  const options = msg.options;
  for (let i = 0; i < options.length; i++) p = writeDhcpv6Option(buf, p, options[i]!);
  return p;
}

/** Encodes a DHCPv6 message (any kind, relays nested). Throws EncodeError. */
export function encodeDhcpv6Message(msg: Dhcpv6Message): Uint8Array {
  const buf = allocUninitialized(dhcpv6EncodedLength(msg));
  writeAt(msg, buf, 0);
  return buf;
}

// ---------------------------------------------------------------------------------------
// Options of a message or relay layer

interface HasOptions {
  readonly options: readonly Dhcpv6Option[];
}

/** The first option `code`, or undefined. */
export function getDhcpv6Option(msg: HasOptions, code: number): Uint8Array | undefined {
  const options = msg.options;
  for (let i = 0; i < options.length; i++) if (options[i]!.code === code) return options[i]!.data;
  return undefined;
}

/** Every option `code`, in order. */
export function getDhcpv6Options(msg: HasOptions, code: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const o of msg.options) if (o.code === code) out.push(o.data);
  return out;
}

/** Option 1: the client's DUID [RFC 8415 §21.2]. */
export function clientDuid(msg: HasOptions): Uint8Array | undefined {
  return getDhcpv6Option(msg, 1);
}

/** Option 2: the server's DUID [RFC 8415 §21.3]. */
export function serverDuid(msg: HasOptions): Uint8Array | undefined {
  return getDhcpv6Option(msg, 2);
}

/** Option 18 of a relay layer [RFC 8415 §21.18]. */
export function interfaceId(layer: HasOptions): Uint8Array | undefined {
  return getDhcpv6Option(layer, 18);
}

/** Option 135 of a relay layer: the relay's UDP source port [RFC 8357 §4.2]. */
export function relayPort(layer: HasOptions): number | undefined {
  const d = getDhcpv6Option(layer, 135);
  return d === undefined || d.length !== 2 ? undefined : readUint16(d, 0);
}

/** The codes of the ORO (option 6); [] when absent [RFC 8415 §21.7]. */
export function requestedOptions(msg: HasOptions): number[] {
  const d = getDhcpv6Option(msg, 6);
  return d === undefined ? [] : decodeOptionRequest(d);
}

/** Does the ORO list `code` (e.g. 90, 137 for RFC 8539 §5)? */
export function requestsDhcpv6Option(msg: HasOptions, code: number): boolean {
  const d = getDhcpv6Option(msg, 6);
  return d !== undefined && oroIncludes(d, code);
}

// ---------------------------------------------------------------------------------------
// Relay replies

function echoed(code: number): boolean {
  // RFC 8415 §21.18: Interface-Id is copied back; RFC 8357 §5.2: so is the relay port.
  return code === 18 || code === 135;
}

/**
 * The RELAY-REPL answering one RELAY-FORW layer: same hop-count, link-address and
 * peer-address, options 18 and 135 echoed in their order and position, `inner` in option 9
 * [RFC 8415 §9.2, §19.3].
 */
export function relayReplyFor(forward: RelayLayer, inner: Dhcpv6Message): RelayMessage {
  const options: Dhcpv6Option[] = [];
  let relayMessageIndex = 0;
  for (let i = 0; i < forward.options.length; i++) {
    const o = forward.options[i]!;
    if (!echoed(o.code)) continue;
    if (i < forward.relayMessageIndex) relayMessageIndex++;
    options.push(o);
  }
  return {
    kind: "relay",
    msgType: 13,
    hopCount: forward.hopCount,
    linkAddress: forward.linkAddress,
    peerAddress: forward.peerAddress,
    options,
    relayMessageIndex,
    message: inner,
  };
}

/**
 * Wraps `inner` in one RELAY-REPL per layer of `relays` (innermost first, as
 * {@link decodeDhcp4o6Request} returns them); returns the outermost message [RFC 8415 §19.3].
 */
export function wrapInRelayReplies(relays: readonly RelayLayer[], inner: Dhcpv6Message): Dhcpv6Message {
  let msg = inner;
  for (const layer of relays) msg = relayReplyFor(layer, msg);
  return msg;
}

/** @internal shared with the 4o6 response encoder */
export { echoed as isEchoedRelayOption };
