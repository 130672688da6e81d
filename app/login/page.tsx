import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/ui/logo";
import { currentOperator } from "../_auth/session";
import { safeNextPath } from "../_auth/next-path";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(Array.isArray(next) ? next[0] : next);
  // Already signed in (a bookmark, the back button): carry on to where the operator was going.
  if (await currentOperator()) redirect(target);

  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <Logo className="justify-center text-2xl" />
          <p className="mt-1 text-sm text-ink-muted">DHCPv4-over-DHCPv6 operator console</p>
        </div>
        <div className="rounded-lg border border-line bg-surface p-6 shadow-sm dark:shadow-none">
          <h1 className="mb-4 text-lg font-semibold text-ink">Sign in</h1>
          <LoginForm next={target} />
        </div>
      </div>
    </main>
  );
}
