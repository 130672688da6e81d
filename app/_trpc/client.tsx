"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { loginPath } from "../_auth/next-path";
import { codeOf } from "./errors";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

let signingOut = false;

/**
 * Set by the sign-out button while it signs out: a refresh that was on its way (the dashboard
 * polls) then fails with UNAUTHORIZED as expected, and must not send the operator to the login
 * page with a "come back here" path before the sign-out's own redirect to /login.
 */
export function setSigningOut(value: boolean) {
  signingOut = value;
}

/**
 * A call refused with UNAUTHORIZED means the session ended while the page was open (signed out
 * in another tab, disabled or demoted by an admin, expired): go to the login page, and come
 * back here afterwards. The login form's own "wrong password" error stays in the form.
 */
function onSessionEnded(error: unknown) {
  if (signingOut || codeOf(error) !== "UNAUTHORIZED" || window.location.pathname === "/login") return;
  window.location.assign(loginPath(window.location.pathname + window.location.search));
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: onSessionEnded }),
        mutationCache: new MutationCache({ onError: onSessionEnded }),
        defaultOptions: {
          // Retrying a refused call (401, 403, a bad input) cannot succeed; retry only the rest once.
          queries: { staleTime: 5_000, retry: (failures, error) => failures < 1 && !codeOf(error)?.match(/UNAUTHORIZED|FORBIDDEN|BAD_REQUEST|NOT_FOUND/) },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
