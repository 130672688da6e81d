import type { Metadata } from "next";
import { formatIPv4 } from "@/components/format/ipv4";
import { formatUtc } from "@/components/format/time";
import { LeaseStateBadge } from "@/components/leases/lease-state";
import { Card } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { signedInCaller } from "../../_auth/session";
import type { RouterOutputs } from "../../_trpc/types";
import { pageParam, type SearchParams } from "../_lib/search-params";
import { SECTIONS } from "../_lib/sections";

export const metadata: Metadata = { title: "Leases" };

const PAGE_SIZE = 50;

type Lease = RouterOutputs["leases"]["list"]["rows"][number];

const columns: Column<Lease>[] = [
  {
    header: "Address",
    cell: (lease) => (
      <span className="font-mono whitespace-nowrap">
        {formatIPv4(lease.address)}
        {/* A shared pool's slot is the address and a PSID (a port set); a dedicated one is the address alone. */}
        {lease.pool.kind === "SHARED" && <span className="text-ink-muted"> · PSID {lease.psid}</span>}
      </span>
    ),
  },
  { header: "Pool", cell: (lease) => lease.pool.name },
  { header: "State", cell: (lease) => <LeaseStateBadge state={lease.state} /> },
  {
    header: "Client ID",
    cell: (lease) => (
      <span className="block max-w-48 truncate font-mono text-xs" title={lease.clientId}>
        {lease.clientId}
      </span>
    ),
  },
  { header: "Client IPv6", cell: (lease) => <span className="font-mono text-xs">{lease.ipv6Address ?? "—"}</span> },
  { header: "Expires (UTC)", cell: (lease) => <time dateTime={lease.expiresAt.toISOString()} className="whitespace-nowrap tabular-nums">{formatUtc(lease.expiresAt)}</time> },
];

export default async function LeasesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const page = pageParam(await searchParams);
  const { total, rows } = await (await signedInCaller()).leases.list({ page, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader title={SECTIONS.leases.title} description={SECTIONS.leases.description} />
      <Card>
        <DataTable
          caption="Leases"
          columns={columns}
          rows={rows}
          rowKey={(lease) => lease.id}
          empty={
            total === 0 ? (
              <EmptyState title="No leases yet">A lease appears here when a client is offered an address from one of the pools.</EmptyState>
            ) : (
              <EmptyState title={`There is no page ${page}`}>The list has fewer leases than that; go back to an earlier page.</EmptyState>
            )
          }
        />
        {total > 0 && <Pagination page={page} pageSize={PAGE_SIZE} total={total} path="/leases" />}
      </Card>
    </>
  );
}
