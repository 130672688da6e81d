import { Card, CardBody } from "@/components/ui/card";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

/** A lease's page while it loads: the same cards, grey. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading the lease">
      <Skeleton className="mb-3 h-5 w-16" />
      <div className="mb-6 space-y-2">
        <Skeleton className="h-8 w-72" />
        <Skeleton className="h-5 w-64" />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        {[0, 1].map((card) => (
          <Card key={card}>
            <div className="border-b border-line px-5 py-4">
              <Skeleton className="h-5 w-28" />
            </div>
            <CardBody className="space-y-3">
              {Array.from({ length: 7 }, (_, i) => (
                <div key={i} className="grid grid-cols-[11rem_1fr] gap-4">
                  <Skeleton className="h-4 w-24" />
                  <Skeleton className="h-4 w-40" />
                </div>
              ))}
            </CardBody>
          </Card>
        ))}
      </div>
      <Card className="mt-6">
        <TableSkeleton rows={3} label="Loading the history" />
      </Card>
    </div>
  );
}
