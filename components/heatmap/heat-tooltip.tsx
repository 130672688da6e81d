import type { ReactNode } from "react";
import type { CellAnchor } from "./heat-canvas";

const WIDTH = 304;
const GAP = 12;

/** A tooltip beside a heat-map cell, kept inside the window (it flips to the left near the edge). */
export function HeatTooltip({ anchor, children }: { anchor: CellAnchor; children: ReactNode }) {
  const right = anchor.left + anchor.width + GAP;
  const left = right + WIDTH > window.innerWidth - 8 ? Math.max(8, anchor.left - WIDTH - GAP) : right;
  const top = Math.max(8, Math.min(anchor.top - 8, window.innerHeight - 240));
  return (
    <div
      role="tooltip"
      data-testid="heatmap-tooltip"
      className="pointer-events-none fixed z-20 rounded-md border border-line bg-surface px-3 py-2 text-sm text-ink shadow-lg"
      style={{ left, top, width: WIDTH }}
    >
      {children}
    </div>
  );
}
