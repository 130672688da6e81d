/**
 * The lease the client keeps on disk between runs, so that it can use INIT-REBOOT (RFC 2131
 * §3.2, §4.4.2) — but only while its 4o6 IPv6 source address is unchanged: RFC 7618 §7 says a
 * client whose IPv6 source changed for any reason MUST start again with DHCPDISCOVER.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatIpv4, parseIpv4, type PortParams } from "../wire";
import { INFINITE_SECONDS, leaseExpiresAt, type Lease } from "./lease";
import type { Slot } from "./messages";
import type { Endpoint } from "./transport";

/** What the file holds (JSON). */
export interface StoredLease {
  version: 1;
  /** Option 61 value, hex. */
  clientId: string;
  /** The IPv6 source address of the client's 4o6 queries when the lease was obtained. */
  sourceAddress: string;
  /** The RFC 8539 softwire source sent with the lease, if any. */
  softwireSource?: string;
  address: string;
  portParams?: PortParams;
  serverId: string;
  server: Endpoint;
  leaseSeconds: number;
  t1Seconds: number;
  t2Seconds: number;
  boundAt: string;
  /** null for an infinite lease. */
  expiresAt: string | null;
}

/** Where the client stands when it starts: its identity and IPv6 source now. */
export interface ClientSituation {
  clientId: string;
  sourceAddress: string;
  softwireSource?: string;
}

export class LeaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseFileError";
  }
}

export function storedLeaseOf(lease: Lease, situation: ClientSituation): StoredLease {
  const expires = leaseExpiresAt(lease);
  const stored: StoredLease = {
    version: 1,
    clientId: situation.clientId,
    sourceAddress: situation.sourceAddress,
    address: formatIpv4(lease.address),
    serverId: formatIpv4(lease.serverId),
    server: lease.server,
    leaseSeconds: lease.leaseSeconds,
    t1Seconds: lease.t1Seconds,
    t2Seconds: lease.t2Seconds,
    boundAt: new Date(lease.boundAt).toISOString(),
    expiresAt: Number.isFinite(expires) ? new Date(expires).toISOString() : null,
  };
  if (situation.softwireSource) stored.softwireSource = situation.softwireSource;
  if (lease.portParams) stored.portParams = { ...lease.portParams };
  return stored;
}

/** The (address, port set) of a stored lease. */
export function slotOfStored(stored: StoredLease): Slot {
  return { address: parseIpv4(stored.address)!, portParams: stored.portParams };
}

/** The stored lease as a Lease (to release it without a new exchange). */
export function leaseOfStored(stored: StoredLease): Lease {
  return {
    ...slotOfStored(stored),
    serverId: parseIpv4(stored.serverId)!,
    server: stored.server,
    leaseSeconds: stored.leaseSeconds,
    t1Seconds: stored.t1Seconds,
    t2Seconds: stored.t2Seconds,
    boundAt: Date.parse(stored.boundAt),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const isUint = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** Checks a parsed file; returns the lease or a reason it is unusable. */
export function validateStoredLease(value: unknown): StoredLease | string {
  if (!isRecord(value)) return "not a JSON object";
  if (value.version !== 1) return `unknown version ${JSON.stringify(value.version)}`;
  if (typeof value.clientId !== "string" || !/^([0-9a-f]{2})+$/.test(value.clientId)) return "clientId is not hex";
  if (typeof value.sourceAddress !== "string") return "sourceAddress missing";
  if (value.softwireSource !== undefined && typeof value.softwireSource !== "string") return "softwireSource is not text";
  if (typeof value.address !== "string" || parseIpv4(value.address) === undefined) return "address is not an IPv4 address";
  if (typeof value.serverId !== "string" || parseIpv4(value.serverId) === undefined) return "serverId is not an IPv4 address";
  if (!isRecord(value.server) || typeof value.server.address !== "string" || !isUint(value.server.port, 65535)) return "server is not an endpoint";
  for (const key of ["leaseSeconds", "t1Seconds", "t2Seconds"] as const) if (!isUint(value[key], INFINITE_SECONDS)) return `${key} is not a uint32`;
  if (typeof value.boundAt !== "string" || Number.isNaN(Date.parse(value.boundAt))) return "boundAt is not a time";
  if (value.expiresAt !== null && (typeof value.expiresAt !== "string" || Number.isNaN(Date.parse(value.expiresAt)))) return "expiresAt is not a time";
  if (value.portParams !== undefined) {
    const p = value.portParams;
    if (!isRecord(p) || !isUint(p.offset, 15) || !isUint(p.psidLength, 16) || !isUint(p.psid, 0xffff)) return "portParams malformed";
    if ((p.offset as number) + (p.psidLength as number) > 16 || (p.psid as number) >= 2 ** (p.psidLength as number)) return "portParams out of range";
  }
  return value as unknown as StoredLease;
}

/** Reads the file; undefined when it does not exist. Throws LeaseFileError when it is unreadable or malformed. */
export function readLeaseFile(file: string): StoredLease | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LeaseFileError(`cannot read lease file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LeaseFileError(`lease file ${file} is not JSON`);
  }
  const result = validateStoredLease(parsed);
  if (typeof result === "string") throw new LeaseFileError(`lease file ${file}: ${result}`);
  return result;
}

/** Writes the file atomically (temporary file + rename). */
export function writeLeaseFile(file: string, stored: StoredLease): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export function removeLeaseFile(file: string): void {
  rmSync(file, { force: true });
}

export type RebootDecision =
  | { kind: "init-reboot"; slot: Slot; reason: string }
  | { kind: "discover"; hint?: Slot; reason: string };

/**
 * INIT-REBOOT or DISCOVER? INIT-REBOOT only for an unexpired stored lease of the same client
 * identifier sent from the same IPv6 source (and the same softwire source); a changed source
 * means DISCOVER [RFC 7618 §7], which may still name the old binding as a hint [§7].
 */
export function rebootDecision(stored: StoredLease | undefined, now: ClientSituation, at: number): RebootDecision {
  if (!stored) return { kind: "discover", reason: "no stored lease" };
  if (stored.clientId !== now.clientId) return { kind: "discover", reason: "the stored lease belongs to another client identifier" };
  const slot = slotOfStored(stored);
  if (stored.sourceAddress !== now.sourceAddress) {
    return { kind: "discover", hint: slot, reason: `IPv6 source changed from ${stored.sourceAddress} to ${now.sourceAddress} (RFC 7618 §7: DISCOVER, not INIT-REBOOT)` };
  }
  if ((stored.softwireSource ?? null) !== (now.softwireSource ?? null)) {
    return {
      kind: "discover",
      hint: slot,
      reason: `softwire IPv6 source changed from ${stored.softwireSource ?? "none"} to ${now.softwireSource ?? "none"} (RFC 7618 §7: DISCOVER, not INIT-REBOOT)`,
    };
  }
  if (stored.expiresAt !== null && Date.parse(stored.expiresAt) <= at) {
    return { kind: "discover", hint: slot, reason: `the stored lease expired at ${stored.expiresAt}` };
  }
  return { kind: "init-reboot", slot, reason: `stored lease of ${stored.address}, IPv6 source ${stored.sourceAddress} unchanged` };
}
