"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "./cn";

export interface NavItem {
  href: string;
  label: string;
}

/** Whether a nav item is the current section: "/" only on the dashboard, others by prefix. */
export function isCurrentSection(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The console's section links; the current one is highlighted and marked aria-current. */
export function Nav({ items, label = "Console sections" }: { items: NavItem[]; label?: string }) {
  const pathname = usePathname();
  return (
    // The list scrolls sideways on narrow screens; its padding leaves room for the focus ring,
    // which the scroll box would otherwise cut off.
    <nav aria-label={label} className="-m-1 overflow-x-auto">
      <ul className="flex gap-0.5 p-1 sm:gap-1">
        {items.map((item) => {
          const current = isCurrentSection(pathname, item.href);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "block rounded-md px-2 py-1.5 text-sm font-medium whitespace-nowrap transition-colors sm:px-3",
                  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent",
                  current ? "bg-accent-soft text-accent" : "text-ink-muted hover:bg-surface-muted hover:text-ink",
                )}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
