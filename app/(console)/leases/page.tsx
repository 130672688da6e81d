import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";
import { fieldErrorsOf, leaseListSchema, leaseParamsFrom, type LeaseListInput } from "@/server/api/inputs/leases";
import { requireOperator, signedInCaller } from "../../_auth/session";
import type { SearchParams } from "../_lib/search-params";
import { SECTIONS } from "../_lib/sections";
import { ExportLinks, RevokeMatching } from "./lease-actions";
import { LeaseFilters } from "./lease-filters";
import { filterOnly, type LeaseQuery } from "./lease-links";
import { LeaseTable } from "./lease-table";

export const metadata: Metadata = { title: "Leases" };

const PAGE_SIZE = 50;
/** Errors about the URL that have no form field (sort, direction, page). */
const FORM_FIELDS = ["q", "field", "pool", "state"];

/**
 * The lease table. Everything the operator chose is in the URL (search, filters, sort, page),
 * read here on the server; the rows come filtered, sorted and paged from the database.
 */
export default async function LeasesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = leaseParamsFrom(await searchParams) as LeaseQuery;
  const operator = await requireOperator();
  const api = await signedInCaller();
  const input: LeaseListInput = { ...query, pageSize: PAGE_SIZE };
  const parsed = leaseListSchema.safeParse(input);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  const otherErrors = Object.entries(errors).filter(([field]) => !FORM_FIELDS.includes(field));
  const pools = await api.leases.pools();

  return (
    <>
      <PageHeader title={SECTIONS.leases.title} description={SECTIONS.leases.description} actions={parsed.success ? <ExportLinks query={query} /> : undefined} />
      <Card aria-label="Leases">
        <LeaseFilters query={query} pools={pools} errors={errors} />
        {parsed.success ? (
          // Keyed by the URL: a new search or page shows the skeleton, not the old rows.
          <Suspense key={JSON.stringify(query)} fallback={<ResultsSkeleton />}>
            <LeaseResults input={input} query={query} isAdmin={operator.role === "ADMIN"} />
          </Suspense>
        ) : (
          <div className="px-5 py-4">
            <Alert>
              {otherErrors.length > 0 ? (
                <>
                  This link asks for something the lease table cannot show:{" "}
                  {otherErrors.map(([field, message]) => `${field}: ${message}`).join("; ")}.{" "}
                  <Link href="/leases" className="underline">
                    Start over
                  </Link>
                </>
              ) : (
                "Correct the search above to see leases."
              )}
            </Alert>
          </div>
        )}
      </Card>
    </>
  );
}

async function LeaseResults({ input, query, isAdmin }: { input: LeaseListInput; query: LeaseQuery; isAdmin: boolean }) {
  const api = await signedInCaller();
  const { total, rows, page, pageSize } = await api.leases.list(input);
  const filtered = Object.values(filterOnly(query)).some(Boolean);
  const parsed = leaseListSchema.parse(input);
  const { page: _page, ...keep } = query;

  return (
    <>
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-line px-5 py-3">
        <p className="text-sm text-ink-muted" data-testid="lease-count">
          {filtered ? `${plural(total, "lease")} match` : `${plural(total, "lease")} in all`}
          {parsed.sort ? ` · sorted by ${parsed.sort} ${parsed.dir === "asc" ? "ascending" : "descending"}` : " · newest first"}
          {" · times in UTC"}
        </p>
        {isAdmin && <RevokeMatching query={query} matching={total} />}
      </div>
      {rows.length > 0 ? (
        <LeaseTable rows={rows} query={query} sort={parsed.sort} dir={parsed.dir} />
      ) : total === 0 && !filtered ? (
        <EmptyState title="No leases yet">A lease appears here when a client is offered an address from one of the pools.</EmptyState>
      ) : total === 0 ? (
        <EmptyState
          title="No lease matches these filters"
          action={
            <Link href="/leases" className={buttonClasses("secondary", "sm")}>
              Clear the filters
            </Link>
          }
        >
          Try part of the client ID, a wider address range, or another pool or state.
        </EmptyState>
      ) : (
        <EmptyState title={`There is no page ${page}`}>The list has fewer leases than that; go back to an earlier page.</EmptyState>
      )}
      {total > 0 && <Pagination page={page} pageSize={pageSize} total={total} path="/leases" query={keep} />}
    </>
  );
}

function ResultsSkeleton() {
  return (
    <div>
      <div aria-hidden className="flex items-center justify-between border-b border-line px-5 py-3">
        <Skeleton className="h-4 w-48" />
        <Skeleton className="h-8 w-36" />
      </div>
      <TableSkeleton rows={8} label="Loading leases" />
    </div>
  );
}
