// The heat map's cell states as the console shows them. The server names the states of its
// byte encoding in each answer (server/alloc/heatmap.ts HEAT_STATES); this maps a name to its
// words and its colour (a CSS variable of app/globals.css, so light and dark mode both read).

export interface HeatStateStyle {
  label: string;
  /** One line for the legend and the tooltip. */
  meaning: string;
  /** CSS custom property with the colour, for the canvas. */
  cssVar: string;
  /** Tailwind class with the same colour, for swatches. */
  swatch: string;
}

export const HEAT_STATE_STYLES: Record<string, HeatStateStyle> = {
  free: { label: "Free", meaning: "can be handed out", cssVar: "--ps-heat-free", swatch: "bg-heat-free" },
  offered: { label: "Offered", meaning: "offered, waiting for the client's REQUEST", cssVar: "--ps-heat-offered", swatch: "bg-heat-offered" },
  bound: { label: "Bound", meaning: "leased to a client", cssVar: "--ps-heat-bound", swatch: "bg-heat-bound" },
  quarantined: { label: "Quarantined", meaning: "revoked or declined; kept out until its quarantine ends", cssVar: "--ps-heat-quarantined", swatch: "bg-heat-quarantined" },
  reserved: { label: "Reserved", meaning: "kept for one client", cssVar: "--ps-heat-reserved", swatch: "bg-heat-reserved" },
  excluded: { label: "Excluded", meaning: "never handed out: its port set holds well-known or reserved ports", cssVar: "--ps-heat-excluded", swatch: "bg-heat-excluded" },
};

/** The order the legend lists them in: from free to never usable. */
export const HEAT_LEGEND_ORDER = ["free", "offered", "bound", "quarantined", "reserved", "excluded"] as const;

export function heatStyleOf(state: string): HeatStateStyle {
  return HEAT_STATE_STYLES[state] ?? { label: state, meaning: "", cssVar: "--ps-ink-muted", swatch: "bg-ink-muted" };
}

/** Diagonal stripes that mark excluded cells (and their swatch) besides the colour. */
export const EXCLUDED_STRIPES = "repeating-linear-gradient(135deg, transparent 0 3px, var(--ps-heat-grid) 3px 4px)";
