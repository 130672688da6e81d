import { cn } from "../ui/cn";
import { EXCLUDED_STRIPES, HEAT_LEGEND_ORDER, heatStyleOf } from "./heat-states";

/** The colours of the heat map, what each means, and (when given) how many cells of the view have it. */
export function HeatLegend({ totals, className }: { totals?: Record<string, number>; className?: string }) {
  return (
    <ul aria-label="Legend" className={cn("grid gap-1.5 text-sm", className)}>
      {HEAT_LEGEND_ORDER.map((state) => {
        const style = heatStyleOf(state);
        return (
          <li key={state} className="flex items-center gap-2" title={style.meaning}>
            <span
              aria-hidden
              className={cn("size-3.5 shrink-0 rounded-sm ring-1 ring-line ring-inset", style.swatch)}
              style={state === "excluded" ? { backgroundImage: EXCLUDED_STRIPES } : undefined}
            />
            <span className="text-ink">{style.label}</span>
            {totals && <span className="ml-auto pl-3 font-medium tabular-nums text-ink-muted">{(totals[state] ?? 0).toLocaleString("en-US")}</span>}
          </li>
        );
      })}
    </ul>
  );
}
