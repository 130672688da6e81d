import type { ReactNode } from "react";
import { cn } from "./cn";

/** A word with a coloured dot: green when all is well, red when not, grey when idle. */
export function Status({ tone, children }: { tone: "ok" | "bad" | "idle"; children: ReactNode }) {
  const dot = { ok: "bg-success", bad: "bg-danger", idle: "bg-ink-muted" }[tone];
  return (
    <span className="inline-flex items-center gap-2">
      <span aria-hidden className={cn("size-2.5 shrink-0 rounded-full", dot)} />
      {children}
    </span>
  );
}
