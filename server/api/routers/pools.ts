import { z } from "zod";
import {
  describePoolPlan,
  formatAddressRange,
  poolFieldErrors,
  poolFieldsSchema,
  poolInputSchema,
  poolSlotCapacity,
  poolToInput,
  reportPoolIssues,
  resolvePoolFields,
  type PoolInput,
  type PoolPlan,
} from "../../alloc/pool-spec";
import { createPool, deletePool, getPool, listPoolSummaries, poolLeaseCounts, setPoolEnabled, updatePool } from "../../alloc/pools";
import { adminProcedure, router, viewerProcedure } from "../trpc";

// Pools: the rules live in server/alloc (pool-spec.ts validates, pools.ts writes); this router
// only checks who may call and hands over.

const id = z.number({ error: "id must be a number" }).int("id must be a whole number").positive("id must be positive");
const confirm = z.boolean({ error: "confirm must be true or false" }).optional();

/** The pool form's fields plus the pool id and the confirmation; field errors keep the form's paths. */
const updateInput = poolFieldsSchema.extend({ id, confirm }).transform((input, ctx) => {
  const { id: poolId, confirm: confirmed, ...fields } = input;
  const resolution = resolvePoolFields(fields);
  if (!resolution.ok) {
    reportPoolIssues(resolution.issues, ctx);
    return z.NEVER;
  }
  return { id: poolId, confirm: confirmed ?? false, spec: resolution.spec };
});

/** Whatever the form holds while the operator types: checked in the procedure, never refused. */
const draft = z.custom<Partial<PoolInput>>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "The preview takes the pool form's values");

export type PoolPreview = { ok: true; plan: PoolPlan } | { ok: false; fieldErrors: Record<string, string> };

export const poolsRouter = router({
  /** Every pool in name order, with capacity and live / quarantined lease counts. */
  list: viewerProcedure.query(({ ctx }) => listPoolSummaries(ctx.db)),

  /** One pool, its form values for editing, its plan and its lease counts. */
  get: viewerProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const pool = await getPool(ctx.db, input.id);
    const counts = await poolLeaseCounts(ctx.db, pool.id);
    return { pool: { ...pool, range: formatAddressRange(pool), capacity: poolSlotCapacity(pool), ...counts }, input: poolToInput(pool), plan: describePoolPlan(pool) };
  }),

  /** The live preview: capacity figures for valid input, else the messages per field. */
  preview: viewerProcedure.input(draft).query(({ input }): PoolPreview => {
    const parsed = poolInputSchema.safeParse(input);
    return parsed.success ? { ok: true, plan: describePoolPlan(parsed.data) } : { ok: false, fieldErrors: poolFieldErrors(parsed.error) };
  }),

  create: adminProcedure.input(poolInputSchema).mutation(({ ctx, input }) => createPool(ctx.db, ctx.operator, input)),

  /** Replaces the definition; needs `confirm` when live leases would be revoked. */
  update: adminProcedure.input(updateInput).mutation(({ ctx, input }) => updatePool(ctx.db, ctx.operator, input.id, input.spec, { confirm: input.confirm })),

  setEnabled: adminProcedure
    .input(z.object({ id, enabled: z.boolean({ error: "enabled must be true or false" }) }))
    .mutation(({ ctx, input }) => setPoolEnabled(ctx.db, ctx.operator, input.id, input.enabled)),

  /** Deletes the pool, or disables it while slots are quarantined; needs `confirm` when live leases would be revoked. */
  delete: adminProcedure.input(z.object({ id, confirm })).mutation(({ ctx, input }) => deletePool(ctx.db, ctx.operator, input.id, { confirm: input.confirm })),
});
