import type { ReactNode } from "react";
import { cn } from "./cn";
import { Skeleton } from "./skeleton";

export interface CountItem {
  label: ReactNode;
  count: number;
  /** React key; the label when it is a string. */
  key?: string;
}

// Rows are a fixed 20px line plus padding, so CountListSkeleton can match them exactly.
const ROW = "flex h-8 items-center justify-between gap-4 text-sm";

/** Label → count lines, counts aligned on the right; zeros are dimmed, not hidden. */
export function CountList({ items, empty, label }: { items: CountItem[]; empty: string; label: string }) {
  if (items.length === 0) return <p className={cn(ROW, "text-ink-muted")}>{empty}</p>;
  return (
    <dl aria-label={label} className="divide-y divide-line">
      {items.map((item, index) => (
        <div key={item.key ?? (typeof item.label === "string" ? item.label : index)} className={ROW}>
          <dt className="min-w-0 truncate text-ink">{item.label}</dt>
          <dd className={cn("font-medium tabular-nums", item.count === 0 ? "text-ink-muted" : "text-ink")}>{item.count.toLocaleString("en-US")}</dd>
        </div>
      ))}
    </dl>
  );
}

/** CountList's placeholder: `rows` grey lines of the same height as real rows. */
export function CountListSkeleton({ rows }: { rows: number }) {
  return (
    <div aria-hidden className="divide-y divide-line">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className={ROW}>
          <Skeleton className="h-5 w-20" />
          <Skeleton className="h-4 w-8" />
        </div>
      ))}
    </div>
  );
}
