import { z } from "zod";
import { leaseFilterSchema, leaseListSchema } from "../../alloc/lease-filter";
import { countRevocable, getLeaseDetail, leasePoolChoices, listLeases } from "../../alloc/lease-query";
import { revokeLease, revokeMatching } from "../../alloc/revoke";
import { adminProcedure, viewerProcedure, router } from "../trpc";

// Leases: search, detail and revocation live in server/alloc (lease-filter.ts parses the
// filter, lease-query.ts reads, revoke.ts writes); this router checks who may call and hands over.

const id = z.number({ error: "id must be a lease id" }).int("id must be a lease id").positive("id must be a lease id");
const reason = z.string({ error: "Reason must be text" }).trim().max(200, "Reason is at most 200 characters").optional();

export const leasesRouter = router({
  /** One page of leases: filtered (search, pool, state), sorted and paged in the database. */
  list: viewerProcedure.input(leaseListSchema).query(({ ctx, input }) => listLeases(ctx.db, input)),

  /** One lease with its port ranges, relay chain, decoded client id and full history. */
  get: viewerProcedure.input(z.object({ id })).query(({ ctx, input }) => getLeaseDetail(ctx.db, input.id)),

  /** The pools the lease filter offers. */
  pools: viewerProcedure.query(({ ctx }) => leasePoolChoices(ctx.db)),

  /** How many live leases match the filter (what "revoke matching" would revoke) and their quarantine. */
  revocable: viewerProcedure.input(leaseFilterSchema).query(({ ctx, input }) => countRevocable(ctx.db, input)),

  /** Revokes one live lease (admin); the slot is quarantined, the client NAKed on renewal. */
  revoke: adminProcedure
    .input(z.object({ id, reason }))
    .mutation(({ ctx, input }) => revokeLease(ctx.db, ctx.operator, input.id, input.reason)),

  /**
   * Revokes every live lease matching the filter (admin). `expectedCount` is the count the
   * operator confirmed; a different count now is refused with CONFLICT, to be confirmed again.
   */
  revokeMatching: adminProcedure
    .input(
      z.object({
        filter: leaseFilterSchema,
        expectedCount: z.number({ error: "expectedCount must be the number of leases confirmed" }).int("expectedCount must be a whole number").min(0, "expectedCount cannot be negative"),
        reason,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { ids, ...result } = await revokeMatching(ctx.db, ctx.operator, input.filter, input.expectedCount, input.reason);
      return { ...result, firstIds: ids.slice(0, 100) };
    }),
});
