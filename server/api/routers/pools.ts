import { viewerProcedure, router } from "../trpc";

export const poolsRouter = router({
  /** Every pool with its live lease count, in name order. */
  list: viewerProcedure.query(async ({ ctx }) => {
    const [pools, live] = await Promise.all([
      ctx.db.pool.findMany({ orderBy: { name: "asc" } }),
      ctx.db.lease.groupBy({ by: ["poolId"], where: { state: { in: ["OFFERED", "BOUND"] } }, _count: { _all: true } }),
    ]);
    const liveByPool = new Map(live.map((row) => [row.poolId, row._count._all]));
    return pools.map((pool) => ({ ...pool, liveLeases: liveByPool.get(pool.id) ?? 0 }));
  }),
});
