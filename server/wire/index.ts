/**
 * server/wire — pure codecs for DHCPv4-over-DHCPv6 (RFC 7341) with shared addresses
 * (RFC 7618): bytes in, typed objects out, and back. No I/O, no clock, nothing of ours
 * imported.
 *
 * Error policy (one rule for every decoder here):
 *   Decoders return a typed value or THROW a {@link DecodeError} (`code`, `offset`,
 *   `field`). Nothing else escapes for any input; callers catch DecodeError, count the
 *   drop by `code`, and treat any other exception as a bug. (DecodeError carries no stack
 *   trace: it is cheap to throw at line rate.)
 *   Every option whose layout the codecs know is validated while decoding, so the typed
 *   accessors and option decoders never throw on values taken from a decoded message.
 *   Encoders throw {@link EncodeError} when handed a value the wire cannot carry.
 *
 * Representation:
 *   IPv4 addresses are uint32 numbers (192.0.2.1 = 0xc0000201); IPv6 addresses are 16-byte
 *   Uint8Arrays; text forms live in address-text (formatIpv4, parseIpv6, ...). Byte fields
 *   of decoded messages are views into the received buffer (do not reuse that buffer while
 *   the message is in use). Encoders return Node Buffers (pooled; every byte written).
 *   For every valid message x: decode(encode(x)) deep-equals x.
 *
 * Hot path (server/dhcp4o6, server/udp):
 *   const req = decodeDhcp4o6Request(udpPayload);  // { message, relays (innermost first), query, dhcpv4 }
 *   req.query.unicast                               // U flag (RENEWING vs REBINDING)
 *   dhcpMessageType(req.dhcpv4), requestedIpAddress, serverIdentifier, requestsOption(req.dhcpv4, 159),
 *   clientIdentifier, portParams, softwireSource, maxMessageSize; interfaceId(req.relays[0]),
 *   requestsDhcpv6Option(req.query, 90)
 *   const reply = createBootReply(req.dhcpv4, {
 *     yiaddr, options: [messageTypeOption(DhcpMessageType.OFFER), serverIdentifierOption(sid),
 *                       leaseTimeOption(3600), portParamsOption({ offset, psidLength, psid }), ...] });
 *   setDhcpv4Option(reply, softwireSourceOption(addr));   // replace-or-append
 *   const bytes = encodeDhcp4o6Response({ dhcpv4: reply, relays: req.relays,
 *     options: [s46BrOption(br)], dhcpv4Layout: { maxLength } });
 *   // relayed: the bytes are the outermost RELAY-REPL; send to the datagram's source.
 *
 * Generic codecs: decodeDhcpv6Message / encodeDhcpv6Message (any message kind, relays
 * nested up to MAX_RELAY_DEPTH), decodeDhcpv4Message / encodeDhcpv4Message (overload and
 * RFC 3396 long options), decodePortParams / encodePortParams, and the typed DHCPv6 option
 * codecs (decodeS46*, s46*Option, ...).
 */
export { DecodeError, type DecodeErrorCode } from "./decode-error";
export { EncodeError, type EncodeErrorCode } from "./encode-error";

export {
  PORT_PARAMS_LENGTH,
  checkPortParams,
  decodePortParams,
  encodePortParams,
  type PortParams,
} from "./port-params";

export {
  BOOTREPLY,
  BOOTREQUEST,
  BROADCAST_FLAG,
  DHCPV4_HEADER_LENGTH,
  DHCPV4_MIN_LENGTH,
  MAGIC_COOKIE,
  createBootReply,
  decodeDhcpv4Message,
  dhcpv4EncodedLength,
  encodeDhcpv4Message,
  hardwareAddress,
  type BootReplyInit,
  type Dhcpv4EncodeOptions,
  type Dhcpv4Message,
  type Dhcpv4Option,
} from "./dhcpv4";

export {
  DhcpMessageType,
  Dhcpv4OptionCode,
  clientIdentifier,
  clientIdentifierOption,
  dhcpMessageType,
  dhcpv4Option,
  dhcpv4OptionField,
  domainNameServers,
  domainNameServersOption,
  getDhcpv4Option,
  leaseTime,
  leaseTimeOption,
  maxMessageSize,
  maxMessageSizeOption,
  messageOption,
  messageText,
  messageTypeOption,
  parameterRequestList,
  parameterRequestListOption,
  portParams,
  portParamsOption,
  rebindingTime,
  rebindingTimeOption,
  removeDhcpv4Option,
  renewalTime,
  renewalTimeOption,
  requestedIpAddress,
  requestedIpAddressOption,
  requestsOption,
  rfc4361ClientId,
  routers,
  routersOption,
  serverIdentifier,
  serverIdentifierOption,
  setDhcpv4Option,
  softwireSource,
  softwireSourceOption,
  subnetMask,
  subnetMaskOption,
  type DhcpMessageTypeValue,
} from "./dhcpv4-options";

export {
  DHCPV4_QUERY_UNICAST_FLAG,
  Dhcpv6MessageType,
  MAX_RELAY_DEPTH,
  RELAY_HEADER_LENGTH,
  clientDuid,
  decodeDhcpv6Message,
  dhcpv6EncodedLength,
  encodeDhcpv6Message,
  getDhcpv6Option,
  getDhcpv6Options,
  interfaceId,
  relayPort,
  relayReplyFor,
  requestedOptions,
  requestsDhcpv6Option,
  serverDuid,
  wrapInRelayReplies,
  type ClientServerMessage,
  type Dhcp4o6Message,
  type Dhcpv6Message,
  type RelayLayer,
  type RelayMessage,
} from "./dhcpv6";

export {
  Dhcpv6OptionCode,
  clientIdOption,
  decodeDhcp4oDhcp6Servers,
  decodeOptionRequest,
  decodeRelayPort,
  decodeS46BindIpv6Prefix,
  decodeS46Br,
  decodeS46ContLw,
  decodeS46PortParams,
  decodeS46V4V6Bind,
  dhcp4oDhcp6ServerOption,
  dhcpv4MsgOption,
  dhcpv6OptionField,
  interfaceIdOption,
  optionRequestOption,
  relayPortOption,
  s46BindIpv6PrefixOption,
  s46BrOption,
  s46ContLwOption,
  s46PortParamsOption,
  s46V4V6BindOption,
  serverIdOption,
  type Dhcpv6Option,
  type Ipv6Prefix,
  type S46V4V6Bind,
} from "./dhcpv6-options";

export {
  decodeDhcp4o6Request,
  encodeDhcp4o6Response,
  type Dhcp4o6Request,
  type Dhcp4o6ResponseInit,
} from "./dhcp4o6-exchange";

export { formatIpv4, formatIpv6, parseIpv4, parseIpv6, parseIpv6Prefix } from "./address-text";
