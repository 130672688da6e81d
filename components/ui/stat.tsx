import type { ReactNode } from "react";
import { Card } from "./card";
import { Skeleton } from "./skeleton";

/** One headline number with its label and a line of detail (cut short if longer; give it a title). */
export function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <Card className="px-5 py-4">
      <p className="text-sm font-medium text-ink-muted">{label}</p>
      <p className="mt-1 h-8 truncate text-2xl font-semibold tabular-nums text-ink">{value}</p>
      {/* One line, always there: every card (and its skeleton) has the same height. */}
      <div className="mt-1 h-5 truncate text-sm text-ink-muted">{detail}</div>
    </Card>
  );
}

/** A Stat's placeholder, the same height as the Stat. */
export function StatSkeleton({ label }: { label: string }) {
  return (
    <Card className="px-5 py-4">
      <p className="text-sm font-medium text-ink-muted">{label}</p>
      <div className="mt-1 flex h-8 items-center">
        <Skeleton className="h-7 w-20" />
      </div>
      <div className="mt-1 flex h-5 items-center">
        <Skeleton className="h-4 w-32" />
      </div>
    </Card>
  );
}
