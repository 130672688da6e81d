import { Skeleton } from "@/components/ui/skeleton";
import { HeatmapSkeleton } from "./heatmap-view";

export default function Loading() {
  return (
    <div role="status" aria-label="Loading the heat map">
      <Skeleton className="mb-3 h-5 w-48" />
      <div className="mb-6">
        <Skeleton className="h-8 w-72" />
        <Skeleton className="mt-2 h-4 w-96 max-w-full" />
      </div>
      <HeatmapSkeleton />
    </div>
  );
}
