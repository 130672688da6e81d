"use client";

import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type SortingState } from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { formatUtc } from "@/components/format/time";
import { LeaseStateBadge } from "@/components/leases/lease-state";
import { PortSetText } from "@/components/leases/port-set-text";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { RouterOutputs } from "../../_trpc/types";
import { leaseHref, type LeaseQuery } from "./lease-links";

export type LeaseRow = RouterOutputs["leases"]["list"]["rows"][number];

// TanStack Table in manual mode: the server has already filtered, sorted and paged the rows;
// the table keeps the sort state (from the URL) and says what a header click asks for next.
// Sorting is a link, so it works before hydration, from the keyboard, and lands in the URL.
const features = tableFeatures({ rowSortingFeature });
const helper = createColumnHelper<typeof features, LeaseRow>();

const dim = <span className="text-ink-muted">—</span>;

const columns = helper.columns([
  helper.accessor("address", {
    id: "address",
    header: "Address",
    cell: ({ row }) => (
      <Link
        href={`/leases/${row.original.id}`}
        className="font-mono font-medium whitespace-nowrap text-accent underline-offset-2 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
        aria-label={`Lease ${row.original.address}${row.original.psid === null ? "" : ` PSID ${row.original.psid}`}, details`}
      >
        {row.original.address}
      </Link>
    ),
  }),
  helper.accessor("psid", {
    id: "psid",
    header: "PSID · ports",
    cell: ({ row }) =>
      row.original.psid === null ? (
        <span className="text-ink-muted">Whole address</span>
      ) : (
        <div className="w-44">
          <span className="font-mono font-medium tabular-nums">{row.original.psid}</span>
          {row.original.portSet && <PortSetText summary={row.original.portSet} className="block text-xs text-ink-muted" />}
        </div>
      ),
  }),
  helper.accessor("clientId", {
    id: "clientId",
    header: "Client ID",
    cell: ({ row }) => <ClientIdCell lease={row.original} />,
  }),
  helper.accessor("hwAddress", {
    id: "hwAddress",
    header: "MAC",
    cell: ({ row }) => (row.original.hwAddress ? <span className="font-mono text-xs whitespace-nowrap">{row.original.hwAddress}</span> : dim),
  }),
  helper.accessor("ipv6Address", {
    id: "ipv6Address",
    header: "IPv6",
    cell: ({ row }) =>
      row.original.ipv6Address ? (
        <span className="flex flex-wrap items-center gap-1.5">
          <span className="max-w-36 font-mono text-xs break-all">{row.original.ipv6Address}</span>
          {row.original.softwireSource && (
            <Badge tone="accent" className="px-1.5">
              <abbr title="RFC 8539 softwire source (DHCPv4 option 109)" className="no-underline">
                softwire
              </abbr>
            </Badge>
          )}
        </span>
      ) : (
        dim
      ),
  }),
  helper.accessor((lease) => lease.pool.name, {
    id: "pool",
    header: "Pool",
    cell: ({ row }) => <span className="whitespace-nowrap">{row.original.pool.name}</span>,
  }),
  helper.accessor("state", {
    id: "state",
    header: "State",
    cell: ({ row }) => (
      <span className="flex flex-col items-start gap-0.5">
        <LeaseStateBadge state={row.original.state} />
        {!row.original.live && (row.original.state === "BOUND" || row.original.state === "OFFERED") && <span className="text-xs text-ink-muted">expired</span>}
      </span>
    ),
  }),
  helper.accessor("startedAt", {
    id: "startedAt",
    header: "Start",
    cell: ({ row }) => <Time date={row.original.startedAt} />,
  }),
  helper.accessor("expiresAt", {
    id: "expiresAt",
    header: "Expiry",
    cell: ({ row }) => <Time date={row.original.expiresAt} />,
  }),
]);

/** Date over time, so the two time columns stay narrow. */
function Time({ date }: { date: Date }) {
  const [day, time] = formatUtc(date).split(" ");
  return (
    <time dateTime={date.toISOString()} className="flex flex-col text-xs whitespace-nowrap tabular-nums">
      <span>{day}</span> <span className="text-ink-muted">{time}</span>
    </time>
  );
}

/** Type 255 decoded (IAID + DUID, RFC 4361), hardware type + MAC, or the hex; the raw hex on hover. */
function ClientIdCell({ lease }: { lease: LeaseRow }) {
  const { client } = lease;
  if (client.kind === "rfc4361") {
    return (
      <span className="flex flex-col text-xs" title={lease.clientId}>
        <span className="whitespace-nowrap text-ink-muted">
          IAID <span className="font-mono text-ink">{client.iaid}</span> · {client.duid.typeName}
        </span>{" "}
        <span className="max-w-44 truncate font-mono whitespace-nowrap">{client.duid.short}</span>
      </span>
    );
  }
  if (client.kind === "hardware") {
    return (
      <span className="flex flex-col text-xs" title={lease.clientId}>
        <span className="text-ink-muted">hardware type {client.hardwareType}</span>{" "}
        <span className="font-mono whitespace-nowrap">{client.address}</span>
      </span>
    );
  }
  return (
    <span className="block max-w-48 truncate font-mono text-xs" title={lease.clientId}>
      {lease.clientId}
    </span>
  );
}

export interface LeaseTableProps {
  rows: LeaseRow[];
  /** The page's URL query; header links change its sort and keep the rest. */
  query: LeaseQuery;
  sort?: string;
  dir: "asc" | "desc";
}

export function LeaseTable({ rows, query, sort, dir }: LeaseTableProps) {
  const router = useRouter();
  const sorting = useMemo<SortingState>(() => (sort ? [{ id: sort, desc: dir === "desc" }] : []), [sort, dir]);
  const hrefFor = (next: SortingState) => leaseHref("/leases", query, { sort: next[0]?.id, dir: next[0] ? (next[0].desc ? "desc" : "asc") : undefined, page: undefined });

  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (row) => String(row.id),
    state: { sorting },
    onSortingChange: (updater) => router.push(hrefFor(typeof updater === "function" ? updater(sorting) : updater)),
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    sortDescFirst: false,
  });

  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">Leases{sort ? `, sorted by ${sort} ${dir === "asc" ? "ascending" : "descending"}` : ", newest first"}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} className="border-b border-line bg-surface-muted/60">
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const next = header.column.getNextSortingOrder();
                const label = String(header.column.columnDef.header);
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    className="px-2.5 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-ink-muted uppercase first:pl-5 last:pr-5"
                  >
                    {header.column.getCanSort() ? (
                      <Link
                        href={hrefFor([{ id: header.column.id, desc: next === "desc" }])}
                        scroll={false}
                        className={cn(
                          "-mx-1.5 inline-flex items-center gap-1 rounded px-1.5 py-0.5 uppercase hover:bg-surface-muted hover:text-ink",
                          "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-accent",
                          sorted && "text-ink",
                        )}
                        title={`Sort by ${label.toLowerCase()}, ${next === "desc" ? "descending" : "ascending"}`}
                      >
                        {label}
                        <SortMark sorted={sorted} />
                      </Link>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className="border-b border-line align-top last:border-b-0 hover:bg-surface-muted/40">
              {row.getAllCells().map((cell) => (
                <td key={cell.id} className="px-2.5 py-2.5 text-ink first:pl-5 last:pr-5">
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SortMark({ sorted }: { sorted: false | "asc" | "desc" }) {
  return (
    <span aria-hidden className={cn("inline-block w-3 text-center", !sorted && "opacity-40")}>
      {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
    </span>
  );
}
