import { z } from "zod";
import { createOperator, listOperators, resetPassword, updateOperator } from "../../auth/operators";
import { newOperatorInput, operatorPassword as password, operatorRole as role } from "../inputs/operator";
import { adminProcedure, router } from "../trpc";

const id = z.number({ error: "id must be a number" }).int().positive();

export const operatorsRouter = router({
  list: adminProcedure.query(({ ctx }) => listOperators(ctx.db)),

  create: adminProcedure
    .input(newOperatorInput)
    .mutation(({ ctx, input }) => createOperator(ctx.db, ctx.operator, input)),

  setRole: adminProcedure.input(z.object({ id, role })).mutation(({ ctx, input }) => updateOperator(ctx.db, ctx.operator, input.id, { role: input.role })),

  setDisabled: adminProcedure
    .input(z.object({ id, disabled: z.boolean({ error: "disabled must be true or false" }) }))
    .mutation(({ ctx, input }) => updateOperator(ctx.db, ctx.operator, input.id, { disabled: input.disabled })),

  resetPassword: adminProcedure
    .input(z.object({ id, password }))
    .mutation(async ({ ctx, input }) => {
      await resetPassword(ctx.db, ctx.operator, input.id, input.password);
      return { ok: true };
    }),
});
