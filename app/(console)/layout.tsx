import Link from "next/link";
import type { ReactNode } from "react";
import { humanize } from "@/components/format/words";
import { Badge } from "@/components/ui/badge";
import { Logo } from "@/components/ui/logo";
import { Nav } from "@/components/ui/nav";
import { requireOperator } from "../_auth/session";
import { NAV_ITEMS } from "./_lib/sections";
import { SignOutButton } from "./sign-out-button";

/** Every console page: signed-in operators only, with the section nav and who is signed in. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator();

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only rounded-md bg-accent px-3 py-2 text-sm font-medium text-accent-ink focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10"
      >
        Skip to content
      </a>
      <header className="border-b border-line bg-surface">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3 sm:px-6">
          <Link href="/" className="rounded-md focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-accent">
            <Logo className="text-base" />
          </Link>
          <div className="order-last w-full sm:order-none sm:w-auto sm:flex-1">
            <Nav items={NAV_ITEMS} />
          </div>
          <div className="ml-auto flex items-center gap-3 sm:ml-0">
            <p className="flex items-center gap-2 text-sm" aria-label="Signed in as">
              <span className="font-medium text-ink" data-testid="operator-name">
                {operator.username}
              </span>
              <Badge tone={operator.role === "ADMIN" ? "accent" : "neutral"}>{humanize(operator.role)}</Badge>
            </p>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
