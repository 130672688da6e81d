import type { Metadata } from "next";
import Link from "next/link";
import { humanize, plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { Stat } from "@/components/ui/stat";
import { formatPercent, UtilizationBar } from "@/components/ui/utilization-bar";
import { requireOperator, signedInCaller } from "../../../_auth/session";
import { stringParam, type SearchParams } from "../../_lib/search-params";
import { loadPool } from "../_components/load-pool";
import { PoolActions } from "../_components/pool-actions";
import { PoolBreadcrumb } from "../_components/pool-breadcrumb";
import { PoolEditor } from "../_components/pool-editor";
import { PoolNoticeOutlet, PoolNotices } from "../_components/pool-notices";

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Pool ${id}` };
}

/** One pool: how full it is, its settings (a form for admins, read-only for viewers) and its actions. */
export default async function PoolPage({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const operator = await requireOperator();
  const { pool, input } = await loadPool(id);
  const usage = await (await signedInCaller()).dashboard.pools();
  const mine = usage.pools.find((entry) => entry.id === pool.id);
  const canEdit = operator.role === "ADMIN";
  const created = stringParam(await searchParams, "created");
  const shared = pool.kind === "SHARED";

  return (
    <PoolNotices>
      <PoolBreadcrumb pool={pool} />
      <PageHeader
        title={pool.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <Badge tone={shared ? "accent" : "neutral"}>{humanize(pool.kind)}</Badge>
            {pool.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
            <span className="font-mono">{pool.range}</span>
            {shared && <span className="tabular-nums">{`a = ${pool.psidOffset}, k = ${pool.psidLength}`}</span>}
          </span>
        }
        actions={
          <div className="flex flex-wrap items-start gap-2">
            <Link href={`/pools/${pool.id}/heatmap`} className={buttonClasses("secondary")}>
              PSID heat map
            </Link>
            {canEdit && <PoolActions pool={{ id: pool.id, name: pool.name, enabled: pool.enabled }} afterDelete="list" size="md" />}
          </div>
        }
      />
      <PoolNoticeOutlet className="mb-4" />
      {created && (
        <Alert tone="success" className="mb-4">
          Pool &ldquo;{pool.name}&rdquo; was created{pool.enabled ? " and serves clients now" : ""}.
        </Alert>
      )}
      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Live leases" value={pool.liveLeases.toLocaleString("en-US")} detail={mine ? `${mine.bound.toLocaleString("en-US")} bound · ${mine.offered.toLocaleString("en-US")} offered` : undefined} />
        <Stat label="Quarantined" value={pool.quarantinedLeases.toLocaleString("en-US")} detail="Revoked or declined, held back" />
        <Stat label="Capacity" value={pool.capacity.toLocaleString("en-US")} detail={shared ? plural(pool.capacity, "port set") : plural(pool.capacity, "address", "addresses")} />
        <Stat
          label="Utilization"
          value={formatPercent(mine?.utilization ?? 0)}
          detail={<UtilizationBar value={mine?.utilization ?? 0} thresholds={usage.thresholds} label={`${pool.name} utilization`} showValue={false} className="h-5" />}
        />
      </div>
      <PoolEditor poolId={pool.id} initialInput={input} canEdit={canEdit} />
    </PoolNotices>
  );
}
