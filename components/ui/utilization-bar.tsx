import { cn } from "./cn";

export interface Thresholds {
  /** Fractions 0..1: amber from `warn`, red from `critical`. */
  warn: number;
  critical: number;
}

export type UtilizationLevel = "ok" | "warn" | "critical";

export function utilizationLevelOf(value: number, thresholds: Thresholds): UtilizationLevel {
  if (value >= thresholds.critical) return "critical";
  if (value >= thresholds.warn) return "warn";
  return "ok";
}

/** "83 %", "0.4 %", "<0.1 %": small but non-zero use does not read as empty. */
export function formatPercent(value: number): string {
  const percent = value * 100;
  if (percent === 0) return "0 %";
  if (percent < 0.1) return "<0.1 %";
  if (percent < 10) return `${percent.toFixed(1).replace(/\.0$/, "")} %`;
  return `${Math.floor(percent)} %`;
}

const fills: Record<UtilizationLevel, string> = { ok: "bg-meter-ok", warn: "bg-meter-warn", critical: "bg-meter-critical" };
const words: Record<UtilizationLevel, string> = { ok: "", warn: " (warning)", critical: " (critical)" };

/**
 * How full something is, as a bar that turns amber and red past the thresholds (marked on the
 * track), with the percentage beside it. A meter for assistive technology.
 */
export function UtilizationBar({
  value,
  thresholds,
  label,
  className,
  showValue = true,
}: {
  value: number;
  thresholds: Thresholds;
  /** What is measured, e.g. "heat-a utilization". */
  label: string;
  className?: string;
  showValue?: boolean;
}) {
  const clamped = Math.min(1, Math.max(0, value));
  const level = utilizationLevelOf(clamped, thresholds);
  const text = formatPercent(clamped);
  return (
    <div className={cn("flex items-center gap-2", className)}>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(clamped * 1000) / 10}
        aria-valuetext={`${text} in use${words[level]}`}
        data-level={level}
        className="relative h-2.5 min-w-16 flex-1 overflow-hidden rounded-full bg-surface-muted ring-1 ring-line ring-inset"
      >
        {/* At least a sliver once anything is in use, so 0.05 % does not look like nothing. */}
        <div className={cn("h-full rounded-full", fills[level])} style={{ width: clamped === 0 ? 0 : `max(${clamped * 100}%, 3px)` }} />
        {[thresholds.warn, thresholds.critical].map((mark, index) => (
          <span key={index} aria-hidden className="absolute inset-y-0 w-px bg-ink-muted/50" style={{ left: `${mark * 100}%` }} />
        ))}
      </div>
      {showValue && (
        <span className={cn("w-14 shrink-0 text-right text-xs font-medium tabular-nums", level === "ok" ? "text-ink-muted" : level === "warn" ? "text-warning" : "text-danger")}>
          {text}
        </span>
      )}
    </div>
  );
}
