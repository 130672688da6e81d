import { cn } from "./cn";

/** A grey placeholder the size of the content it stands for, so nothing jumps when data arrives. */
export function Skeleton({ className }: { className?: string }) {
  return <span aria-hidden className={cn("block animate-pulse rounded bg-surface-muted", className)} />;
}

/** Placeholder for a table while its rows load: a header bar and `rows` lines. */
export function TableSkeleton({ rows = 5, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="space-y-3 px-5 py-4">
      <Skeleton className="h-4 w-2/3" />
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-8 w-full" />
      ))}
    </div>
  );
}
