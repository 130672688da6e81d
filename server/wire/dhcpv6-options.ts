/**
 * DHCPv6 options: codes, the generic TLV [RFC 8415 §21.1], and typed codecs for the
 * options a 4o6 server uses (protocol.md §2.2).
 *
 * Options whose layout is known here are validated when a message is decoded
 * ({@link checkDhcpv6Option}), so the typed decoders below never throw on option data taken
 * from a decoded message; on other bytes they throw DecodeError.
 */
import { readUint16, readUint32, writeUint16, writeUint32 } from "./big-endian";
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";
import { readPortParams, writePortParams, type PortParams } from "./port-params";

export const Dhcpv6OptionCode = {
  CLIENTID: 1,
  SERVERID: 2,
  ORO: 6,
  RELAY_MSG: 9,
  INTERFACE_ID: 18,
  DHCPV4_MSG: 87,
  DHCP4_O_DHCP6_SERVER: 88,
  S46_BR: 90,
  S46_V4V6BIND: 92,
  S46_PORTPARAMS: 93,
  S46_CONT_LW: 96,
  RELAY_PORT: 135,
  S46_BIND_IPV6_PREFIX: 137,
} as const;

/** One DHCPv6 option: 2-byte code, 2-byte length, value [RFC 8415 §21.1]. */
export interface Dhcpv6Option {
  /** 0..65535 */
  code: number;
  /** At most 65535 bytes. */
  data: Uint8Array;
}

const NAMES: Record<number, string> = {
  1: "OPTION_CLIENTID",
  2: "OPTION_SERVERID",
  6: "OPTION_ORO",
  9: "OPTION_RELAY_MSG",
  18: "OPTION_INTERFACE_ID",
  87: "OPTION_DHCPV4_MSG",
  88: "OPTION_DHCP4_O_DHCP6_SERVER",
  90: "OPTION_S46_BR",
  92: "OPTION_S46_V4V6BIND",
  93: "OPTION_S46_PORTPARAMS",
  96: "OPTION_S46_CONT_LW",
  135: "OPTION_RELAY_PORT",
  137: "OPTION_S46_BIND_IPV6_PREFIX",
};

/** "DHCPv6 option 87 (OPTION_DHCPV4_MSG)": the field name used in errors. */
export function dhcpv6OptionField(code: number): string {
  const name = NAMES[code];
  return name === undefined ? `DHCPv6 option ${code}` : `DHCPv6 option ${code} (${name})`;
}

/**
 * Parses the TLVs in buf[from, to) into `out` (values are views into `buf`). Every option
 * must end inside the range. Known options are validated unless `validate` is false (the
 * sub-options of a container that was validated as a whole). Error offsets are positions
 * in `buf` plus `shift`.
 */
export function readDhcpv6Options(
  buf: Uint8Array,
  from: number,
  to: number,
  out: Dhcpv6Option[],
  where: string,
  shift = 0,
  validate = true,
): void {
  let i = from;
  while (i < to) {
    if (i + 4 > to) {
      throw new DecodeError("truncated", i + shift, `${where} option header`, `${to - i} bytes left, an option header needs 4`);
    }
    const code = readUint16(buf, i);
    const length = readUint16(buf, i + 2);
    if (i + 4 + length > to) {
      throw new DecodeError("truncated", i + shift, dhcpv6OptionField(code), `length ${length} runs past the end of the ${where}`);
    }
    if (validate) checkDhcpv6Option(code, buf, i + 4, length, shift);
    out.push({ code, data: buf.subarray(i + 4, i + 4 + length) });
    i += 4 + length;
  }
}

/** Total encoded size of a TLV list. Throws EncodeError for an impossible option. */
export function dhcpv6OptionsLength(options: readonly Dhcpv6Option[]): number {
  let n = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (!Number.isInteger(o.code) || o.code < 0 || o.code > 0xffff) {
      throw new EncodeError("bad-value", "DHCPv6 option code", `${o.code} is not a uint16`);
    }
    if (o.data.length > 0xffff) {
      throw new EncodeError("too-long", dhcpv6OptionField(o.code), `${o.data.length} bytes, at most 65535`);
    }
    n += 4 + o.data.length;
  }
  return n;
}

/** Writes one TLV at buf[at]; returns the offset after it. */
export function writeDhcpv6Option(buf: Uint8Array, at: number, o: Dhcpv6Option): number {
  writeUint16(buf, at, o.code);
  writeUint16(buf, at + 2, o.data.length);
  buf.set(o.data, at + 4);
  return at + 4 + o.data.length;
}

function encodeOptionList(options: readonly Dhcpv6Option[]): Uint8Array {
  const out = new Uint8Array(dhcpv6OptionsLength(options));
  let at = 0;
  for (const o of options) at = writeDhcpv6Option(out, at, o);
  return out;
}

// ---------------------------------------------------------------------------------------
// Validation on decode. `shift` is added to every offset reported (0 when `buf` is the
// packet; the value's packet offset when `buf` is a standalone option value).

function lengthError(code: number, at: number, length: number, rule: string): DecodeError {
  return new DecodeError("bad-length", at, dhcpv6OptionField(code), `length ${length}, ${rule}`);
}

/** Validates a bind-prefix field: prefix-len (0..128) then ceil(len/8) bytes [RFC 8539 §6.1]. */
function prefixBytes(code: number, buf: Uint8Array, at: number, available: number, shift: number): number {
  const prefixLength = buf[at]!;
  if (prefixLength > 128) {
    throw new DecodeError("bad-value", at + shift, dhcpv6OptionField(code), `prefix length ${prefixLength} exceeds 128`);
  }
  const bytes = (prefixLength + 7) >> 3;
  if (1 + bytes > available) {
    throw new DecodeError("truncated", at + shift, dhcpv6OptionField(code), `prefix length ${prefixLength} needs ${bytes} prefix bytes, ${available - 1} present`);
  }
  return bytes;
}

/** Deepest nesting of container options accepted (RFC 7598 needs 2: 96 > 92 > 93). */
export const MAX_CONTAINER_DEPTH = 4;

/**
 * Walks and validates the sub-options of a container (92 or 96) at nesting `depth`;
 * returns how many 90 and 92 sub-options it saw.
 */
function checkSubOptions(buf: Uint8Array, from: number, to: number, container: 92 | 96, shift: number, depth: number): { brs: number; binds: number } {
  let brs = 0;
  let binds = 0;
  const where = container === 92 ? "S46_V4V6BIND" : "S46_CONT_LW";
  let i = from;
  while (i < to) {
    if (i + 4 > to) {
      throw new DecodeError("truncated", i + shift, `${where} sub-option header`, `${to - i} bytes left, an option header needs 4`);
    }
    const code = readUint16(buf, i);
    const length = readUint16(buf, i + 2);
    if (i + 4 + length > to) {
      throw new DecodeError("truncated", i + shift, dhcpv6OptionField(code), `length ${length} runs past the end of the ${where}`);
    }
    if (code === 90) brs++;
    if (code === 92) binds++;
    checkDhcpv6Option(code, buf, i + 4, length, shift, depth + 1);
    i += 4 + length;
  }
  return { brs, binds };
}

/**
 * Validates the value buf[at, at + length) of option `code`; unknown codes pass. An option
 * code means the same wherever it appears, so sub-options of containers are validated by
 * the same rules; `depth` counts the containers around this option and is capped so that
 * a container nested in itself cannot exhaust the stack.
 * Option 9 (relay message) is checked by the message decoder, not here.
 */
export function checkDhcpv6Option(code: number, buf: Uint8Array, at: number, length: number, shift = 0, depth = 0): void {
  const header = at - 4 + shift;
  if ((code === 92 || code === 96) && depth >= MAX_CONTAINER_DEPTH) {
    throw new DecodeError("too-deep", header, dhcpv6OptionField(code), `containers nested more than ${MAX_CONTAINER_DEPTH} deep`);
  }
  switch (code) {
    case 6: // RFC 8415 §21.7: a list of 2-byte codes
      if (length % 2 !== 0) throw lengthError(code, header, length, "must be even");
      return;
    case 88: // RFC 7341 §7.2: 16 * n, n >= 0
      if (length % 16 !== 0) throw lengthError(code, header, length, "must be a multiple of 16");
      return;
    case 90: // RFC 7598 §4.2
      if (length !== 16) throw lengthError(code, header, length, "must be 16");
      return;
    case 93: // RFC 7598 §4.5, validated per protocol.md §4.2
      if (length !== 4) throw lengthError(code, header, length, "must be 4");
      readPortParams(buf, at, dhcpv6OptionField(code), header);
      return;
    case 135: // RFC 8357 §4.2
      if (length !== 2) throw lengthError(code, header, length, "must be 2");
      return;
    case 137: {
      // RFC 8539 §6.1: bindprefix6-len + ceil(len/8) bytes, nothing else
      if (length < 1) throw lengthError(code, header, length, "must be at least 1");
      const bytes = prefixBytes(code, buf, at, length, shift);
      if (1 + bytes !== length) throw lengthError(code, header, length, `must be ${1 + bytes} for prefix length ${buf[at]}`);
      return;
    }
    case 92: {
      // RFC 7598 §4.4: ipv4-address(4) + bindprefix6-len(1) + prefix + sub-options (e.g. 93)
      if (length < 5) throw lengthError(code, header, length, "must be at least 5");
      const bytes = prefixBytes(code, buf, at + 4, length - 4, shift);
      checkSubOptions(buf, at + 5 + bytes, at + length, 92, shift, depth);
      return;
    }
    case 96: {
      // RFC 7598 §5.3: at most one 92, at least one 90
      const seen = checkSubOptions(buf, at, at + length, 96, shift, depth);
      if (seen.brs === 0) throw new DecodeError("missing-option", header, dhcpv6OptionField(code), "carries no OPTION_S46_BR (90)");
      if (seen.binds > 1) {
        throw new DecodeError("duplicate-option", header, dhcpv6OptionField(code), `carries ${seen.binds} OPTION_S46_V4V6BIND (92), at most 1`);
      }
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Typed codecs. Decoders take the option value (`data`) and, for error offsets, `base`:
// the offset of data[0] in the packet (default 4: as if the option started the buffer,
// so an error about the option header reports offset 0).

/** ORO [RFC 8415 §21.7]: the requested option codes. */
export function decodeOptionRequest(data: Uint8Array, base = 4): number[] {
  if (data.length % 2 !== 0) throw lengthError(6, base - 4, data.length, "must be even");
  const codes: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) codes.push(readUint16(data, i));
  return codes;
}

export function optionRequestOption(codes: readonly number[]): Dhcpv6Option {
  const data = new Uint8Array(codes.length * 2);
  codes.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 0xffff) throw new EncodeError("bad-value", dhcpv6OptionField(6), `${c} is not a uint16`);
    writeUint16(data, i * 2, c);
  });
  return { code: 6, data };
}

/** Does this ORO value list `code`? (No allocation.) */
export function oroIncludes(data: Uint8Array, code: number): boolean {
  for (let i = 0; i + 1 < data.length; i += 2) if (readUint16(data, i) === code) return true;
  return false;
}

/** Option 88 [RFC 7341 §7.2]: 0..n IPv6 addresses (16-byte views). */
export function decodeDhcp4oDhcp6Servers(data: Uint8Array, base = 4): Uint8Array[] {
  if (data.length % 16 !== 0) throw lengthError(88, base - 4, data.length, "must be a multiple of 16");
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += 16) out.push(data.subarray(i, i + 16));
  return out;
}

export function dhcp4oDhcp6ServerOption(addresses: readonly Uint8Array[]): Dhcpv6Option {
  const data = new Uint8Array(addresses.length * 16);
  addresses.forEach((a, i) => {
    checkIpv6(a, dhcpv6OptionField(88));
    data.set(a, i * 16);
  });
  return { code: 88, data };
}

function checkIpv6(a: Uint8Array, field: string): void {
  if (a.length !== 16) throw new EncodeError("bad-value", field, `an IPv6 address needs 16 bytes, got ${a.length}`);
}

/** Option 90 [RFC 7598 §4.2, RFC 8539 §4.1]: the BR address. */
export function decodeS46Br(data: Uint8Array, base = 4): Uint8Array {
  if (data.length !== 16) throw lengthError(90, base - 4, data.length, "must be 16");
  return data;
}

export function s46BrOption(address: Uint8Array): Dhcpv6Option {
  checkIpv6(address, dhcpv6OptionField(90));
  return { code: 90, data: address };
}

/** Option 93 [RFC 7598 §4.5] with the numeric PSID. */
export function decodeS46PortParams(data: Uint8Array, base = 4): PortParams {
  if (data.length !== 4) throw lengthError(93, base - 4, data.length, "must be 4");
  return readPortParams(data, 0, dhcpv6OptionField(93), base);
}

export function s46PortParamsOption(params: PortParams): Dhcpv6Option {
  const data = new Uint8Array(4);
  writePortParams(data, 0, params);
  return { code: 93, data };
}

/** An IPv6 prefix: length in bits and 16 address bytes (bytes past the prefix are zero). */
export interface Ipv6Prefix {
  prefixLength: number;
  prefix: Uint8Array;
}

function readPrefix(data: Uint8Array, at: number, bytes: number): Uint8Array {
  const prefix = new Uint8Array(16);
  prefix.set(data.subarray(at + 1, at + 1 + bytes));
  return prefix;
}

function checkPrefix(p: Ipv6Prefix, field: string): number {
  if (!Number.isInteger(p.prefixLength) || p.prefixLength < 0 || p.prefixLength > 128) {
    throw new EncodeError("bad-value", field, `prefix length ${p.prefixLength} is not in 0..128`);
  }
  checkIpv6(p.prefix, field);
  return (p.prefixLength + 7) >> 3;
}

/** Option 137 [RFC 8539 §6.1]. */
export function decodeS46BindIpv6Prefix(data: Uint8Array, base = 4): Ipv6Prefix {
  checkDhcpv6OptionData(137, data, base);
  const bytes = (data[0]! + 7) >> 3;
  return { prefixLength: data[0]!, prefix: readPrefix(data, 0, bytes) };
}

/** Option 137; only the first ceil(len/8) prefix bytes go on the wire. */
export function s46BindIpv6PrefixOption(p: Ipv6Prefix): Dhcpv6Option {
  const bytes = checkPrefix(p, dhcpv6OptionField(137));
  const data = new Uint8Array(1 + bytes);
  data[0] = p.prefixLength;
  data.set(p.prefix.subarray(0, bytes), 1);
  return { code: 137, data };
}

/** Option 92 [RFC 7598 §4.4]. */
export interface S46V4V6Bind extends Ipv6Prefix {
  /** uint32 */
  ipv4Address: number;
  /** Sub-options (e.g. 93), in order. */
  options: Dhcpv6Option[];
}

export function decodeS46V4V6Bind(data: Uint8Array, base = 4): S46V4V6Bind {
  checkDhcpv6OptionData(92, data, base);
  const prefixLength = data[4]!;
  const bytes = (prefixLength + 7) >> 3;
  const options: Dhcpv6Option[] = [];
  readDhcpv6Options(data, 5 + bytes, data.length, options, "S46_V4V6BIND", base, false);
  return { ipv4Address: readUint32(data, 0), prefixLength, prefix: readPrefix(data, 4, bytes), options };
}

export function s46V4V6BindOption(b: S46V4V6Bind): Dhcpv6Option {
  const bytes = checkPrefix(b, dhcpv6OptionField(92));
  if (!Number.isInteger(b.ipv4Address) || b.ipv4Address < 0 || b.ipv4Address > 0xffffffff) {
    throw new EncodeError("bad-value", dhcpv6OptionField(92), `${b.ipv4Address} is not a uint32 IPv4 address`);
  }
  const data = new Uint8Array(5 + bytes + dhcpv6OptionsLength(b.options));
  writeUint32(data, 0, b.ipv4Address);
  data[4] = b.prefixLength;
  data.set(b.prefix.subarray(0, bytes), 5);
  let at = 5 + bytes;
  for (const o of b.options) at = writeDhcpv6Option(data, at, o);
  return { code: 92, data };
}

/** Option 96 [RFC 7598 §5.3]: the sub-options (at most one 92, at least one 90). */
export function decodeS46ContLw(data: Uint8Array, base = 4): Dhcpv6Option[] {
  checkDhcpv6OptionData(96, data, base);
  const options: Dhcpv6Option[] = [];
  readDhcpv6Options(data, 0, data.length, options, "S46_CONT_LW", base, false);
  return options;
}

export function s46ContLwOption(options: readonly Dhcpv6Option[]): Dhcpv6Option {
  const brs = options.filter((o) => o.code === 90).length;
  const binds = options.filter((o) => o.code === 92).length;
  if (brs === 0 || binds > 1) {
    throw new EncodeError("bad-value", dhcpv6OptionField(96), `needs >= 1 OPTION_S46_BR and <= 1 OPTION_S46_V4V6BIND, got ${brs} and ${binds}`);
  }
  return { code: 96, data: encodeOptionList(options) };
}

/** Option 135 [RFC 8357 §4.2]: the relay's downstream source port. */
export function decodeRelayPort(data: Uint8Array, base = 4): number {
  if (data.length !== 2) throw lengthError(135, base - 4, data.length, "must be 2");
  return readUint16(data, 0);
}

export function relayPortOption(port: number): Dhcpv6Option {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new EncodeError("bad-value", dhcpv6OptionField(135), `${port} is not a port`);
  return { code: 135, data: Uint8Array.of(port >>> 8, port & 0xff) };
}

/** Option 18 [RFC 8415 §21.18]: opaque, compared byte for byte. */
export function interfaceIdOption(id: Uint8Array): Dhcpv6Option {
  return { code: 18, data: id };
}

/** Option 1 with a DUID [RFC 8415 §21.2]. */
export function clientIdOption(duid: Uint8Array): Dhcpv6Option {
  return { code: 1, data: duid };
}

/** Option 2 with a DUID [RFC 8415 §21.3]. */
export function serverIdOption(duid: Uint8Array): Dhcpv6Option {
  return { code: 2, data: duid };
}

/** Option 87 [RFC 7341 §7.1] from an encoded DHCPv4 message. */
export function dhcpv4MsgOption(dhcpv4: Uint8Array): Dhcpv6Option {
  return { code: 87, data: dhcpv4 };
}

/** Validates a standalone option value; `base` is the value's offset in the packet. */
function checkDhcpv6OptionData(code: number, data: Uint8Array, base: number): void {
  // The header lies outside `data`: report it at base - 4 like in-packet validation does.
  checkDhcpv6Option(code, data, 0, data.length, base);
}
