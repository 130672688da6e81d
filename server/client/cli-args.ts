/**
 * Command-line arguments of portshare-client: parsed and checked, with errors that name the
 * option. Pure (no I/O), so every rule is unit-tested.
 */
import { MAX_RELAY_DEPTH, parseIpv6 } from "../wire";
import type { NatStyle } from "./report";
import { DHCPV6_CLIENT_PORT, DHCPV6_SERVER_PORT, type Endpoint } from "./transport";

export const EXIT = {
  /** Bound (--once), or the lease released (--release, SIGINT/SIGTERM in --hold). */
  OK: 0,
  /** Unexpected failure (e.g. the socket could not be bound). */
  ERROR: 1,
  /** The server(s) answered with DHCPNAK and no lease could be had. */
  NAKED: 2,
  /** No server answered. */
  NO_ANSWER: 3,
  /** Bad command line (sysexits EX_USAGE). */
  USAGE: 64,
  /** Interrupted before any lease was bound. */
  INTERRUPTED: 130,
} as const;

export class UsageError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = "UsageError";
  }
}

export interface CliOptions {
  servers: Endpoint[];
  port: number;
  bind: string;
  shared: boolean;
  psidLength?: number;
  preferShared: boolean;
  relayHops: number;
  linkAddress?: string;
  interfaceId?: string;
  iaid: number;
  duid?: Uint8Array;
  mac?: Uint8Array;
  softwireSource?: Uint8Array;
  mode: "once" | "hold";
  /** --release: release after binding (--once), on stop (--hold), or, alone, release the stored lease. */
  release: boolean;
  /** --release without --once/--hold: only release the lease in --lease-file. */
  releaseOnly: boolean;
  leaseFile?: string;
  json: boolean;
  ranges: boolean;
  nat?: NatStyle;
  natInterface: string;
  renewAfter?: number;
  rebindAfter?: number;
  waitSeconds: number;
  attempts: number;
  verbose: boolean;
  help: boolean;
}

type Kind = "flag" | "value" | "list";
const SPEC: Record<string, Kind> = {
  "--server": "list",
  "--port": "value",
  "--bind": "value",
  "--shared": "flag",
  "--psid-length": "value",
  "--prefer-shared": "flag",
  "--relay-hops": "value",
  "--link-address": "value",
  "--interface-id": "value",
  "--iaid": "value",
  "--duid": "value",
  "--mac": "value",
  "--softwire-source": "value",
  "--once": "flag",
  "--hold": "flag",
  "--release": "flag",
  "--lease-file": "value",
  "--json": "flag",
  "--ranges": "flag",
  "--nat": "value",
  "--nat-interface": "value",
  "--renew-after": "value",
  "--rebind-after": "value",
  "--wait": "value",
  "--attempts": "value",
  "--verbose": "flag",
  "--help": "flag",
};
const ALIASES: Record<string, string> = { "-h": "--help", "-v": "--verbose", "-s": "--server" };

function integer(option: string, text: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(option, `"${text}" is not a whole number (${min}..${max})`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(option, `${n} is not in ${min}..${max}`);
  return n;
}

function hexBytes(option: string, text: string): Uint8Array {
  const clean = text.replace(/[:\-\s]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new UsageError(option, `"${text}" is not hex bytes (e.g. 00030001020000000001)`);
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

/** "[2001:db8::1]:547", "[2001:db8::1]", "2001:db8::1", "[fe80::1%eth0]:547"; the port defaults to 547. */
export function parseServer(text: string): Endpoint {
  const option = "--server";
  let address = text;
  let port = DHCPV6_SERVER_PORT;
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text);
  if (bracketed) {
    address = bracketed[1]!;
    if (bracketed[2] !== undefined) port = integer(option, bracketed[2], 1, 65535);
  } else if (text.startsWith("[")) {
    throw new UsageError(option, `"${text}" is not [IPv6-address]:port`);
  }
  const [bare, zone] = address.split("%", 2);
  if (!bare || parseIpv6(bare) === undefined) {
    throw new UsageError(option, `"${text}" is not an IPv6 address or [IPv6-address]:port (4o6 runs over IPv6, RFC 7341)`);
  }
  if (zone !== undefined && !/^[A-Za-z0-9_.@:-]{1,64}$/.test(zone)) throw new UsageError(option, `bad zone "${zone}" in "${text}"`);
  const isLinkScoped = /^(fe[89ab][0-9a-f]:|ff02:)/i.test(bare);
  if (isLinkScoped && zone === undefined) throw new UsageError(option, `${bare} is link-scoped: name the interface, e.g. [${bare}%eth0]:${port}`);
  return { address, port };
}

function macAddress(option: string, text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text)) throw new UsageError(option, `"${text}" is not a MAC address like 02:00:00:00:00:01`);
  return hexBytes(option, text);
}

function seconds(option: string, text: string, min: number, max: number): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) throw new UsageError(option, `"${text}" is not a number of seconds`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(option, `${n} is not in ${min}..${max} seconds`);
  return n;
}

/** Parses argv (without node and script). Throws UsageError. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = ALIASES[eq >= 0 ? arg.slice(0, eq) : arg] ?? (eq >= 0 ? arg.slice(0, eq) : arg);
    const kind = SPEC[name];
    if (kind === undefined) {
      throw new UsageError(name, arg.startsWith("-") ? "unknown option (see --help)" : `unexpected argument "${arg}" (options start with --; see --help)`);
    }
    let value: string;
    if (kind === "flag") {
      if (eq >= 0) throw new UsageError(name, "takes no value");
      value = "";
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && SPEC[next.split("=")[0]!] !== undefined)) throw new UsageError(name, "needs a value");
      value = next;
      i++;
    }
    const seen = values.get(name);
    if (seen && kind !== "list") throw new UsageError(name, "given more than once");
    values.set(name, [...(seen ?? []), value]);
  }
  const has = (name: string) => values.has(name);
  const one = (name: string) => values.get(name)?.[0];

  const help = has("--help");
  if (help) return { ...defaults(), help: true };

  const servers = (values.get("--server") ?? []).map(parseServer);
  if (servers.length === 0) throw new UsageError("--server", "at least one is required, e.g. --server [2001:db8::547]:547");

  if (has("--once") && has("--hold")) throw new UsageError("--hold", "cannot be combined with --once");
  const release = has("--release");
  const releaseOnly = release && !has("--once") && !has("--hold");
  if (releaseOnly && !has("--lease-file")) {
    throw new UsageError("--release", "on its own releases the lease stored by an earlier run: give --lease-file (or use --once --release to obtain and release)");
  }

  const shared = has("--shared");
  const psidLengthText = one("--psid-length");
  const psidLength = psidLengthText === undefined ? undefined : integer("--psid-length", psidLengthText, 1, 16);
  if (psidLength !== undefined && !shared) throw new UsageError("--psid-length", "is a hint for a shared address: add --shared");
  if (has("--prefer-shared") && !shared) throw new UsageError("--prefer-shared", "needs --shared (159 must be in the Parameter Request List)");

  const relayHops = one("--relay-hops") === undefined ? 0 : integer("--relay-hops", one("--relay-hops")!, 0, MAX_RELAY_DEPTH);
  const linkAddress = one("--link-address");
  if (linkAddress !== undefined) {
    if (relayHops === 0) throw new UsageError("--link-address", "only applies to relayed queries: add --relay-hops N");
    if (parseIpv6(linkAddress) === undefined) throw new UsageError("--link-address", `"${linkAddress}" is not an IPv6 address`);
  }
  const interfaceId = one("--interface-id");
  if (interfaceId !== undefined) {
    if (relayHops === 0) throw new UsageError("--interface-id", "only applies to relayed queries: add --relay-hops N");
    if (interfaceId.length === 0 || Buffer.byteLength(interfaceId) > 255) throw new UsageError("--interface-id", "must be 1..255 bytes");
  }

  const bind = one("--bind") ?? "::";
  if (parseIpv6(bind.split("%")[0]!) === undefined) throw new UsageError("--bind", `"${bind}" is not an IPv6 address`);
  const port = one("--port") === undefined ? DHCPV6_CLIENT_PORT : integer("--port", one("--port")!, 0, 65535);

  const iaid = one("--iaid") === undefined ? 1 : integer("--iaid", one("--iaid")!, 0, 0xffffffff);
  let duid: Uint8Array | undefined;
  if (one("--duid") !== undefined) {
    duid = hexBytes("--duid", one("--duid")!);
    // RFC 8415 §11: 2-byte DUID type + 1..128 bytes.
    if (duid.length < 3 || duid.length > 130) throw new UsageError("--duid", `${duid.length} bytes; a DUID is a 2-byte type and 1..128 bytes`);
  }
  const mac = one("--mac") === undefined ? undefined : macAddress("--mac", one("--mac")!);

  let softwireSource: Uint8Array | undefined;
  const sw = one("--softwire-source");
  if (sw !== undefined) {
    softwireSource = parseIpv6(sw);
    if (!softwireSource) throw new UsageError("--softwire-source", `"${sw}" is not an IPv6 address`);
    if (softwireSource.every((b) => b === 0) || softwireSource[0] === 0xff) throw new UsageError("--softwire-source", `${sw} cannot be a softwire source (unspecified or multicast)`);
  }

  const natText = one("--nat");
  if (natText !== undefined && natText !== "nftables" && natText !== "iptables") throw new UsageError("--nat", `"${natText}" is not nftables or iptables`);
  const natInterface = one("--nat-interface") ?? "tun0";
  if (!/^[A-Za-z0-9_.@:-]{1,15}$/.test(natInterface)) throw new UsageError("--nat-interface", `"${natInterface}" is not an interface name`);
  if (has("--nat-interface") && natText === undefined) throw new UsageError("--nat-interface", "only used with --nat");

  const renewAfter = one("--renew-after") === undefined ? undefined : integer("--renew-after", one("--renew-after")!, 1, 0xfffffffe);
  const rebindAfter = one("--rebind-after") === undefined ? undefined : integer("--rebind-after", one("--rebind-after")!, 1, 0xfffffffe);
  if (renewAfter !== undefined && rebindAfter !== undefined && renewAfter >= rebindAfter) {
    throw new UsageError("--renew-after", `${renewAfter} s must come before --rebind-after ${rebindAfter} s (T1 < T2)`);
  }
  const mode = has("--hold") ? "hold" : "once";
  if ((renewAfter !== undefined || rebindAfter !== undefined) && mode !== "hold") {
    throw new UsageError(renewAfter !== undefined ? "--renew-after" : "--rebind-after", "only matters while a lease is held: add --hold");
  }

  return {
    servers,
    port,
    bind,
    shared,
    psidLength,
    preferShared: has("--prefer-shared"),
    relayHops,
    linkAddress,
    interfaceId,
    iaid,
    duid,
    mac,
    softwireSource,
    mode,
    release,
    releaseOnly,
    leaseFile: one("--lease-file"),
    json: has("--json"),
    ranges: has("--ranges"),
    nat: natText as NatStyle | undefined,
    natInterface,
    renewAfter,
    rebindAfter,
    waitSeconds: one("--wait") === undefined ? 4 : seconds("--wait", one("--wait")!, 0.01, 64),
    attempts: one("--attempts") === undefined ? 4 : integer("--attempts", one("--attempts")!, 1, 100),
    verbose: has("--verbose"),
    help: false,
  };
}

function defaults(): CliOptions {
  return {
    servers: [],
    port: DHCPV6_CLIENT_PORT,
    bind: "::",
    shared: false,
    preferShared: false,
    relayHops: 0,
    iaid: 1,
    mode: "once",
    release: false,
    releaseOnly: false,
    json: false,
    ranges: false,
    natInterface: "tun0",
    waitSeconds: 4,
    attempts: 4,
    verbose: false,
    help: false,
  };
}

export const HELP = `portshare-client — a DHCPv4-over-DHCPv6 client (RFC 7341) for shared IPv4 addresses with
port sets (RFC 7618) and dedicated addresses. It obtains, holds, inspects and releases a lease;
it never probes the address (no ARP), never falls back to an IPv4 link-local address, and never
configures anything: it reports the binding and prints configuration for a softwire CPE.

Usage:
  portshare-client --server [ADDR]:PORT [options]
  npm run client -- --server [ADDR]:PORT [options]

Where to ask:
  --server [ADDR]:PORT   a 4o6 server or relay (repeatable; port defaults to 547; link-scoped
                         addresses need a zone, e.g. [ff02::1:2%eth0]:547)
  --port N               local UDP port (default 546, the DHCPv6 client port: needs root;
                         direct replies always go to 546 — other ports work with --relay-hops)
  --bind ADDR            local IPv6 address to bind (default ::)
  --relay-hops N         wrap each query in N RELAY-FORW layers, as a 4o6 relay would (0..32);
                         adds OPTION_RELAY_PORT (135) when the local port is not 547
  --link-address ADDR    link-address of the relay next to the client (default ::)
  --interface-id TEXT    Interface-Id (option 18) of the relay next to the client

What to ask for:
  --shared               list option 159 in the Parameter Request List: accept a shared address
  --psid-length K        with --shared: ask for port sets of 2^(16-K) ports (a hint, RFC 7618 §7)
  --prefer-shared        take a shared offer over a full address (default: full first, RFC 7618 §5)
  --softwire-source ADDR RFC 8539: send ADDR as the softwire IPv6 source (option 109), ask for
                         the BR (90) and the binding prefix (137), and report what came back
Who is asking:
  --duid HEX             DUID for the RFC 4361 client identifier (default: DUID-LL of --mac)
  --iaid N               IAID for the client identifier (default 1)
  --mac MAC              chaddr (default: the first non-loopback interface's address)

How long:
  --once                 exit once bound (the default)
  --hold                 keep the lease: RENEWING at T1 (U=1), REBINDING at T2 (U=0), DISCOVER
                         again after a NAK or expiry; SIGINT/SIGTERM release it and exit
  --release              with --once: release right after binding; on its own with --lease-file:
                         release the stored lease (ciaddr + 159) and exit
  --lease-file PATH      keep the lease in PATH; the next run uses INIT-REBOOT when the client's
                         IPv6 source is unchanged, and DISCOVER otherwise (RFC 7618 §7)
  --renew-after S        with --hold: renew S seconds after binding instead of at the server's T1
  --rebind-after S       with --hold: rebind S seconds after binding instead of at T2 (a value
                         below T1 goes straight to REBINDING)
  --wait S               first retransmission wait (default 4 s, doubled up to 64 s, RFC 2131 §4.1)
  --attempts N           DISCOVERs / REQUESTs sent before giving up (default 4)

Output:
  --json                 one JSON object per line per event (bound, nak, expired, released, failed)
  --ranges               print every port range of the PSID (RFC 7597 §5.1)
  --nat nftables|iptables print example NAT44 rules that keep translated flows in the port set
                         (printed, never applied)
  --nat-interface NAME   outgoing interface in those rules (default tun0)
  --verbose, -v          log every message sent and received to stderr
  --help, -h             this text

Exit codes:
  0    bound (--once), or released (--release, SIGINT/SIGTERM with --hold)
  1    unexpected error (e.g. the UDP port could not be bound)
  2    NAKed: the server refused (DHCPNAK) and no lease could be had
  3    no answer from any server
  64   bad input (command line)
  130  interrupted before a lease was bound
`;
