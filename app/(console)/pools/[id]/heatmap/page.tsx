import type { Metadata } from "next";
import { humanize } from "@/components/format/words";
import { PageHeader } from "@/components/ui/page-header";
import { requireOperator } from "../../../../_auth/session";
import { loadPool } from "../../_components/load-pool";
import { PoolBreadcrumb } from "../../_components/pool-breadcrumb";
import { HeatmapView } from "./heatmap-view";

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Heat map of pool ${id}` };
}

/** The PSID heat map of one pool (protocol.md §10): every slot's state, from the whole pool down to one port set. */
export default async function PoolHeatmapPage({ params }: { params: Params }) {
  const { id } = await params;
  await requireOperator();
  const { pool } = await loadPool(id);
  const shared = pool.kind === "SHARED";
  return (
    <>
      <PoolBreadcrumb pool={pool} current="Heat map" />
      <PageHeader
        title={`Heat map: ${pool.name}`}
        description={
          shared
            ? `${humanize(pool.kind)} pool ${pool.range}: every address × PSID (a = ${pool.psidOffset}, k = ${pool.psidLength}), refreshed every few seconds.`
            : `${humanize(pool.kind)} pool ${pool.range}: every address, refreshed every few seconds.`
        }
      />
      <HeatmapView poolId={pool.id} />
    </>
  );
}
