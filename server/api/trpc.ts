import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { ConfirmationNeeded } from "../alloc/pools";
import { operatorForToken, sessionTokenFrom, type SignedInOperator } from "../auth/sessions";
import { getDatabase, type Database } from "../db";
import { RuleError } from "../errors/rule-error";

export interface Context {
  db: Database;
  operator: SignedInOperator | null;
  sessionToken: string | undefined;
  /** Response headers (Set-Cookie on sign-in and sign-out); absent for server-side callers. */
  resHeaders?: Headers;
  /** Whether the request came over HTTPS (Secure cookies). */
  secure: boolean;
}

export async function createContext(opts: { headers: Headers; resHeaders?: Headers }): Promise<Context> {
  const db = await getDatabase();
  const sessionToken = sessionTokenFrom(opts.headers.get("cookie"));
  return {
    db,
    sessionToken,
    operator: await operatorForToken(db, sessionToken),
    resHeaders: opts.resHeaders,
    secure: opts.headers.get("x-forwarded-proto") === "https",
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Field-level messages for forms: { fieldErrors: { psidLength: "..." } }.
    const cause = error.cause;
    const fieldErrors =
      cause instanceof ZodError
        ? Object.fromEntries(cause.issues.map((issue) => [issue.path.join("."), issue.message]))
        : cause instanceof RuleError && cause.field
          ? { [cause.field]: cause.message }
          : undefined;
    // A change refused until confirmed (server/alloc/pools.ts) says how many live leases it would revoke.
    const affectedLeases = cause instanceof ConfirmationNeeded ? cause.affectedLeases : undefined;
    return { ...shape, data: { ...shape.data, fieldErrors, affectedLeases } };
  },
});

const ruleErrorCodes = { invalid: "BAD_REQUEST", "not-found": "NOT_FOUND", conflict: "CONFLICT" } as const;

/**
 * Input validation failures become 400 with "field: message" text, and domain rule violations
 * 400/404/409 with the rule's message, never 500. Placed before `.input()`, so it sees both.
 */
const readableErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof ZodError) {
    const message = cause.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
    throw new TRPCError({ code: "BAD_REQUEST", message, cause });
  }
  if (cause instanceof RuleError) throw new TRPCError({ code: ruleErrorCodes[cause.kind], message: cause.message, cause });
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(readableErrors);

/** Any signed-in operator (viewer or admin). */
export const viewerProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.operator) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, operator: ctx.operator } });
});

/** Admins only; a viewer gets 403 FORBIDDEN, whatever the UI shows. */
export const adminProcedure = viewerProcedure.use(({ ctx, next }) => {
  if (ctx.operator.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "This action needs the admin role" });
  return next({ ctx });
});
