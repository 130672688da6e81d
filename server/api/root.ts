import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { dashboardRouter } from "./routers/dashboard";
import { heatmapRouter } from "./routers/heatmap";
import { leasesRouter } from "./routers/leases";
import { operatorsRouter } from "./routers/operators";
import { poolsRouter } from "./routers/pools";
import { createCallerFactory, router } from "./trpc";

/** The console's API: one router per entity, composed here (create-t3-app's shape). */
export const appRouter = router({
  auth: authRouter,
  dashboard: dashboardRouter,
  pools: poolsRouter,
  heatmap: heatmapRouter,
  leases: leasesRouter,
  operators: operatorsRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (RSC pages, tests). */
export const createCaller = createCallerFactory(appRouter);
