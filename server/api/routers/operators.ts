import { z } from "zod";
import { createOperator, listOperators, resetPassword, updateOperator } from "../../auth/operators";
import { adminProcedure, router } from "../trpc";

const username = z
  .string()
  .trim()
  .min(2, "Username must be at least 2 characters")
  .max(64, "Username is at most 64 characters")
  .regex(/^[a-zA-Z0-9._-]+$/, "Username may use letters, digits, dot, dash and underscore");
const password = z.string().min(10, "Password must be at least 10 characters").max(256, "Password is at most 256 characters");
const role = z.enum(["ADMIN", "VIEWER"], { error: "Role must be ADMIN or VIEWER" });
const id = z.number({ error: "id must be a number" }).int().positive();

export const operatorsRouter = router({
  list: adminProcedure.query(({ ctx }) => listOperators(ctx.db)),

  create: adminProcedure
    .input(z.object({ username, password, role }))
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
