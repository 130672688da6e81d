import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clearedSessionCookie, sessionCookie, signIn, signOut } from "../../auth/sessions";
import { publicProcedure, router } from "../trpc";

const signInInput = z.object({
  username: z.string().trim().min(1, "Username is required").max(64, "Username is at most 64 characters"),
  password: z.string().min(1, "Password is required").max(256, "Password is at most 256 characters"),
});

export const authRouter = router({
  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const session = await signIn(ctx.db, input.username, input.password);
    if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong username or password, or the account is disabled" });
    ctx.resHeaders?.append("set-cookie", sessionCookie(session.token, session.expiresAt, ctx.secure));
    return session.operator;
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    await signOut(ctx.db, ctx.sessionToken);
    ctx.resHeaders?.append("set-cookie", clearedSessionCookie());
    return { ok: true };
  }),

  me: publicProcedure.query(({ ctx }) => ctx.operator),
});
