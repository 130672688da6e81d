import { Card, CardBody } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { StatSkeleton } from "@/components/ui/stat";

/** A pool page in grey: breadcrumb, title, the four figures, the form and the preview. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading the pool">
      <Skeleton className="mb-3 h-5 w-40" />
      <div className="mb-6">
        <Skeleton className="h-8 w-56" />
        <Skeleton className="mt-2 h-5 w-80 max-w-full" />
      </div>
      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {["Live leases", "Quarantined", "Capacity", "Utilization"].map((label) => (
          <StatSkeleton key={label} label={label} />
        ))}
      </div>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card>
          <CardBody className="space-y-5 py-6">
            {Array.from({ length: 5 }, (_, i) => (
              <div key={i} className="space-y-2">
                <Skeleton className="h-4 w-32" />
                <Skeleton className="h-10 w-full" />
              </div>
            ))}
          </CardBody>
        </Card>
        <Card>
          <CardBody className="space-y-3 py-6">
            {Array.from({ length: 6 }, (_, i) => (
              <Skeleton key={i} className="h-6 w-full" />
            ))}
          </CardBody>
        </Card>
      </div>
    </div>
  );
}
