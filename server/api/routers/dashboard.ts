import { z } from "zod";
import { poolUsage, utilizationThresholds } from "../../alloc/pool-usage";
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

  /**
   * Every pool's slots in use against its capacity, nearest exhaustion first, with the warning
   * and critical thresholds (UTILIZATION_WARN / UTILIZATION_CRITICAL, default 80 % and 90 %).
   */
  pools: viewerProcedure.query(async ({ ctx }) => {
    const thresholds = utilizationThresholds();
    return { thresholds, pools: await poolUsage(ctx.db, thresholds) };
  }),

  /** Offers, ACKs, NAKs and drops per minute over the last `minutes`, all workers added up; empty minutes are zeros. */
  traffic: viewerProcedure
    .input(z.object({ minutes: z.number({ error: "minutes must be a number" }).int().min(5, "minutes is at least 5").max(1440, "minutes is at most 1440").default(60) }).default({ minutes: 60 }))
    .query(async ({ ctx, input }) => {
      const end = Math.floor(Date.now() / 60_000) * 60_000;
      const start = end - (input.minutes - 1) * 60_000;
      const rows = await ctx.db.trafficMinute.groupBy({
        by: ["minute"],
        where: { minute: { gte: new Date(start) } },
        _sum: { offers: true, acks: true, naks: true, drops: true },
      });
      const byMinute = new Map(rows.map((r) => [r.minute.getTime(), r._sum]));
      return Array.from({ length: input.minutes }, (_, i) => {
        const minute = start + i * 60_000;
        const sum = byMinute.get(minute);
        return { minute: new Date(minute), offers: sum?.offers ?? 0, acks: sum?.acks ?? 0, naks: sum?.naks ?? 0, drops: sum?.drops ?? 0 };
      });
    }),
});
