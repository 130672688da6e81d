/**
 * DHCPv4 message codec: the BOOTP header, the magic cookie and the options, with option
 * overload into `file`/`sname` (option 52) and long options split over several instances
 * [RFC 2131 §2, §4.1] [RFC 2132 §2, §3, §9.3] [RFC 3396].
 *
 * Decoded byte fields (chaddr, sname, file, option data) are views into the input buffer,
 * except option values joined from several instances, which are fresh copies.
 */
import { readUint16, readUint32, writeUint16, writeUint32 } from "./big-endian";
import { DecodeError } from "./decode-error";
import { EncodeError } from "./encode-error";
import { allocUninitialized } from "./byte-buffer";
import { checkDhcpv4Option, dhcpv4OptionField } from "./dhcpv4-options";

/** One option after decoding: all instances of a code joined into one value (RFC 3396 §7). */
export interface Dhcpv4Option {
  /** 1..254; never 0 (Pad), 52 (Overload, consumed by the codec) or 255 (End). */
  code: number;
  data: Uint8Array;
}

/** A DHCPv4 message. IPv4 addresses are uint32 (192.0.2.1 = 0xc0000201). */
export interface Dhcpv4Message {
  /** 1 = BOOTREQUEST, 2 = BOOTREPLY. */
  op: number;
  htype: number;
  /** Hardware address length, 0..16. */
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  /** 16-bit flags; 0x8000 is the broadcast bit [RFC 2131 §2]. */
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** 16 bytes (decoded); shorter values are zero-padded when encoding. */
  chaddr: Uint8Array;
  /** 64 bytes (decoded; all zero when the field carried options); shorter values are zero-padded. */
  sname: Uint8Array;
  /** 128 bytes (decoded; all zero when the field carried options); shorter values are zero-padded. */
  file: Uint8Array;
  /** Options in order of first appearance (options field, then file, then sname), without 52. */
  options: Dhcpv4Option[];
}

/** Layout choices for encoding. Neither changes what the message decodes to. */
export interface Dhcpv4EncodeOptions {
  /**
   * Largest message the receiver takes, in bytes (e.g. from its option 57). When the
   * options do not fit, the rest go to `file` and then `sname` with option 52, if those
   * fields are empty [RFC 2131 §3.5, §4.1]; if they still do not fit: EncodeError "too-long".
   */
  maxLength?: number;
  /** Pad with zeros after End up to this size (BOOTP's 300-byte minimum, RFC 1542 §2.1). */
  minLength?: number;
}

export const DHCPV4_HEADER_LENGTH = 236;
/** Header + magic cookie: the shortest message that can be a DHCP message [RFC 2131 §3]. */
export const DHCPV4_MIN_LENGTH = 240;
export const MAGIC_COOKIE = 0x63825363;
export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const BROADCAST_FLAG = 0x8000;

const CHADDR_AT = 28;
const SNAME_AT = 44;
const SNAME_LENGTH = 64;
const FILE_AT = 108;
const FILE_LENGTH = 128;
const COOKIE_AT = 236;
const OPTIONS_AT = 240;

const NO_BYTES = new Uint8Array(0);

// ---------------------------------------------------------------------------------------
// Decoding

/*
 * Scratch space reused by every decode (decoding is synchronous, so never re-entered):
 * per option instance [code, value offset, value length, index of the next instance of
 * the same code or -1]. It grows only with instances the packet actually contains.
 */
let instances = new Int32Array(4 * 64);
const countByCode = new Int32Array(256);
const totalByCode = new Int32Array(256);
const lastByCode = new Int32Array(256);

function addInstance(n: number, code: number, valueAt: number, length: number): number {
  const k = n * 4;
  if (k + 4 > instances.length) {
    const grown = new Int32Array(instances.length * 2);
    grown.set(instances);
    instances = grown;
  }
  instances[k] = code;
  instances[k + 1] = valueAt;
  instances[k + 2] = length;
  instances[k + 3] = -1;
  const last = lastByCode[code]!;
  if (last >= 0) instances[last * 4 + 3] = n;
  lastByCode[code] = n;
  countByCode[code]!++;
  totalByCode[code]! += length;
  return n + 1;
}

/**
 * Records the options in buf[from, to). Pad is skipped, End stops the scan (the rest is
 * padding) [RFC 2132 §3.1, §3.2]; a missing End at the field's end is tolerated. No option
 * may cross the field's end [RFC 2131 §4.1]. Returns the new instance count.
 */
function scanArea(buf: Uint8Array, from: number, to: number, area: string, n: number): number {
  let i = from;
  while (i < to) {
    const code = buf[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    if (i + 1 >= to) {
      throw new DecodeError("truncated", i, dhcpv4OptionField(code), `length octet missing at the end of the ${area}`);
    }
    const length = buf[i + 1]!;
    if (i + 2 + length > to) {
      throw new DecodeError("truncated", i, dhcpv4OptionField(code), `length ${length} runs past the end of the ${area}`);
    }
    // RFC 2131 §4.1: option 52 must be in the options field; elsewhere it could loop.
    if (code === 52 && area !== "options field") {
      throw new DecodeError("bad-overload", i, dhcpv4OptionField(52), `found in the ${area}`);
    }
    n = addInstance(n, code, i + 2, length);
    i += 2 + length;
  }
  return n;
}

/**
 * Decodes the DHCPv4 message in buf[start, end); error offsets count from buf[0].
 * Used directly by the 4o6 decoder so that offsets point into the DHCPv6 packet.
 */
export function decodeDhcpv4Within(buf: Uint8Array, start: number, end: number): Dhcpv4Message {
  if (end - start < DHCPV4_HEADER_LENGTH) {
    throw new DecodeError("truncated", start, "DHCPv4 header", `${end - start} bytes, the fixed header needs 236`);
  }
  if (end - start < DHCPV4_MIN_LENGTH) {
    throw new DecodeError("truncated", start + COOKIE_AT, "DHCPv4 magic cookie", `${end - start} bytes, header and cookie need 240`);
  }
  if (readUint32(buf, start + COOKIE_AT) !== MAGIC_COOKIE) {
    throw new DecodeError("bad-cookie", start + COOKIE_AT, "DHCPv4 magic cookie", "is not 63825363");
  }
  const hlen = buf[start + 2]!;
  // protocol.md §3.6: hlen > 16 cannot describe chaddr (ISC DHCP drops such packets).
  if (hlen > 16) throw new DecodeError("bad-value", start + 2, "DHCPv4 hlen", `${hlen} exceeds 16`);

  countByCode.fill(0);
  totalByCode.fill(0);
  lastByCode.fill(-1);
  let n = scanArea(buf, start + OPTIONS_AT, end, "options field", 0);

  // RFC 2131 §4.1: options field first, then file (overload 1 or 3), then sname (2 or 3).
  let overload = 0;
  if (countByCode[52]! > 0) {
    let at = 0;
    for (let k = 0; k < n; k++) {
      if (instances[k * 4] === 52) {
        at = instances[k * 4 + 1]! - 2;
        break;
      }
    }
    if (countByCode[52] !== 1 || totalByCode[52] !== 1) {
      throw new DecodeError("bad-overload", at, dhcpv4OptionField(52), `length ${totalByCode[52]}, must be a single byte`);
    }
    overload = buf[at + 2]!;
    if (overload < 1 || overload > 3) {
      throw new DecodeError("bad-overload", at, dhcpv4OptionField(52), `value ${overload} is not 1, 2 or 3`);
    }
    if (overload & 1) n = scanArea(buf, start + FILE_AT, start + FILE_AT + FILE_LENGTH, "file field", n);
    if (overload & 2) n = scanArea(buf, start + SNAME_AT, start + SNAME_AT + SNAME_LENGTH, "sname field", n);
  }

  const options: Dhcpv4Option[] = [];
  for (let k = 0; k < n; k++) {
    const code = instances[k * 4]!;
    const count = countByCode[code]!;
    if (count === 0 || code === 52) continue; // 52 is layout, not content; 0 = already joined
    const valueAt = instances[k * 4 + 1]!;
    let data: Uint8Array;
    if (count === 1) {
      data = buf.subarray(valueAt, valueAt + instances[k * 4 + 2]!);
    } else {
      // RFC 3396 §7: concatenate every instance, in the order they were found.
      data = new Uint8Array(totalByCode[code]!);
      let w = 0;
      for (let j = k; j >= 0; j = instances[j * 4 + 3]!) {
        const from = instances[j * 4 + 1]!;
        const length = instances[j * 4 + 2]!;
        for (let x = 0; x < length; x++) data[w + x] = buf[from + x]!;
        w += length;
      }
      countByCode[code] = 0;
    }
    checkDhcpv4Option(code, data, valueAt - 2);
    options.push({ code, data });
  }

  return {
    op: buf[start]!,
    htype: buf[start + 1]!,
    hlen,
    hops: buf[start + 3]!,
    xid: readUint32(buf, start + 4),
    secs: readUint16(buf, start + 8),
    flags: readUint16(buf, start + 10),
    ciaddr: readUint32(buf, start + 12),
    yiaddr: readUint32(buf, start + 16),
    siaddr: readUint32(buf, start + 20),
    giaddr: readUint32(buf, start + 24),
    chaddr: buf.subarray(start + CHADDR_AT, start + CHADDR_AT + 16),
    sname: overload & 2 ? new Uint8Array(SNAME_LENGTH) : buf.subarray(start + SNAME_AT, start + SNAME_AT + SNAME_LENGTH),
    file: overload & 1 ? new Uint8Array(FILE_LENGTH) : buf.subarray(start + FILE_AT, start + FILE_AT + FILE_LENGTH),
    options,
  };
}

/** Decodes a DHCPv4 message (e.g. the value of DHCPv6 option 87). Throws DecodeError. */
export function decodeDhcpv4Message(bytes: Uint8Array): Dhcpv4Message {
  return decodeDhcpv4Within(bytes, 0, bytes.length);
}

// ---------------------------------------------------------------------------------------
// Encoding

function checkInt(v: number, max: number, field: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= max)) {
    throw new EncodeError("bad-value", `DHCPv4 ${field}`, `${v} is not an integer in 0..${max}`);
  }
}

function checkOptionCode(code: number): void {
  if (!Number.isInteger(code) || code < 1 || code > 254 || code === 52) {
    throw new EncodeError("bad-value", "DHCPv4 option code", `${code} cannot be carried as an option (0, 52 and 255 are written by the codec)`);
  }
}

/** Bytes the options take in one area, long values split into 255-byte instances [RFC 3396 §4]. */
function optionsLength(options: readonly Dhcpv4Option[]): number {
  let total = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    checkOptionCode(o.code);
    const n = o.data.length;
    total += n <= 255 ? n + 2 : n + 2 * Math.ceil(n / 255);
  }
  return total;
}

function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Places the options over the options field, then `file`, then `sname` (each only if the
 * message leaves it empty), with option 52 first in the options field [RFC 2131 §4.1].
 * A value is split across fields (RFC 3396 allows any split) only when it does not fit
 * whole in the next field. With `buf` null only measures. Returns the message length
 * before minLength padding.
 */
function placeOverloaded(msg: Dhcpv4Message, maxLength: number, buf: Uint8Array | null, start: number): number {
  const areaAt: number[] = [start + OPTIONS_AT + 3];
  const areaCap: number[] = [maxLength - OPTIONS_AT - 3 - 1]; // minus option 52 and End
  const areaBit: number[] = [0];
  if (msg.file.length === 0 || isAllZero(msg.file)) {
    areaAt.push(start + FILE_AT);
    areaCap.push(FILE_LENGTH - 1);
    areaBit.push(1);
  }
  if (msg.sname.length === 0 || isAllZero(msg.sname)) {
    areaAt.push(start + SNAME_AT);
    areaCap.push(SNAME_LENGTH - 1);
    areaBit.push(2);
  }
  const tooLong = () =>
    new EncodeError("too-long", "DHCPv4 options", `do not fit in ${maxLength} bytes even with option overload`);
  if (areaCap[0]! < 0) throw tooLong();

  let area = 0;
  let used = 0;
  let usedOptionsField = 0;
  let overload = 0;
  const close = () => {
    if (buf !== null) buf[areaAt[area]! + used] = 255;
    if (area === 0) usedOptionsField = used;
  };
  for (const o of msg.options) {
    const data = o.data;
    let from = 0;
    let remaining = data.length;
    do {
      let take = remaining < 255 ? remaining : 255;
      for (;;) {
        const room = areaCap[area]! - used - 2;
        if (take <= room) break;
        const nextRoom = area + 1 < areaCap.length ? areaCap[area + 1]! - 2 : -1;
        if (room >= 1 && take > nextRoom) {
          take = room;
          break;
        }
        if (area + 1 >= areaCap.length) throw tooLong();
        close();
        area++;
        used = 0;
      }
      if (buf !== null) {
        const at = areaAt[area]! + used;
        buf[at] = o.code;
        buf[at + 1] = take;
        buf.set(data.subarray(from, from + take), at + 2);
      }
      overload |= areaBit[area]!;
      used += 2 + take;
      from += take;
      remaining -= take;
    } while (remaining > 0);
  }
  close();
  if (buf !== null) {
    buf[start + OPTIONS_AT] = 52;
    buf[start + OPTIONS_AT + 1] = 1;
    buf[start + OPTIONS_AT + 2] = overload;
  }
  return OPTIONS_AT + 3 + usedOptionsField + 1;
}

/** Length of the encoded message, padding included. Throws EncodeError. */
export function dhcpv4EncodedLength(msg: Dhcpv4Message, opts?: Dhcpv4EncodeOptions): number {
  let length = OPTIONS_AT + optionsLength(msg.options) + 1;
  const maxLength = opts?.maxLength;
  if (maxLength !== undefined && length > maxLength) length = placeOverloaded(msg, maxLength, null, 0);
  const minLength = opts?.minLength;
  return minLength !== undefined && minLength > length ? minLength : length;
}

/** buf.set() costs more than a loop for the short values options carry. */
function copyBytes(buf: Uint8Array, at: number, data: Uint8Array): void {
  const n = data.length;
  if (n > 32) {
    buf.set(data, at);
    return;
  }
  for (let i = 0; i < n; i++) buf[at + i] = data[i]!;
}

function writeBytesField(buf: Uint8Array, at: number, value: Uint8Array, size: number, field: string): void {
  const n = value.length;
  if (n > size) throw new EncodeError("bad-value", `DHCPv4 ${field}`, `${n} bytes, at most ${size}`);
  if (n > 0) copyBytes(buf, at, value);
  buf.fill(0, at + n, at + size);
}

/**
 * Writes `msg` at buf[start, start + length), where `length` is what
 * {@link dhcpv4EncodedLength} returned for the same message and options.
 */
export function writeDhcpv4Message(
  msg: Dhcpv4Message,
  buf: Uint8Array,
  start: number,
  length: number,
  opts?: Dhcpv4EncodeOptions,
): void {
  checkInt(msg.op, 0xff, "op");
  checkInt(msg.htype, 0xff, "htype");
  checkInt(msg.hlen, 16, "hlen");
  checkInt(msg.hops, 0xff, "hops");
  checkInt(msg.xid, 0xffffffff, "xid");
  checkInt(msg.secs, 0xffff, "secs");
  checkInt(msg.flags, 0xffff, "flags");
  checkInt(msg.ciaddr, 0xffffffff, "ciaddr");
  checkInt(msg.yiaddr, 0xffffffff, "yiaddr");
  checkInt(msg.siaddr, 0xffffffff, "siaddr");
  checkInt(msg.giaddr, 0xffffffff, "giaddr");
  buf[start] = msg.op;
  buf[start + 1] = msg.htype;
  buf[start + 2] = msg.hlen;
  buf[start + 3] = msg.hops;
  writeUint32(buf, start + 4, msg.xid);
  writeUint16(buf, start + 8, msg.secs);
  writeUint16(buf, start + 10, msg.flags);
  writeUint32(buf, start + 12, msg.ciaddr);
  writeUint32(buf, start + 16, msg.yiaddr);
  writeUint32(buf, start + 20, msg.siaddr);
  writeUint32(buf, start + 24, msg.giaddr);
  writeBytesField(buf, start + CHADDR_AT, msg.chaddr, 16, "chaddr");
  writeBytesField(buf, start + SNAME_AT, msg.sname, SNAME_LENGTH, "sname");
  writeBytesField(buf, start + FILE_AT, msg.file, FILE_LENGTH, "file");
  writeUint32(buf, start + COOKIE_AT, MAGIC_COOKIE);

  let end: number;
  const maxLength = opts?.maxLength;
  if (maxLength !== undefined && OPTIONS_AT + optionsLength(msg.options) + 1 > maxLength) {
    end = start + placeOverloaded(msg, maxLength, buf, start);
  } else {
    let at = start + OPTIONS_AT;
    const options = msg.options;
    for (let i = 0; i < options.length; i++) {
      const { code, data } = options[i]!;
      const n = data.length;
      if (n <= 255) {
        buf[at] = code;
        buf[at + 1] = n;
        copyBytes(buf, at + 2, data);
        at += 2 + n;
      } else {
        // RFC 3396 §5: split into consecutive instances of at most 255 bytes.
        for (let from = 0; from < n; from += 255) {
          const take = n - from < 255 ? n - from : 255;
          buf[at] = code;
          buf[at + 1] = take;
          buf.set(data.subarray(from, from + take), at + 2);
          at += 2 + take;
        }
      }
    }
    buf[at] = 255;
    end = at + 1;
  }
  if (start + length > end) buf.fill(0, end, start + length);
}

/** Encodes a DHCPv4 message. Throws EncodeError. */
export function encodeDhcpv4Message(msg: Dhcpv4Message, opts?: Dhcpv4EncodeOptions): Uint8Array {
  const length = dhcpv4EncodedLength(msg, opts);
  const buf = allocUninitialized(length);
  writeDhcpv4Message(msg, buf, 0, length, opts);
  return buf;
}

// ---------------------------------------------------------------------------------------
// Building replies

/** Fields of a reply the server chooses; the rest come from the request. */
export interface BootReplyInit {
  yiaddr?: number;
  ciaddr?: number;
  siaddr?: number;
  sname?: Uint8Array;
  file?: Uint8Array;
  options: Dhcpv4Option[];
}

/**
 * A BOOTREPLY header for `request` per RFC 2131 §4.3.1 Table 3: htype, hlen, xid, flags,
 * giaddr and chaddr copied; hops and secs 0; ciaddr/yiaddr/siaddr as given (default 0).
 */
export function createBootReply(request: Dhcpv4Message, init: BootReplyInit): Dhcpv4Message {
  return {
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    flags: request.flags,
    ciaddr: init.ciaddr ?? 0,
    yiaddr: init.yiaddr ?? 0,
    siaddr: init.siaddr ?? 0,
    giaddr: request.giaddr,
    chaddr: request.chaddr,
    sname: init.sname ?? NO_BYTES,
    file: init.file ?? NO_BYTES,
    options: init.options,
  };
}

/** The client hardware address: the first hlen bytes of chaddr. */
export function hardwareAddress(msg: Dhcpv4Message): Uint8Array {
  return msg.chaddr.subarray(0, msg.hlen);
}
