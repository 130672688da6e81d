import { z } from "zod";
import { revokeLease } from "../../alloc/revoke";
import { adminProcedure, viewerProcedure, router } from "../trpc";

const listInput = z.object({
  page: z.number({ error: "page must be a number" }).int().min(1, "page starts at 1").default(1),
  pageSize: z.number({ error: "pageSize must be a number" }).int().min(1).max(500, "pageSize is at most 500").default(50),
});

export const leasesRouter = router({
  list: viewerProcedure.input(listInput).query(async ({ ctx, input }) => {
    const [total, rows] = await Promise.all([
      ctx.db.lease.count(),
      ctx.db.lease.findMany({
        orderBy: { id: "desc" },
        skip: (input.page - 1) * input.pageSize,
        take: input.pageSize,
        include: { pool: { select: { name: true, kind: true } } },
      }),
    ]);
    return { total, rows };
  }),

  /** Revokes one live lease (admin); the slot is quarantined, the client NAKed on renewal. */
  revoke: adminProcedure
    .input(
      z.object({
        id: z.number({ error: "id must be a lease id" }).int().positive("id must be a lease id"),
        reason: z.string().trim().max(200, "Reason is at most 200 characters").optional(),
      }),
    )
    .mutation(({ ctx, input }) => revokeLease(ctx.db, ctx.operator, input.id, input.reason)),
});
