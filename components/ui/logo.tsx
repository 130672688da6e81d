import { cn } from "./cn";

/** The Portshare mark and name. */
export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("flex items-center gap-2 font-semibold tracking-tight text-ink", className)}>
      <span aria-hidden className="grid size-7 place-items-center rounded-md bg-accent text-xs font-bold text-accent-ink">
        P
      </span>
      Portshare
    </span>
  );
}
