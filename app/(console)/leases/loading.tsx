import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";
import { SECTIONS } from "../_lib/sections";

/** The lease page while it loads: the real title, grey filters, grey rows. */
export default function Loading() {
  const { title, description } = SECTIONS.leases;
  return (
    <>
      <PageHeader title={title} description={description} />
      <Card>
        <div aria-hidden className="grid gap-3 border-b border-line px-5 py-4 sm:grid-cols-2 lg:grid-cols-[minmax(16rem,2fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_auto]">
          {[0, 1, 2, 3].map((i) => (
            <div key={i} className="space-y-1.5">
              <Skeleton className="h-4 w-20" />
              <Skeleton className="h-10 w-full" />
            </div>
          ))}
          <Skeleton className="h-10 w-20 self-end" />
        </div>
        <TableSkeleton rows={8} label="Loading leases" />
      </Card>
    </>
  );
}
