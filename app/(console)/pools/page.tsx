import type { Metadata } from "next";
import Link from "next/link";
import { formatIPv4Range, countIPv4Range } from "@/components/format/ipv4";
import { formatSeconds } from "@/components/format/duration";
import { humanize, plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { UtilizationBar } from "@/components/ui/utilization-bar";
import { requireOperator, signedInCaller } from "../../_auth/session";
import type { RouterOutputs } from "../../_trpc/types";
import { stringParam, type SearchParams } from "../_lib/search-params";
import { SECTIONS } from "../_lib/sections";
import { PoolActions } from "./_components/pool-actions";
import { PoolNoticeOutlet, PoolNotices } from "./_components/pool-notices";

export const metadata: Metadata = { title: "Pools" };

type Pool = RouterOutputs["pools"]["list"][number];
type Usage = RouterOutputs["dashboard"]["pools"]["pools"][number];
type Thresholds = RouterOutputs["dashboard"]["pools"]["thresholds"];
type Row = Pool & { usage: Usage | undefined };

const linkClass = (extra: string) =>
  `${extra} text-accent underline-offset-2 hover:underline rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent`;

function columns(canEdit: boolean, thresholds: Thresholds): Column<Row>[] {
  const list: Column<Row>[] = [
    {
      header: "Name",
      cell: (pool) => (
        <>
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <Link href={`/pools/${pool.id}`} className={linkClass("font-medium whitespace-nowrap")}>
              {pool.name}
            </Link>
            {!pool.enabled && <Badge>Disabled</Badge>}
          </span>
          <Link href={`/pools/${pool.id}/heatmap`} className={linkClass("text-xs")} aria-label={`Heat map of ${pool.name}`}>
            Heat map
          </Link>
        </>
      ),
    },
    { header: "Kind", cell: (pool) => <Badge tone={pool.kind === "SHARED" ? "accent" : "neutral"}>{humanize(pool.kind)}</Badge> },
    {
      header: "Range",
      cell: (pool) => (
        <>
          <span className="font-mono">{formatIPv4Range(pool.firstAddress, pool.lastAddress)}</span>
          <span className="block text-xs text-ink-muted">{plural(countIPv4Range(pool.firstAddress, pool.lastAddress), "address", "addresses")}</span>
        </>
      ),
    },
    {
      // RFC 7597 §5.1: offset a bits, then the PSID of length k bits, in every port number.
      header: "PSID offset / length",
      cell: (pool) =>
        pool.kind === "SHARED" ? (
          <>
            <span className="tabular-nums whitespace-nowrap">{`a = ${pool.psidOffset}, k = ${pool.psidLength}`}</span>
            <span className="block text-xs whitespace-nowrap text-ink-muted">{`${(2 ** pool.psidLength).toLocaleString("en-US")} per address`}</span>
          </>
        ) : (
          <span className="text-ink-muted">—</span>
        ),
    },
    { header: "Lease time", cell: (pool) => <span className="whitespace-nowrap">{formatSeconds(pool.leaseTime)}</span> },
    { header: "Live leases", align: "right", cell: (pool) => pool.liveLeases.toLocaleString("en-US") },
    {
      header: "Utilization",
      className: "min-w-40",
      cell: (pool) => (
        <>
          <UtilizationBar value={pool.usage?.utilization ?? 0} thresholds={thresholds} label={`${pool.name} utilization`} />
          <span className="block text-xs whitespace-nowrap text-ink-muted" title={pool.kind === "SHARED" ? "Port sets in use / capacity" : "Addresses in use / capacity"}>
            {(pool.usage?.inUse ?? 0).toLocaleString("en-US")} / {pool.capacity.toLocaleString("en-US")} {pool.kind === "SHARED" ? "port sets" : "addresses"}
          </span>
        </>
      ),
    },
  ];
  if (canEdit) list.push({ header: "Actions", cell: (pool) => <PoolActions pool={{ id: pool.id, name: pool.name, enabled: pool.enabled }} afterDelete="list" /> });
  return list;
}

export default async function PoolsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const operator = await requireOperator();
  const caller = await signedInCaller();
  const [pools, usage, params] = await Promise.all([caller.pools.list(), caller.dashboard.pools(), searchParams]);
  const usageById = new Map(usage.pools.map((entry) => [entry.id, entry]));
  const rows: Row[] = pools.map((pool) => ({ ...pool, usage: usageById.get(pool.id) }));
  const canEdit = operator.role === "ADMIN";
  const deleted = stringParam(params, "deleted");
  return (
    <>
      <PageHeader
        title={SECTIONS.pools.title}
        description={SECTIONS.pools.description}
        actions={
          canEdit ? (
            <Link href="/pools/new" className={buttonClasses("primary")}>
              New pool
            </Link>
          ) : undefined
        }
      />
      {deleted && (
        <Alert tone="success" className="mb-4">
          Pool &ldquo;{deleted}&rdquo; was deleted.
        </Alert>
      )}
      <PoolNotices>
        <PoolNoticeOutlet className="mb-4" />
        <Card>
          <DataTable
            caption="Address pools"
            columns={columns(canEdit, usage.thresholds)}
            rows={rows}
            rowKey={(pool) => pool.id}
            empty={
              <EmptyState
                title="No pools yet"
                action={
                  canEdit ? (
                    <Link href="/pools/new" className={buttonClasses("secondary", "sm")}>
                      Create a pool
                    </Link>
                  ) : undefined
                }
              >
                A pool is a range of IPv4 addresses the 4o6 server hands out, each whole (dedicated) or shared between subscribers by port set. Until
                one exists, no client gets an address.
              </EmptyState>
            }
          />
        </Card>
      </PoolNotices>
    </>
  );
}
