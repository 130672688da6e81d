import type { ReactNode } from "react";
import { cn } from "./cn";

export interface Column<Row> {
  /** Column header text. */
  header: string;
  /** What a cell shows for one row. */
  cell: (row: Row) => ReactNode;
  /** Numbers line up on the right. */
  align?: "left" | "right";
  className?: string;
}

export interface DataTableProps<Row> {
  /** Read by screen readers; visually hidden. */
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
}

/** A plain, readable table. Wide tables scroll sideways inside their card, not the whole page. */
export function DataTable<Row>({ caption, columns, rows, rowKey, empty }: DataTableProps<Row>) {
  if (rows.length === 0) return <>{empty}</>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-line bg-surface-muted/60">
            {columns.map((column) => (
              <th
                key={column.header}
                scope="col"
                className={cn(
                  "px-4 py-2.5 text-xs font-semibold tracking-wide text-ink-muted uppercase whitespace-nowrap",
                  column.align === "right" ? "text-right" : "text-left",
                )}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className="border-b border-line last:border-b-0 hover:bg-surface-muted/40">
              {columns.map((column) => (
                <td
                  key={column.header}
                  className={cn("px-4 py-2.5 align-middle text-ink", column.align === "right" && "text-right tabular-nums", column.className)}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
