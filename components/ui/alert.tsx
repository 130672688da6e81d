import type { ReactNode } from "react";
import { cn } from "./cn";

/** A message in a form or a row. Errors are announced to screen readers as they appear. */
export function Alert({ tone = "danger", children, className }: { tone?: "danger" | "success" | "info"; children: ReactNode; className?: string }) {
  const styles = {
    danger: "border-danger/40 bg-danger-soft text-danger",
    success: "border-success/40 bg-success-soft text-success",
    info: "border-line bg-surface-muted text-ink",
  }[tone];
  return (
    <div role={tone === "danger" ? "alert" : "status"} className={cn("rounded-md border px-3 py-2 text-sm", styles, className)}>
      {children}
    </div>
  );
}
