/**
 * The server's two hot-path calls: turn a UDP payload received on port 547 into a
 * DHCPV4-QUERY with its relay chain and embedded DHCPv4 message, and turn a DHCPv4 reply
 * into the DHCPV4-RESPONSE (wrapped in RELAY-REPLs when the query was relayed) in one
 * buffer [RFC 7341 §6, §7, §11] [RFC 8415 §19.3].
 */
import { writeUint16 } from "./big-endian";
import { allocUninitialized } from "./byte-buffer";
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";
import {
  decodeDhcpv4Within,
  dhcpv4EncodedLength,
  writeDhcpv4Message,
  type Dhcpv4EncodeOptions,
  type Dhcpv4Message,
} from "./dhcpv4";
import {
  decodeDhcpv6Within,
  isEchoedRelayOption,
  lastInnermostOffset,
  MAX_RELAY_DEPTH,
  RELAY_HEADER_LENGTH,
  type Dhcp4o6Message,
  type Dhcpv6Message,
  type RelayLayer,
  type RelayMessage,
} from "./dhcpv6";
import { dhcpv6OptionField, dhcpv6OptionsLength, writeDhcpv6Option, type Dhcpv6Option } from "./dhcpv6-options";

/** A decoded DHCPV4-QUERY as the server receives it. */
export interface Dhcp4o6Request {
  /** The whole decoded DHCPv6 message (the outermost relay, or the query itself). */
  message: Dhcpv6Message;
  /**
   * RELAY-FORW layers, innermost first: relays[0] is the relay next to the client
   * (Kea's RELAY_GET_FIRST); [] when the client sent the query directly.
   */
  relays: RelayMessage[];
  /** The DHCPV4-QUERY (msgType 20); `query.unicast` is the U flag. */
  query: Dhcp4o6Message;
  /** The DHCPv4 message of the query's single option 87. */
  dhcpv4: Dhcpv4Message;
}

/**
 * Decodes a UDP payload into a 4o6 request. Throws DecodeError, among others:
 * - "unexpected-message" when the innermost message is not a DHCPV4-QUERY (e.g. a
 *   DHCPV4-RESPONSE or a Solicit: protocol.md §3.5 step 3) or a layer is a RELAY-REPL;
 * - "missing-option" / "duplicate-option" for zero or several options 87 (RFC 7341 §11,
 *   protocol.md §3.5 step 4);
 * - any DHCPv4 decode error, with offsets counted from the start of `payload`.
 */
export function decodeDhcp4o6Request(payload: Uint8Array): Dhcp4o6Request {
  const message = decodeDhcpv6Within(payload, 0, payload.length, 0);
  const relays: RelayMessage[] = [];
  let m = message;
  while (m.kind === "relay") {
    if (m.msgType !== 12) {
      throw new DecodeError("unexpected-message", 0, "DHCPv6 msg-type", "RELAY-REPL (13) sent to a server");
    }
    relays.push(m);
    m = m.message;
  }
  relays.reverse();
  const at = lastInnermostOffset();
  if (m.kind !== "4o6" || m.msgType !== 20) {
    throw new DecodeError("unexpected-message", at, "DHCPv6 msg-type", `${m.msgType} is not DHCPV4-QUERY (20)`);
  }
  let dhcpv4Data: Uint8Array | undefined;
  for (const o of m.options) {
    if (o.code !== 87) continue;
    if (dhcpv4Data !== undefined) {
      throw new DecodeError("duplicate-option", o.data.byteOffset - payload.byteOffset - 4, dhcpv6OptionField(87), "a DHCPV4-QUERY must carry exactly one");
    }
    dhcpv4Data = o.data;
  }
  if (dhcpv4Data === undefined) throw new DecodeError("missing-option", at, dhcpv6OptionField(87), "absent from the DHCPV4-QUERY");
  // The option value is a view into `payload`, so decode it in place: offsets stay absolute.
  const start = dhcpv4Data.byteOffset - payload.byteOffset;
  const dhcpv4 = decodeDhcpv4Within(payload, start, start + dhcpv4Data.length);
  return { message, relays, query: m, dhcpv4 };
}

/** What the server answers with. */
export interface Dhcp4o6ResponseInit {
  /** The DHCPv4 reply (a BOOTREPLY). */
  dhcpv4: Dhcpv4Message;
  /** Layout of the DHCPv4 message (size limit with overload, minimum size). */
  dhcpv4Layout?: Dhcpv4EncodeOptions;
  /**
   * DHCPv6 options after option 87, e.g. 90 and 137 when the query's ORO listed them
   * [RFC 8539 §5]; only options about IPv4 configuration belong here [RFC 7341 §6.2].
   */
  options?: readonly Dhcpv6Option[];
  /** The request's relays (innermost first); each becomes a RELAY-REPL. */
  relays?: readonly RelayLayer[];
}

const NO_OPTIONS: readonly Dhcpv6Option[] = [];
const NO_RELAYS: readonly RelayLayer[] = [];

function echoedLength(layer: RelayLayer): number {
  let n = 0;
  for (const o of layer.options) if (isEchoedRelayOption(o.code)) n += 4 + o.data.length;
  return n;
}

/** Writes the DHCPV4-RESPONSE itself at buf[at]: msg-type 21, 24 flag bits zero, 87, then `options`. */
function writeResponse(buf: Uint8Array, at: number, init: Dhcp4o6ResponseInit, v4Length: number, options: readonly Dhcpv6Option[]): number {
  buf[at] = 21;
  buf[at + 1] = 0;
  buf[at + 2] = 0;
  buf[at + 3] = 0;
  writeUint16(buf, at + 4, 87);
  writeUint16(buf, at + 6, v4Length);
  writeDhcpv4Message(init.dhcpv4, buf, at + 8, v4Length, init.dhcpv4Layout);
  let p = at + 8 + v4Length;
  for (let k = 0; k < options.length; k++) p = writeDhcpv6Option(buf, p, options[k]!);
  return p;
}

/** Writes the RELAY-REPL answering relays[i] at buf[at], with everything inside it. */
function writeRelayReply(
  buf: Uint8Array,
  at: number,
  i: number,
  relays: readonly RelayLayer[],
  sizes: readonly number[],
  init: Dhcp4o6ResponseInit,
  v4Length: number,
  options: readonly Dhcpv6Option[],
): number {
  const layer = relays[i]!;
  const layerOptions = layer.options;
  const index = layer.relayMessageIndex;
  if (layer.linkAddress.length !== 16 || layer.peerAddress.length !== 16) {
    throw new EncodeError("bad-value", "DHCPv6 relay address", "link-address and peer-address need 16 bytes");
  }
  if (!Number.isInteger(layer.hopCount) || layer.hopCount < 0 || layer.hopCount > 255) {
    throw new EncodeError("bad-value", "DHCPv6 hop-count", `${layer.hopCount} is not a uint8`);
  }
  if (!Number.isInteger(index) || index < 0 || index > layerOptions.length) {
    throw new EncodeError("bad-value", "DHCPv6 relay message index", `${index} is not in 0..${layerOptions.length}`);
  }
  buf[at] = 13;
  buf[at + 1] = layer.hopCount;
  buf.set(layer.linkAddress, at + 2);
  buf.set(layer.peerAddress, at + 18);
  let p = at + RELAY_HEADER_LENGTH;
  for (let k = 0; k <= layerOptions.length; k++) {
    if (k === index) {
      writeUint16(buf, p, 9);
      writeUint16(buf, p + 2, sizes[i]!);
      p = i === 0 ? writeResponse(buf, p + 4, init, v4Length, options) : writeRelayReply(buf, p + 4, i - 1, relays, sizes, init, v4Length, options);
    }
    if (k < layerOptions.length && isEchoedRelayOption(layerOptions[k]!.code)) p = writeDhcpv6Option(buf, p, layerOptions[k]!);
  }
  return p;
}

/**
 * Encodes a DHCPV4-RESPONSE with flags 0 [RFC 7341 §6.4], option 87 first, then
 * `options`; wrapped in a RELAY-REPL per relay layer that copies hop-count, link-address,
 * peer-address and echoes options 18 and 135 [RFC 8415 §19.3, §21.18] [RFC 8357 §5.2].
 * Throws EncodeError.
 */
export function encodeDhcp4o6Response(init: Dhcp4o6ResponseInit): Uint8Array {
  const options = init.options ?? NO_OPTIONS;
  const relays = init.relays ?? NO_RELAYS;
  if (relays.length > MAX_RELAY_DEPTH) {
    throw new EncodeError("too-deep", "DHCPv6 relay message", `more than ${MAX_RELAY_DEPTH} nested relay layers`);
  }
  const v4Length = dhcpv4EncodedLength(init.dhcpv4, init.dhcpv4Layout);
  if (v4Length > 0xffff) throw new EncodeError("too-long", dhcpv6OptionField(87), `${v4Length} bytes, at most 65535`);
  const responseLength = 4 + 4 + v4Length + dhcpv6OptionsLength(options);
  if (relays.length === 0) {
    const buf = allocUninitialized(responseLength);
    writeResponse(buf, 0, init, v4Length, options);
    return buf;
  }
  // sizes[i] = length of the message inside relay layer i (sizes[0] = the response).
  const sizes: number[] = [responseLength];
  for (let i = 0; i < relays.length; i++) {
    const inner = sizes[i]!;
    if (inner > 0xffff) throw new EncodeError("too-long", dhcpv6OptionField(9), `${inner} bytes, at most 65535`);
    sizes.push(RELAY_HEADER_LENGTH + echoedLength(relays[i]!) + 4 + inner);
  }
  const buf = allocUninitialized(sizes[relays.length]!);
  writeRelayReply(buf, 0, relays.length - 1, relays, sizes, init, v4Length, options);
  return buf;
}
