import { countsByLabel, metrics } from "../../metrics/registry";
import { checkHealth } from "../health";
import { viewerProcedure, router } from "../trpc";

export const dashboardRouter = router({
  summary: viewerProcedure.query(async ({ ctx }) => {
    const [pools, leaseStates, health] = await Promise.all([
      ctx.db.pool.groupBy({ by: ["kind"], _count: { _all: true } }),
      ctx.db.lease.groupBy({ by: ["state"], _count: { _all: true } }),
      checkHealth(),
    ]);
    const m = metrics();
    return {
      pools: Object.fromEntries(pools.map((p) => [p.kind, p._count._all])) as Partial<Record<"SHARED" | "DEDICATED", number>>,
      leases: Object.fromEntries(leaseStates.map((l) => [l.state, l._count._all])) as Partial<Record<string, number>>,
      health,
      packets: {
        received: await countsByLabel(m.packetsReceived, "type"),
        sent: await countsByLabel(m.packetsSent, "type"),
        dropped: await countsByLabel(m.packetsDropped, "reason"),
      },
    };
  }),
});
