// Lease and binding exports, streamed: the table is read by id in chunks of a few thousand
// rows, each chunk is turned into text and handed to a web ReadableStream only when the reader
// asks for more, so an export of a million leases holds one chunk in memory, not the table.
//
// - Leases as CSV (RFC 4180 via csv-stringify: header row, CRLF, quotes where needed), times
//   as ISO 8601 UTC.
// - The lw4o6 binding table (protocol.md §6.4, RFC 7596 §6.1): one entry per BOUND, unexpired
//   lease of a shared pool whose client gave its softwire source (RFC 8539 option 109), as CSV
//   and as the RFC 8676 `binding-entry` list (ietf-softwire-br): binding-ipv6info (the 109
//   address), binding-ipv4-addr, port-set (psid-offset, psid-len, numeric psid) and
//   br-ipv6-addr from the pool (omitted when the pool has none). Leases without 109 are left
//   out: their IPv6 address is only the query's source (possibly a link-local peer-address),
//   not a tunnel endpoint, and only 109 addresses are kept unique among live leases (RFC 8539
//   §8.2), as the YANG list key must be.

import { stringify } from "csv-stringify/sync";
import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import { decodeClientId } from "./client-id";
import type { LeaseFilter } from "./lease-filter";
import { leaseColumns, leaseWhere, portSetSummary } from "./lease-query";
import { formatIpv4 } from "./pool-spec";

/** Rows read per query; a few thousand keeps memory flat and the queries few. */
export const EXPORT_CHUNK_SIZE = 2000;

export interface ExportOptions {
  /** Rows per query (tests use small chunks). */
  chunkSize?: number;
  /** Called after each chunk is read from the database, with its row count. */
  onChunk?: (rows: number) => void;
  now?: Date;
}

const exportSelect = {
  ...leaseColumns,
  lastTransaction: true,
  pool: { select: { name: true, kind: true, psidOffset: true, psidLength: true, brAddress: true } },
} as const satisfies Prisma.LeaseSelect;

type ExportLease = Prisma.LeaseGetPayload<{ select: typeof exportSelect }>;

/** The rows matching `where`, a chunk at a time, in id order (each row once, whatever changes meanwhile). */
async function* chunksOf(db: Database, where: Prisma.LeaseWhereInput, options: ExportOptions): AsyncGenerator<ExportLease[]> {
  const size = options.chunkSize ?? EXPORT_CHUNK_SIZE;
  let after = 0;
  for (;;) {
    const rows = await db.lease.findMany({ where: { AND: [where, { id: { gt: after } }] }, select: exportSelect, orderBy: { id: "asc" }, take: size });
    options.onChunk?.(rows.length);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * A byte stream that reads the next chunk only when its reader wants more (pull), and stops
 * reading when the reader goes away (cancel).
 */
function textStream<T>(chunks: AsyncGenerator<T[]>, encode: { start?: string; chunk: (rows: T[], index: number) => string; end?: string }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let text = "";
        if (!started) {
          started = true;
          text += encode.start ?? "";
        }
        const next = await chunks.next();
        if (next.done) {
          text += encode.end ?? "";
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += encode.chunk(next.value, index++);
        controller.enqueue(encoder.encode(text));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

const csvOptions = {
  record_delimiter: "windows" as const,
  // RFC 4180 §2.6: a field holding a line break is quoted, a bare LF too.
  quoted_match: /[\r\n]/,
  cast: {
    date: (value: Date) => value.toISOString(),
    boolean: (value: boolean) => (value ? "true" : "false"),
  },
};

function csvStream<T>(chunks: AsyncGenerator<T[]>, columns: readonly string[], toRecord: (row: T) => Record<string, unknown>): ReadableStream<Uint8Array> {
  const header = stringify([], { ...csvOptions, header: true, columns: [...columns] });
  return textStream(chunks, {
    start: header,
    chunk: (rows) => stringify(rows.map(toRecord), { ...csvOptions, header: false, columns: [...columns] }),
  });
}

// --- leases ----------------------------------------------------------------------------------

export const LEASE_CSV_COLUMNS = [
  "id",
  "pool",
  "pool_kind",
  "address",
  "psid",
  "psid_offset",
  "psid_length",
  "port_set",
  "state",
  "client_id",
  "client_iaid",
  "client_duid",
  "hw_address",
  "ipv6_address",
  "softwire_source",
  "started_at",
  "expires_at",
  "quarantine_until",
  "last_transaction",
] as const;

export function leaseCsvRecord(lease: ExportLease): Record<(typeof LEASE_CSV_COLUMNS)[number], unknown> {
  const shared = lease.pool.kind === "SHARED";
  const client = decodeClientId(lease.clientId);
  return {
    id: lease.id,
    pool: lease.pool.name,
    pool_kind: lease.pool.kind.toLowerCase(),
    address: formatIpv4(Number(lease.address)),
    psid: shared ? lease.psid : null,
    psid_offset: shared ? lease.pool.psidOffset : null,
    psid_length: shared ? lease.pool.psidLength : null,
    port_set: portSetSummary(lease.pool, lease.psid),
    state: lease.state,
    client_id: lease.clientId,
    client_iaid: client.kind === "rfc4361" ? client.iaid : null,
    client_duid: client.kind === "rfc4361" ? client.duid.hex : null,
    hw_address: lease.hwAddress,
    ipv6_address: lease.ipv6Address,
    softwire_source: lease.softwireSource,
    started_at: lease.startedAt,
    expires_at: lease.expiresAt,
    quarantine_until: lease.quarantineUntil,
    last_transaction: lease.lastTransaction,
  };
}

/** Every lease matching the filter as RFC 4180 CSV, in id order. */
export function leasesCsv(db: Database, filter: LeaseFilter, options: ExportOptions = {}): ReadableStream<Uint8Array> {
  const where = leaseWhere(filter, options.now ?? new Date());
  return csvStream(chunksOf(db, where, options), LEASE_CSV_COLUMNS, leaseCsvRecord);
}

// --- binding table ---------------------------------------------------------------------------

/** RFC 8676 §7 `binding-entry` (ietf-softwire-br), keyed by binding-ipv6info. */
export interface BindingEntry {
  "binding-ipv6info": string;
  "binding-ipv4-addr": string;
  "port-set": { "psid-offset": number; "psid-len": number; psid: number };
  "br-ipv6-addr"?: string;
}

/** BOUND, unexpired, shared, with a softwire source (option 109): what the lwAFTR must forward for. */
export function bindingWhere(filter: LeaseFilter, now: Date): Prisma.LeaseWhereInput {
  return {
    AND: [leaseWhere(filter, now), { state: "BOUND", expiresAt: { gt: now }, softwireSource: true, ipv6Address: { not: null }, pool: { kind: "SHARED" } }],
  };
}

export function bindingEntry(lease: ExportLease): BindingEntry {
  const entry: BindingEntry = {
    "binding-ipv6info": lease.ipv6Address!,
    "binding-ipv4-addr": formatIpv4(Number(lease.address)),
    // protocol.md §6.4: the numeric PSID, not the left-aligned field of option 159.
    "port-set": { "psid-offset": lease.pool.psidOffset, "psid-len": lease.pool.psidLength, psid: lease.psid },
  };
  if (lease.pool.brAddress) entry["br-ipv6-addr"] = lease.pool.brAddress;
  return entry;
}

export const BINDING_CSV_COLUMNS = [
  "binding-ipv6info",
  "binding-ipv4-addr",
  "psid-offset",
  "psid-len",
  "psid",
  "br-ipv6-addr",
  "expires-at",
  "pool",
  "lease-id",
] as const;

function bindingCsvRecord(lease: ExportLease): Record<(typeof BINDING_CSV_COLUMNS)[number], unknown> {
  const entry = bindingEntry(lease);
  return {
    "binding-ipv6info": entry["binding-ipv6info"],
    "binding-ipv4-addr": entry["binding-ipv4-addr"],
    "psid-offset": entry["port-set"]["psid-offset"],
    "psid-len": entry["port-set"]["psid-len"],
    psid: entry["port-set"].psid,
    "br-ipv6-addr": entry["br-ipv6-addr"] ?? null,
    "expires-at": lease.expiresAt,
    pool: lease.pool.name,
    "lease-id": lease.id,
  };
}

/** The binding table as CSV (the YANG leaf names as header, plus expiry, pool and lease id). */
export function bindingsCsv(db: Database, filter: LeaseFilter, options: ExportOptions = {}): ReadableStream<Uint8Array> {
  return csvStream(chunksOf(db, bindingWhere(filter, options.now ?? new Date()), options), BINDING_CSV_COLUMNS, bindingCsvRecord);
}

/** The binding table as `{"binding-entry":[…]}`, one entry a line. */
export function bindingsJson(db: Database, filter: LeaseFilter, options: ExportOptions = {}): ReadableStream<Uint8Array> {
  return textStream(chunksOf(db, bindingWhere(filter, options.now ?? new Date()), options), {
    start: '{"binding-entry":[',
    chunk: (rows, index) => (index === 0 ? "\n" : ",\n") + rows.map((row) => JSON.stringify(bindingEntry(row))).join(",\n"),
    end: "\n]}\n",
  });
}

// --- file names ------------------------------------------------------------------------------

/** "portshare-leases-shared-a-2026-11-28.csv"; "all" when no pool is chosen. */
export function exportFileName(what: "leases" | "bindings", pool: string | undefined, extension: "csv" | "json", now: Date = new Date()): string {
  const safePool = (pool ?? "all").replace(/[^A-Za-z0-9._-]/g, "_");
  return `portshare-${what}-${safePool}-${now.toISOString().slice(0, 10)}.${extension}`;
}
