import Link from "next/link";
import { buttonClasses } from "./button";
import { cn } from "./cn";

export interface PaginationProps {
  /** 1-based page number being shown. */
  page: number;
  pageSize: number;
  total: number;
  /** The page's path, e.g. "/leases". */
  path: string;
  /** Query parameters to keep on every page link (the filters). */
  query?: Record<string, string | undefined>;
}

/** "Showing 51–100 of 230" with Previous/Next links that keep the filters in the URL. */
export function Pagination({ page, pageSize, total, path, query = {} }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(page * pageSize, total);
  const href = (target: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    if (target > 1) params.set("page", String(target));
    const search = params.toString();
    return search ? `${path}?${search}` : path;
  };
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 border-t border-line px-5 py-3 text-sm text-ink-muted">
      <p className="tabular-nums">
        Showing {first.toLocaleString("en-US")}–{last.toLocaleString("en-US")} of {total.toLocaleString("en-US")} · page {page} of {pages}
      </p>
      <div className="flex gap-2">
        <PageLink href={href(page - 1)} enabled={page > 1} rel="prev">
          Previous
        </PageLink>
        <PageLink href={href(page + 1)} enabled={page < pages} rel="next">
          Next
        </PageLink>
      </div>
    </nav>
  );
}

function PageLink({ href, enabled, rel, children }: { href: string; enabled: boolean; rel: string; children: string }) {
  const classes = buttonClasses("secondary", "sm");
  // A disabled link is plain text: it cannot be focused or followed.
  if (!enabled) return <span aria-disabled="true" className={cn(classes, "cursor-not-allowed opacity-50")}>{children}</span>;
  return (
    <Link href={href} rel={rel} className={classes}>
      {children}
    </Link>
  );
}
