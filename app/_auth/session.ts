import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getCaller } from "../_trpc/server";
import { loginPath, REQUESTED_PATH_HEADER } from "./next-path";

/** The signed-in operator of this request, or null. Asked once per request (React cache). */
export const currentOperator = cache(async () => (await getCaller()).auth.me());

export type Operator = NonNullable<Awaited<ReturnType<typeof currentOperator>>>;

/**
 * The signed-in operator; redirects to the login page (which brings the operator back here)
 * when there is none. The console layout calls it, and so does every console page: on a
 * client-side navigation Next renders the page without the layout, and the session may have
 * ended in between (sign-out elsewhere, an admin disabled the account).
 */
export async function requireOperator(): Promise<Operator> {
  const operator = await currentOperator();
  if (!operator) redirect(loginPath((await headers()).get(REQUESTED_PATH_HEADER) ?? "/"));
  return operator;
}

/** The tRPC API as the signed-in operator, for console pages. */
export async function signedInCaller() {
  await requireOperator();
  return getCaller();
}
