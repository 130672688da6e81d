import type { Metadata } from "next";
import { formatIPv4Range, countIPv4Range } from "@/components/format/ipv4";
import { formatSeconds } from "@/components/format/duration";
import { humanize, plural } from "@/components/format/words";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { signedInCaller } from "../../_auth/session";
import type { RouterOutputs } from "../../_trpc/types";
import { SECTIONS } from "../_lib/sections";

export const metadata: Metadata = { title: "Pools" };

type Pool = RouterOutputs["pools"]["list"][number];

const columns: Column<Pool>[] = [
  { header: "Name", cell: (pool) => <span className="font-medium">{pool.name}</span> },
  { header: "Kind", cell: (pool) => <Badge tone={pool.kind === "SHARED" ? "accent" : "neutral"}>{humanize(pool.kind)}</Badge> },
  {
    header: "Range",
    cell: (pool) => (
      <>
        <span className="font-mono whitespace-nowrap">{formatIPv4Range(pool.firstAddress, pool.lastAddress)}</span>
        <span className="block text-xs text-ink-muted">{plural(countIPv4Range(pool.firstAddress, pool.lastAddress), "address", "addresses")}</span>
      </>
    ),
  },
  {
    // RFC 7597 §5.1: offset a bits, then the PSID of length k bits, in every port number.
    header: "PSID offset / length",
    cell: (pool) => (pool.kind === "SHARED" ? <span className="tabular-nums">{`a = ${pool.psidOffset}, k = ${pool.psidLength}`}</span> : <span className="text-ink-muted">—</span>),
  },
  { header: "Lease time", cell: (pool) => formatSeconds(pool.leaseTime) },
  { header: "Live leases", align: "right", cell: (pool) => pool.liveLeases.toLocaleString("en-US") },
  { header: "Enabled", cell: (pool) => (pool.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>) },
];

export default async function PoolsPage() {
  const pools = await (await signedInCaller()).pools.list();
  return (
    <>
      <PageHeader title={SECTIONS.pools.title} description={SECTIONS.pools.description} />
      <Card>
        <DataTable
          caption="Address pools"
          columns={columns}
          rows={pools}
          rowKey={(pool) => pool.id}
          empty={
            <EmptyState title="No pools yet">
              A pool is a range of IPv4 addresses the 4o6 server hands out, each whole (dedicated) or shared between subscribers by port set. Until
              one exists, no client gets an address.
            </EmptyState>
          }
        />
      </Card>
    </>
  );
}
