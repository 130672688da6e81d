// The pool definition: one validated shape shared by the console form, the tRPC API and the
// JSON pool file, the domain type the allocation engine works with, and the conversions to and
// from the database row (addresses as BigInt uint32, lists as JSON text).
//
// Defaults and the rules they come from:
// - Shared pools default to PSID offset 6, the RFC 7597 §5.1 MAP default, which keeps ports
//   0-1023 out of every port set by itself. lw4o6 clients ignore the offset (RFC 7596 §5.1,
//   RFC 7618 §9, protocol.md §9 row 8): operators of lw4o6 pools set psidOffset 0.
// - Shared pools default to subnet mask /32 and no router (protocol.md §4.4, §9 row 11): shared
//   addresses live on tunnels and point-to-point links, never on a shared medium (RFC 7618 §2).
// - Dedicated pools given as CIDR default to that prefix's mask; as first-last, to no mask.
// - T1 and T2 default to 0.5 and 0.875 of the lease time (RFC 2131 §4.4.5).
// - A handed-out address is never the network or broadcast address of the subnet mask sent
//   with it (RFC 1122 §3.2.1.3): a CIDR range leaves them out, a first-last range that holds
//   them is refused. Masks of /31 and /32 have no such addresses (RFC 3021).

import ipaddr from "ipaddr.js";
import { z } from "zod";
import type { Pool as PoolRow } from "../db/generated/sqlite/client";
import {
  DEFAULT_MAP_PSID_OFFSET,
  MAX_PORT,
  WELL_KNOWN_PORTS,
  describePsidExclusions,
  describePsidLayout,
  nextUsablePsid,
  poolCapacity,
  portRangeProblem,
  summarizePortSet,
  usablePsids,
  validatePsidLayout,
  type PortRange,
  type UsablePsids,
} from "../psid";

export type PoolKind = "SHARED" | "DEDICATED";

/** A validated pool definition, every default resolved. Addresses are uint32 numbers. */
export interface PoolSpec {
  readonly name: string;
  readonly kind: PoolKind;
  readonly firstAddress: number;
  readonly lastAddress: number;
  /** RFC 7597 §5.1 offset a and PSID length k; 0 and 0 for a dedicated pool. */
  readonly psidOffset: number;
  readonly psidLength: number;
  /** Operator-reserved port ranges (RFC 7618 §8), sorted and merged; empty for dedicated pools. */
  readonly reservedPorts: readonly PortRange[];
  /** Whether port sets may contain ports 0-1023 (RFC 7618 §8: only if the operator says so). */
  readonly allowWellKnown: boolean;
  /** Seconds (option 51), and T1 / T2 (options 58, 59) resolved: renewTime < rebindTime < leaseTime. */
  readonly leaseTime: number;
  readonly renewTime: number;
  readonly rebindTime: number;
  /** Option 1 as a uint32 mask, null when none is sent. */
  readonly subnetMask: number | null;
  /** Options 3 and 6, in preference order. */
  readonly routers: readonly number[];
  readonly dnsServers: readonly number[];
  /**
   * RFC 8539 §5: the BR (lwAFTR) IPv6 address for DHCPv6 option 90 and the binding prefix for
   * option 137, sent to clients that list them in their ORO; RFC 5952 text, null when not set.
   */
  readonly brAddress: string | null;
  readonly bindPrefix: string | null;
  /** 4o6 selection scope (protocol.md §3.7): IPv6 prefixes "2001:db8:1::/48", Interface-Id as lowercase hex. */
  readonly linkAddressPrefix: string | null;
  readonly interfaceId: string | null;
  readonly sourcePrefix: string | null;
  readonly enabled: boolean;
}

/** A stored pool. */
export interface Pool extends PoolSpec {
  readonly id: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** RFC 7597 §5.1 default offset, used when a shared pool gives none (see the header). */
export const DEFAULT_SHARED_PSID_OFFSET = DEFAULT_MAP_PSID_OFFSET;
export const MIN_LEASE_TIME = 60;
/** One year: long leases are a policy choice; "infinite" (0xffffffff, RFC 2131 §3.3) is not offered. */
export const MAX_LEASE_TIME = 31_536_000;
/**
 * Most slots (addresses × usable PSIDs) one pool may hold: the allocator keeps one bit per slot
 * in memory (2 MiB at this size), and a bigger pool is almost always a typing mistake.
 */
export const MAX_POOL_SLOTS = 2 ** 24;
const MAX_OPTION_ADDRESSES = 16;
const MAX_RESERVED_RANGES = 64;
const MAX_INTERFACE_ID_BYTES = 128;

// --- field parsers ---------------------------------------------------------------------------

/** What a field parser returns: the value, or a message for the operator. */
type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };
const accept = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refuse = (message: string): Parsed<never> => ({ ok: false, message });

/** Dotted quad to uint32, or null. Strict: four decimal parts without leading zeros. */
export function parseIpv4(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** uint32 to dotted quad. */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** "192.0.2.0-192.0.2.255", or the one address. */
export function formatAddressRange(range: { readonly firstAddress: number; readonly lastAddress: number }): string {
  const first = formatIpv4(range.firstAddress);
  return range.firstAddress === range.lastAddress ? first : `${first}-${formatIpv4(range.lastAddress)}`;
}

/** The mask of a prefix length as uint32 (0 for /0). */
function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Prefix length of a contiguous mask, or null. */
function prefixLengthOf(mask: number): number | null {
  const host = ~mask >>> 0;
  // Contiguous exactly when the host part is 2^n - 1.
  if ((host & (host + 1)) !== 0) return null;
  return 32 - Math.log2(host + 1);
}

const notAnAddress = (text: string) => `"${text}" is not an IPv4 address (a dotted quad such as 192.0.2.1)`;

function parseAddress(text: string): Parsed<number> {
  const address = parseIpv4(text);
  return address === null ? refuse(notAnAddress(text)) : accept(address);
}

/** An address range as written: first and last address, and the prefix length if it was a CIDR. */
interface WrittenRange {
  readonly first: number;
  readonly last: number;
  readonly prefixLength: number | null;
}

/** "192.0.2.0/24", "192.0.2.10-192.0.2.200", or one address. */
function parseAddressRange(text: string): Parsed<WrittenRange> {
  const example = "Use a prefix such as 192.0.2.0/24 or a range such as 192.0.2.10-192.0.2.200";
  if (text === "") return refuse(`Enter the addresses. ${example}`);
  const slashParts = text.split("/");
  const dashParts = text.split("-");
  if (slashParts.length === 2 && dashParts.length === 1) {
    const [addressText, lengthText] = [slashParts[0]!.trim(), slashParts[1]!.trim()];
    const address = parseIpv4(addressText);
    if (address === null) return refuse(notAnAddress(addressText));
    if (!/^\d{1,2}$/.test(lengthText) || Number(lengthText) > 32) return refuse(`Prefix length "${lengthText}" is not 0..32`);
    const prefixLength = Number(lengthText);
    const network = (address & maskOf(prefixLength)) >>> 0;
    if (network !== address) return refuse(`${text} has host bits set; the prefix is ${formatIpv4(network)}/${prefixLength}`);
    return accept({ first: network, last: (network | ~maskOf(prefixLength)) >>> 0, prefixLength });
  }
  if (slashParts.length === 1 && dashParts.length <= 2) {
    const firstText = dashParts[0]!.trim();
    const lastText = (dashParts[1] ?? firstText).trim();
    const first = parseIpv4(firstText);
    if (first === null) return refuse(notAnAddress(firstText));
    const last = parseIpv4(lastText);
    if (last === null) return refuse(notAnAddress(lastText));
    if (first > last) return refuse(`The range ends (${lastText}) before it starts (${firstText})`);
    return accept({ first, last, prefixLength: null });
  }
  return refuse(`"${text}" is not an address range. ${example}`);
}

/** 24, "24", "/24" or "255.255.255.0" to a uint32 mask. */
function parseSubnetMask(value: string | number): Parsed<number> {
  const text = String(value).trim();
  const lengthText = text.startsWith("/") ? text.slice(1) : text;
  if (/^\d{1,2}$/.test(lengthText)) {
    const length = Number(lengthText);
    if (length < 1 || length > 32) return refuse(`Subnet mask /${length} is not /1../32`);
    return accept(maskOf(length));
  }
  const mask = parseIpv4(text);
  if (mask === null) return refuse(`"${text}" is not a subnet mask (a prefix length such as 24, or 255.255.255.0)`);
  const length = prefixLengthOf(mask);
  if (length === null) return refuse(`${text} is not a contiguous subnet mask`);
  if (length === 0) return refuse("Subnet mask 0.0.0.0 leaves no network part");
  return accept(mask);
}

/** "2001:db8:1::/48" (or one address, taken as /128), normalised to RFC 5952 text. */
function parseIpv6Prefix(text: string): Parsed<string> {
  let address: ipaddr.IPv6;
  let length: number;
  try {
    const [parsed, bits] = text.includes("/") ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), 128];
    if (parsed.kind() !== "ipv6") return refuse(`${text} is IPv4; this field matches IPv6 addresses (such as 2001:db8:1::/48)`);
    [address, length] = [parsed as ipaddr.IPv6, bits];
  } catch {
    return refuse(`"${text}" is not an IPv6 prefix (such as 2001:db8:1::/48)`);
  }
  if (address.zoneId) return refuse(`${text} has a zone index; use a global prefix`);
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${length}`);
  const normalised = `${network.toRFC5952String()}/${length}`;
  if (network.toNormalizedString() !== address.toNormalizedString()) {
    return refuse(`${text} has bits set past the prefix length; the prefix is ${normalised}`);
  }
  return accept(normalised);
}

/** One IPv6 unicast address (the BR of RFC 8539 option 90), RFC 5952 text. */
function parseIpv6Address(text: string): Parsed<string> {
  if (text.includes("/")) return refuse(`Enter one IPv6 address without a prefix length, such as 2001:db8::1`);
  const parsed = ipaddr.isValid(text) ? ipaddr.parse(text) : null;
  if (!parsed || parsed.kind() !== "ipv6") return refuse(`"${text}" is not an IPv6 address (such as 2001:db8::1)`);
  const address = parsed as ipaddr.IPv6;
  if (address.zoneId) return refuse(`${text} has a zone index; use a global address`);
  const kind = address.range();
  if (kind === "unspecified" || kind === "multicast" || kind === "loopback" || kind === "linkLocal") {
    return refuse(`${text} is a ${kind === "linkLocal" ? "link-local" : kind} address; the BR needs a global unicast address`);
  }
  return accept(address.toRFC5952String());
}

/**
 * The relay's Interface-Id (RFC 8415 §21.18; compared as exact bytes) as lowercase hex: text is
 * taken as its UTF-8 bytes, "hex:0a0b..." (colons or spaces allowed between bytes) as the bytes.
 */
function parseInterfaceId(text: string): Parsed<string> {
  let hex: string;
  if (/^hex:/i.test(text)) {
    hex = text.slice(4).replace(/[\s:]/g, "").toLowerCase();
    if (!/^([0-9a-f]{2})+$/.test(hex)) return refuse(`"${text}" is not hex bytes; write hex:0a0b0c, or the Interface-Id as plain text`);
  } else {
    // TextEncoder, not Buffer: this module is also bundled into the console's pool form.
    hex = Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  const bytes = hex.length / 2;
  if (bytes > MAX_INTERFACE_ID_BYTES) return refuse(`The Interface-Id is ${bytes} bytes long; at most ${MAX_INTERFACE_ID_BYTES}`);
  return accept(hex);
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "8080", "8000-8099" or {first, last}. */
function parseReservedPorts(value: unknown): Parsed<PortRange> {
  let range: PortRange;
  if (typeof value === "string" || typeof value === "number") {
    const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(String(value));
    if (!match) return refuse(`"${String(value)}" is not a port or port range such as 8080 or 8000-8099`);
    range = { first: Number(match[1]), last: Number(match[2] ?? match[1]) };
  } else if (typeof value === "object" && value !== null && "first" in value && "last" in value) {
    range = { first: value.first as number, last: value.last as number };
  } else {
    return refuse("Write a reserved port as 8080, a range as 8000-8099, or {first, last}");
  }
  const problem = portRangeProblem(range);
  return problem ? refuse(capitalised(problem.message)) : accept(range);
}

/** Sorted, with overlapping and adjacent ranges merged: one canonical form to store and compare. */
function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((x, y) => x.first - y.first);
  const merged: { first: number; last: number }[] = [];
  for (const range of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && range.first <= previous.last + 1) previous.last = Math.max(previous.last, range.last);
    else merged.push({ first: range.first, last: range.last });
  }
  return merged;
}

// --- the input schema ------------------------------------------------------------------------

const blankToUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);
const digitsToNumber = (value: unknown) => (typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value);

/** An optional field: absent, null and "" all mean "not given" (empty form inputs). */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional()).optional();
}

/** A whole number, in `unit` when given ("seconds"); digit strings from form inputs are accepted too. */
function wholeNumber(label: string, min: number, max: number, unit?: "seconds") {
  const of = unit ? ` of ${unit}` : "";
  const amount = (n: number) => (unit ? `${n} ${n === 1 ? unit.slice(0, -1) : unit}` : String(n));
  return z.preprocess(
    digitsToNumber,
    z
      .number({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a number${of}`) })
      .int(`${label} must be a whole number${of}`)
      .min(min, `${label} must be at least ${amount(min)}`)
      .max(max, `${label} must be at most ${amount(max)}`),
  );
}

/** Turns a zod input into a value with `parse`, reporting its message on the field. */
function parsedWith<I, T>(input: z.ZodType<I>, parse: (value: I) => Parsed<T>) {
  return input.transform((value, ctx): T => {
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  });
}

const text = (label: string) => z.string({ error: `${label} must be text` }).trim();

function ipv4List(what: string) {
  return z
    .array(parsedWith(text("Each address"), parseAddress), { error: `${capitalised(what)} must be a list of IPv4 addresses` })
    .max(MAX_OPTION_ADDRESSES, `At most ${MAX_OPTION_ADDRESSES} ${what}`);
}

/**
 * The fields of a pool as an operator writes them, each checked on its own. Unknown fields are
 * refused, so that a typo in the pool file is not silently ignored. `poolInputSchema` adds the
 * rules between fields and resolves the defaults.
 */
export const poolFieldsSchema = z.strictObject(
  {
    name: z
      .string({ error: "Name is required" })
      .trim()
      .min(1, "Name is required")
      .max(64, "Name is at most 64 characters")
      .regex(/^[A-Za-z0-9._-]+$/, "Name may use letters, digits, dot, dash and underscore"),
    kind: z
      .string({ error: 'Kind must be "shared" or "dedicated"' })
      .trim()
      .toLowerCase()
      .pipe(z.enum(["shared", "dedicated"], { error: 'Kind must be "shared" (address + port set) or "dedicated" (whole address)' })),
    range: parsedWith(z.string({ error: "Range is required, such as 192.0.2.0/24 or 192.0.2.10-192.0.2.200" }).trim(), parseAddressRange),
    psidOffset: optional(wholeNumber("PSID offset", 0, 15)),
    psidLength: optional(wholeNumber("PSID length", 0, 16)),
    reservedPorts: optional(
      z
        .array(parsedWith(z.unknown(), parseReservedPorts), { error: 'Reserved ports must be a list such as ["5060", "8000-8099"]' })
        .max(MAX_RESERVED_RANGES, `At most ${MAX_RESERVED_RANGES} reserved port ranges`),
    ),
    allowWellKnown: optional(z.boolean({ error: "Allow well-known ports must be true or false" })),
    leaseTime: wholeNumber("Lease time", MIN_LEASE_TIME, MAX_LEASE_TIME, "seconds"),
    renewTime: optional(wholeNumber("Renew time (T1)", 1, MAX_LEASE_TIME, "seconds")),
    rebindTime: optional(wholeNumber("Rebind time (T2)", 1, MAX_LEASE_TIME, "seconds")),
    subnetMask: optional(
      parsedWith(z.union([z.string(), z.number()], { error: "Subnet mask must be a prefix length such as 24, or a mask such as 255.255.255.0" }), parseSubnetMask),
    ),
    routers: optional(ipv4List("routers")),
    dnsServers: optional(ipv4List("DNS servers")),
    linkAddressPrefix: optional(parsedWith(text("Link-address prefix"), parseIpv6Prefix)),
    interfaceId: optional(parsedWith(text("Interface-Id"), parseInterfaceId)),
    sourcePrefix: optional(parsedWith(text("Source prefix"), parseIpv6Prefix)),
    brAddress: optional(parsedWith(text("BR address"), parseIpv6Address)),
    bindPrefix: optional(parsedWith(text("Binding prefix"), parseIpv6Prefix)),
    enabled: optional(z.boolean({ error: "Enabled must be true or false" })),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `Unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}` : undefined,
  },
);

/** What an operator may write for a pool: the form's values, one entry of the pool file. */
export type PoolInput = z.input<typeof poolFieldsSchema>;
/** The fields after their own checks, before the rules between them. */
export type PoolFields = z.output<typeof poolFieldsSchema>;

export interface PoolIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

export type PoolResolution = { readonly ok: true; readonly spec: PoolSpec } | { readonly ok: false; readonly issues: readonly PoolIssue[] };

/** The PSIDs a pool may hand out: its layout less the well-known ports (unless allowed) and the reserved ranges (RFC 7618 §8). */
export function poolUsablePsids(pool: Pick<PoolSpec, "psidOffset" | "psidLength" | "allowWellKnown" | "reservedPorts">): UsablePsids {
  return usablePsids(
    { offset: pool.psidOffset, psidLength: pool.psidLength },
    { wellKnownPorts: pool.allowWellKnown ? null : WELL_KNOWN_PORTS, reservedPorts: pool.reservedPorts },
  );
}

type IssueSink = (path: (string | number)[], message: string) => void;

/** Shared pools: (a, k) per RFC 7597 §5.1 and protocol.md §9 row 6, and at least one usable PSID. */
function resolveSharedLayout(fields: PoolFields, reservedPorts: readonly PortRange[], issue: IssueSink): { psidOffset: number; psidLength: number; usable: UsablePsids | null } {
  const psidOffset = fields.psidOffset ?? DEFAULT_SHARED_PSID_OFFSET;
  const allowWellKnown = fields.allowWellKnown ?? false;
  if (fields.psidLength === undefined) {
    issue(["psidLength"], "A shared pool needs a PSID length of 1..16 (2^k subscribers share each address)");
    return { psidOffset, psidLength: 0, usable: null };
  }
  if (fields.psidLength === 0) {
    issue(["psidLength"], "PSID length 0 gives each subscriber the whole address; use 1..16, or a dedicated pool");
    return { psidOffset, psidLength: 0, usable: null };
  }
  const psidLength = fields.psidLength;
  const layout = validatePsidLayout(psidOffset, psidLength);
  if (!layout.ok) {
    issue([layout.error.field === "offset" ? "psidOffset" : "psidLength"], layout.error.message);
    return { psidOffset, psidLength, usable: null };
  }
  const usable = poolUsablePsids({ psidOffset, psidLength, allowWellKnown, reservedPorts });
  if (usable.usableCount === 0) {
    const why = describePsidExclusions(usable).filter((line) => !line.includes("excludes no PSID"));
    if (poolUsablePsids({ psidOffset, psidLength, allowWellKnown, reservedPorts: [] }).usableCount === 0) {
      // RFC 7597 §5.1: only the A = 0 block, ports 0 .. 2^(16-a) - 1, is outside every port set;
      // for a > 6 that block ends below 1023, so every port set holds well-known ports.
      issue(
        ["psidOffset"],
        `PSID offset ${psidOffset} leaves no usable PSID: ${why.join("; ")}. Only ports 0-${2 ** (16 - psidOffset) - 1} stay outside ` +
          "every port set, so each one holds well-known ports; use an offset of 6 or less, or allow well-known ports",
      );
    } else {
      issue(["reservedPorts"], `No usable PSID is left: ${why.join("; ")}. Reserve fewer ports`);
    }
  }
  return { psidOffset, psidLength, usable };
}

/** T1 and T2: given or the RFC 2131 §4.4.5 defaults (0.5 and 0.875 of the lease time), T1 < T2 < lease time. */
function resolveTimers(fields: PoolFields, issue: IssueSink): { renewTime: number; rebindTime: number } {
  const { leaseTime } = fields;
  const renewTime = fields.renewTime ?? Math.floor(leaseTime * 0.5);
  const rebindTime = fields.rebindTime ?? Math.floor(leaseTime * 0.875);
  if (fields.renewTime !== undefined && renewTime >= leaseTime) {
    issue(["renewTime"], `Renew time (T1) ${renewTime} must be shorter than the lease time ${leaseTime}`);
  } else if (fields.rebindTime !== undefined && rebindTime >= leaseTime) {
    issue(["rebindTime"], `Rebind time (T2) ${rebindTime} must be shorter than the lease time ${leaseTime}`);
  } else if (renewTime >= rebindTime) {
    if (fields.renewTime !== undefined) {
      const t2 = fields.rebindTime === undefined ? `${rebindTime} (7/8 of the lease time by default)` : String(rebindTime);
      issue(["renewTime"], `Renew time (T1) ${renewTime} must be shorter than the rebind time (T2) ${t2}`);
    } else {
      issue(["rebindTime"], `Rebind time (T2) ${rebindTime} must be longer than the renew time (T1) ${renewTime}, half the lease time by default; set a renew time too`);
    }
  }
  return { renewTime, rebindTime };
}

/**
 * The addresses handed out: the written range, less the network and broadcast addresses of the
 * mask when it was a CIDR (RFC 1122 §3.2.1.3); refused when it holds them, spans subnets, or
 * holds addresses no host may have.
 */
function resolveAddresses(range: WrittenRange, subnetMask: number | null, maskGiven: boolean, issue: IssueSink): { first: number; last: number } {
  const written = formatAddressRange({ firstAddress: range.first, lastAddress: range.last });
  let { first, last } = range;
  const maskLength = subnetMask === null ? null : prefixLengthOf(subnetMask)!;
  if (maskLength !== null && maskLength <= 30) {
    const networkOf = (address: number) => (address & subnetMask!) >>> 0;
    const broadcastOf = (address: number) => (address | ~subnetMask!) >>> 0;
    const maskNote = maskGiven ? " (see the subnet mask)" : "";
    if (range.prefixLength !== null) {
      if (first === networkOf(first)) first += 1;
      if (last === broadcastOf(last)) last -= 1;
    }
    const subnet = `${formatIpv4(networkOf(range.first))}/${maskLength}`;
    if (first > last) {
      issue(["range"], `Range ${written} holds only the network or broadcast address of ${subnet}${maskNote}`);
    } else if (networkOf(first) !== networkOf(last)) {
      issue(["range"], `Range ${written} spans more than one /${maskLength} subnet${maskNote}; a pool lies inside one subnet`);
    } else if (first === networkOf(first)) {
      issue(["range"], `Range includes ${formatIpv4(first)}, the network address of ${subnet}${maskNote}; start at ${formatIpv4(first + 1)}`);
    } else if (last === broadcastOf(last)) {
      issue(["range"], `Range includes ${formatIpv4(last)}, the broadcast address of ${subnet}${maskNote}; end at ${formatIpv4(last - 1)}`);
    }
  }
  const unassignable = UNASSIGNABLE_BLOCKS.find((block) => range.first <= block.last && block.first <= range.last);
  if (unassignable) issue(["range"], `Range ${written} includes ${unassignable.what}`);
  return { first, last };
}

/** Address blocks no pool may hand out. */
const UNASSIGNABLE_BLOCKS: readonly { first: number; last: number; what: string }[] = [
  { first: 0x00000000, last: 0x00ffffff, what: '"this network" addresses (0.0.0.0/8, RFC 1122 §3.2.1.3)' },
  { first: 0x7f000000, last: 0x7fffffff, what: "loopback addresses (127.0.0.0/8)" },
  { first: 0xe0000000, last: 0xefffffff, what: "multicast addresses (224.0.0.0/4)" },
  { first: 0xf0000000, last: 0xffffffff, what: "reserved and broadcast addresses (240.0.0.0/4)" },
];

/**
 * The rules between fields, and the defaults (see the header): kind-specific PSID layout,
 * T1 < T2 < lease time, mask and range, routers, capacity. Every issue names its field.
 */
export function resolvePoolFields(fields: PoolFields): PoolResolution {
  const issues: PoolIssue[] = [];
  const issue: IssueSink = (path, message) => issues.push({ path, message });
  const shared = fields.kind === "shared";

  const reservedPorts = mergePortRanges(fields.reservedPorts ?? []);
  const allowWellKnown = fields.allowWellKnown ?? false;
  let layout = { psidOffset: 0, psidLength: 0, usable: null as UsablePsids | null };
  if (shared) {
    layout = resolveSharedLayout(fields, reservedPorts, issue);
  } else {
    const whole = "a dedicated pool hands out whole addresses, with every port";
    if (fields.psidOffset) issue(["psidOffset"], `Leave the PSID offset empty: ${whole}`);
    if (fields.psidLength) issue(["psidLength"], `Leave the PSID length empty: ${whole}`);
    if (reservedPorts.length > 0) issue(["reservedPorts"], `Reserved ports apply to shared pools only: ${whole}`);
    if (allowWellKnown) issue(["allowWellKnown"], `Well-known ports apply to shared pools only: ${whole}`);
  }
  const { renewTime, rebindTime } = resolveTimers(fields, issue);

  // protocol.md §4.4: shared pools default to /32; a CIDR dedicated pool to its own prefix.
  const range = fields.range;
  const subnetMask = fields.subnetMask ?? (shared ? maskOf(32) : range.prefixLength !== null ? maskOf(range.prefixLength) : null);
  const { first, last } = resolveAddresses(range, subnetMask, fields.subnetMask !== undefined, issue);
  const maskLength = subnetMask === null ? 32 : prefixLengthOf(subnetMask)!;
  const routers = fields.routers ?? [];
  routers.forEach((router, index) => {
    if (router >= first && router <= last) {
      issue(["routers", index], `Router ${formatIpv4(router)} lies inside the pool's range and would be handed out to a subscriber`);
    } else if (maskLength <= 30 && ((router ^ first) & subnetMask!) !== 0) {
      issue(["routers", index], `Router ${formatIpv4(router)} is outside the pool's subnet ${formatIpv4((first & subnetMask!) >>> 0)}/${maskLength}`);
    }
  });

  const addressCount = last - first + 1;
  const slotsPerAddress = layout.usable?.usableCount ?? 1;
  if (addressCount > 0 && addressCount * slotsPerAddress > MAX_POOL_SLOTS) {
    const holds = shared ? `${addressCount * slotsPerAddress} slots (${addressCount} addresses × ${slotsPerAddress} port sets)` : `${addressCount} addresses`;
    issue(
      shared && addressCount <= MAX_POOL_SLOTS ? ["psidLength"] : ["range"],
      `The pool would hold ${holds}; one pool holds at most ${MAX_POOL_SLOTS}: use a smaller range${shared ? " or PSID length" : ""}, or several pools`,
    );
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    spec: {
      name: fields.name,
      kind: shared ? "SHARED" : "DEDICATED",
      firstAddress: first,
      lastAddress: last,
      psidOffset: layout.psidOffset,
      psidLength: layout.psidLength,
      reservedPorts,
      allowWellKnown,
      leaseTime: fields.leaseTime,
      renewTime,
      rebindTime,
      subnetMask,
      routers,
      dnsServers: fields.dnsServers ?? [],
      brAddress: fields.brAddress ?? null,
      bindPrefix: fields.bindPrefix ?? null,
      linkAddressPrefix: fields.linkAddressPrefix ?? null,
      interfaceId: fields.interfaceId ?? null,
      sourcePrefix: fields.sourcePrefix ?? null,
      enabled: fields.enabled ?? true,
    },
  };
}

/** Adds the issues of a resolution to a zod context (schemas that extend the pool fields). */
export function reportPoolIssues(issues: readonly PoolIssue[], ctx: z.RefinementCtx): void {
  for (const found of issues) ctx.addIssue({ code: "custom", message: found.message, path: found.path });
}

/** Operator input to a validated PoolSpec with every default resolved; each message names its field (zod path). */
export const poolInputSchema = poolFieldsSchema.transform((fields, ctx): PoolSpec => {
  const resolution = resolvePoolFields(fields);
  if (resolution.ok) return resolution.spec;
  reportPoolIssues(resolution.issues, ctx);
  return z.NEVER;
});

/** Field → message (the first for each field), for forms: {"range": "...", "reservedPorts.1": "..."}. */
export function poolFieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const found of error.issues) errors[found.path.join(".") || "input"] ??= found.message;
  return errors;
}

// --- rows ----------------------------------------------------------------------------------

/** The columns the pool table stores for a definition (insert or update data). */
export type PoolRowData = Omit<PoolRow, "id" | "createdAt" | "updatedAt">;

/** Every reserved port: what a damaged reservedPorts column turns into (see poolFromRow). */
const ALL_PORTS: readonly PortRange[] = Object.freeze([{ first: 0, last: MAX_PORT }]);

function readPortRanges(json: string): readonly PortRange[] {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return ALL_PORTS;
    const ranges: PortRange[] = [];
    for (const item of value) {
      const range = { first: (item as PortRange | null)?.first, last: (item as PortRange | null)?.last } as PortRange;
      if (portRangeProblem(range)) return ALL_PORTS;
      ranges.push(range);
    }
    return ranges;
  } catch {
    return ALL_PORTS;
  }
}

function readAddresses(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return [];
    return value.map((item) => (typeof item === "string" ? parseIpv4(item) : null)).filter((address) => address !== null);
  } catch {
    return [];
  }
}

/**
 * A database row as the domain Pool. Cheap (three small JSON.parse calls) and total: it never
 * throws. A damaged column is read safely: unreadable reserved ports reserve every port (the
 * pool then hands out no port set, rather than ports the operator kept out), unreadable
 * routers or DNS servers are dropped, missing T1/T2 get the RFC 2131 §4.4.5 defaults.
 */
export function poolFromRow(row: PoolRow): Pool {
  const leaseTime = row.leaseTime;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    firstAddress: Number(row.firstAddress),
    lastAddress: Number(row.lastAddress),
    psidOffset: row.psidOffset,
    psidLength: row.psidLength,
    reservedPorts: readPortRanges(row.reservedPorts),
    allowWellKnown: row.allowWellKnown,
    leaseTime,
    renewTime: row.renewTime ?? Math.floor(leaseTime * 0.5),
    rebindTime: row.rebindTime ?? Math.floor(leaseTime * 0.875),
    subnetMask: row.subnetMask === null ? null : Number(row.subnetMask),
    routers: readAddresses(row.routers),
    dnsServers: readAddresses(row.dnsServers),
    brAddress: row.brAddress,
    bindPrefix: row.bindPrefix,
    linkAddressPrefix: row.linkAddressPrefix,
    interfaceId: row.interfaceId,
    sourcePrefix: row.sourcePrefix,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A definition as pool table columns; addresses are stored as dotted quads so the JSON reads well. */
export function poolToRow(spec: PoolSpec): PoolRowData {
  return {
    name: spec.name,
    kind: spec.kind,
    firstAddress: BigInt(spec.firstAddress),
    lastAddress: BigInt(spec.lastAddress),
    psidOffset: spec.psidOffset,
    psidLength: spec.psidLength,
    reservedPorts: JSON.stringify(spec.reservedPorts.map(({ first, last }) => ({ first, last }))),
    allowWellKnown: spec.allowWellKnown,
    leaseTime: spec.leaseTime,
    renewTime: spec.renewTime,
    rebindTime: spec.rebindTime,
    subnetMask: spec.subnetMask === null ? null : BigInt(spec.subnetMask),
    routers: JSON.stringify(spec.routers.map(formatIpv4)),
    dnsServers: JSON.stringify(spec.dnsServers.map(formatIpv4)),
    brAddress: spec.brAddress,
    bindPrefix: spec.bindPrefix,
    linkAddressPrefix: spec.linkAddressPrefix,
    interfaceId: spec.interfaceId,
    sourcePrefix: spec.sourcePrefix,
    enabled: spec.enabled,
  };
}

/** Just the definition of a stored pool. */
export function poolSpecOf(pool: PoolSpec): PoolSpec {
  return {
    name: pool.name,
    kind: pool.kind,
    firstAddress: pool.firstAddress,
    lastAddress: pool.lastAddress,
    psidOffset: pool.psidOffset,
    psidLength: pool.psidLength,
    reservedPorts: pool.reservedPorts,
    allowWellKnown: pool.allowWellKnown,
    leaseTime: pool.leaseTime,
    renewTime: pool.renewTime,
    rebindTime: pool.rebindTime,
    subnetMask: pool.subnetMask,
    routers: pool.routers,
    dnsServers: pool.dnsServers,
    brAddress: pool.brAddress,
    bindPrefix: pool.bindPrefix,
    linkAddressPrefix: pool.linkAddressPrefix,
    interfaceId: pool.interfaceId,
    sourcePrefix: pool.sourcePrefix,
    enabled: pool.enabled,
  };
}

/**
 * The definition written back as operator input (the edit form's initial values, the audit
 * log's before/after): parsing it gives the same PoolSpec. Defaults are left out.
 */
export function poolToInput(spec: PoolSpec): PoolInput {
  const shared = spec.kind === "SHARED";
  const input: Record<string, unknown> = {
    name: spec.name,
    kind: shared ? "shared" : "dedicated",
    range: `${formatIpv4(spec.firstAddress)}-${formatIpv4(spec.lastAddress)}`,
  };
  if (shared) {
    input.psidOffset = spec.psidOffset;
    input.psidLength = spec.psidLength;
    if (spec.reservedPorts.length > 0) input.reservedPorts = spec.reservedPorts.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`));
    if (spec.allowWellKnown) input.allowWellKnown = true;
  }
  input.leaseTime = spec.leaseTime;
  if (spec.renewTime !== Math.floor(spec.leaseTime * 0.5)) input.renewTime = spec.renewTime;
  if (spec.rebindTime !== Math.floor(spec.leaseTime * 0.875)) input.rebindTime = spec.rebindTime;
  // A shared pool's /32 is the default (protocol.md §4.4); any other mask is written out.
  if (spec.subnetMask !== null && !(shared && spec.subnetMask === maskOf(32))) input.subnetMask = formatIpv4(spec.subnetMask);
  if (spec.routers.length > 0) input.routers = spec.routers.map(formatIpv4);
  if (spec.dnsServers.length > 0) input.dnsServers = spec.dnsServers.map(formatIpv4);
  if (spec.brAddress !== null) input.brAddress = spec.brAddress;
  if (spec.bindPrefix !== null) input.bindPrefix = spec.bindPrefix;
  if (spec.linkAddressPrefix !== null) input.linkAddressPrefix = spec.linkAddressPrefix;
  if (spec.interfaceId !== null) input.interfaceId = `hex:${spec.interfaceId}`;
  if (spec.sourcePrefix !== null) input.sourcePrefix = spec.sourcePrefix;
  input.enabled = spec.enabled;
  return input as PoolInput;
}

const samePortRanges = (x: readonly PortRange[], y: readonly PortRange[]) =>
  x.length === y.length && x.every((range, i) => range.first === y[i]!.first && range.last === y[i]!.last);
const sameNumbers = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((n, i) => n === y[i]);

/** The fields in which two definitions differ, in declaration order (pool file log, idempotence). */
export function changedPoolFields(before: PoolSpec, after: PoolSpec): (keyof PoolSpec)[] {
  const changed: (keyof PoolSpec)[] = [];
  for (const key of Object.keys(poolSpecOf(before)) as (keyof PoolSpec)[]) {
    const [x, y] = [before[key], after[key]];
    const same =
      key === "reservedPorts"
        ? samePortRanges(x as readonly PortRange[], y as readonly PortRange[])
        : key === "routers" || key === "dnsServers"
          ? sameNumbers(x as readonly number[], y as readonly number[])
          : x === y;
    if (!same) changed.push(key);
  }
  return changed;
}

// --- the console's live preview ----------------------------------------------------------------

export interface PoolPlan {
  readonly kind: PoolKind;
  /** "192.0.2.0-192.0.2.255". */
  readonly range: string;
  readonly addressCount: number;
  /** One line on (a, k): "offset 6, PSID length 4: 16 PSIDs ...", null for a dedicated pool. */
  readonly layout: string | null;
  /** 2^k (1 for a dedicated pool). */
  readonly subscribersPerAddress: number;
  readonly usablePsidsPerAddress: number;
  readonly excludedPsidsPerAddress: number;
  readonly portsPerSubscriber: number;
  readonly rangesPerSubscriber: number;
  /** Port sets (shared) or addresses (dedicated) the pool can lease at once. */
  readonly totalCapacity: number;
  /** The first usable PSID and its port set in one line, null for a dedicated pool. */
  readonly samplePsid: number | null;
  readonly samplePortSet: string | null;
  /** One line per exclusion: "well-known ports 0-1023: excludes PSIDs 0-15 (16 of 64)". */
  readonly exclusions: readonly string[];
  readonly leaseTime: number;
  readonly renewTime: number;
  readonly rebindTime: number;
  readonly subnetMask: string | null;
}

/** The figures the console shows while an operator types a pool (protocol.md §5.5, §10). */
export function describePoolPlan(spec: PoolSpec): PoolPlan {
  const addressCount = spec.lastAddress - spec.firstAddress + 1;
  const common = {
    kind: spec.kind,
    range: formatAddressRange(spec),
    addressCount,
    leaseTime: spec.leaseTime,
    renewTime: spec.renewTime,
    rebindTime: spec.rebindTime,
    subnetMask: spec.subnetMask === null ? null : `${formatIpv4(spec.subnetMask)} (/${prefixLengthOf(spec.subnetMask)})`,
  };
  if (spec.kind === "DEDICATED") {
    return {
      ...common,
      layout: null,
      subscribersPerAddress: 1,
      usablePsidsPerAddress: 1,
      excludedPsidsPerAddress: 0,
      portsPerSubscriber: MAX_PORT + 1,
      rangesPerSubscriber: 1,
      totalCapacity: addressCount,
      samplePsid: null,
      samplePortSet: null,
      exclusions: [],
    };
  }
  const layout = { offset: spec.psidOffset, psidLength: spec.psidLength };
  const usable = poolUsablePsids(spec);
  const capacity = poolCapacity(usable, addressCount);
  const samplePsid = nextUsablePsid(usable, 0) ?? null;
  return {
    ...common,
    layout: describePsidLayout(layout),
    subscribersPerAddress: capacity.sharingRatio,
    usablePsidsPerAddress: capacity.usablePsidsPerAddress,
    excludedPsidsPerAddress: capacity.excludedPsidsPerAddress,
    portsPerSubscriber: capacity.portsPerSubscriber,
    rangesPerSubscriber: capacity.rangesPerSubscriber,
    totalCapacity: capacity.subscriberCapacity,
    samplePsid,
    samplePortSet: samplePsid === null ? null : `PSID ${samplePsid}: ${summarizePortSet({ ...layout, psid: samplePsid })}`,
    exclusions: describePsidExclusions(usable),
  };
}

/** Slots the pool can lease at once: addresses × usable PSIDs (addresses for a dedicated pool). */
export function poolSlotCapacity(pool: PoolSpec): number {
  const addresses = pool.lastAddress - pool.firstAddress + 1;
  return pool.kind === "SHARED" ? addresses * poolUsablePsids(pool).usableCount : addresses;
}
