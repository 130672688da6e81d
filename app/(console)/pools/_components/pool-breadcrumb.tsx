import Link from "next/link";

const linkClass = "rounded text-accent underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent";

/** "Pools / shared-east / Heat map": where this page sits, each step a link back. */
export function PoolBreadcrumb({ pool, current }: { pool?: { id: number; name: string }; current?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-3 text-sm">
      <ol className="flex flex-wrap items-center gap-1.5 text-ink-muted">
        <li>
          <Link href="/pools" className={linkClass}>
            Pools
          </Link>
        </li>
        {pool && (
          <li className="flex items-center gap-1.5">
            <span aria-hidden>/</span>
            {current ? (
              <Link href={`/pools/${pool.id}`} className={linkClass}>
                {pool.name}
              </Link>
            ) : (
              <span aria-current="page" className="text-ink">
                {pool.name}
              </span>
            )}
          </li>
        )}
        {current && (
          <li className="flex items-center gap-1.5">
            <span aria-hidden>/</span>
            <span aria-current="page" className="text-ink">
              {current}
            </span>
          </li>
        )}
      </ol>
    </nav>
  );
}
