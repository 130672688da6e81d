import { z } from "zod";
import { auditFilterChoices } from "../../audit/audit-query";
import { viewerProcedure, router } from "../trpc";

const listInput = z.object({
  actor: z.string().trim().max(64, "Operator filter is at most 64 characters").optional(),
  action: z.string().trim().max(64, "Action filter is at most 64 characters").optional(),
  page: z.number({ error: "page must be a number" }).int().min(1, "page starts at 1").default(1),
  pageSize: z.number({ error: "pageSize must be a number" }).int().min(1).max(200, "pageSize is at most 200").default(50),
});

export const auditRouter = router({
  list: viewerProcedure.input(listInput).query(async ({ ctx, input }) => {
    const where = {
      ...(input.actor ? { actor: input.actor } : {}),
      ...(input.action ? { action: { startsWith: input.action } } : {}),
    };
    const [total, rows] = await Promise.all([
      ctx.db.auditLog.count({ where }),
      ctx.db.auditLog.findMany({ where, orderBy: { id: "desc" }, skip: (input.page - 1) * input.pageSize, take: input.pageSize }),
    ]);
    return { total, rows };
  }),

  /** The operators and actions the log holds, for the audit page's filter menus. */
  filters: viewerProcedure.query(({ ctx }) => auditFilterChoices(ctx.db)),
});
