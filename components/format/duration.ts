// Lease times are configured in seconds; an operator reads "1 d" faster than "86400".

const UNITS = [
  { seconds: 86_400, label: "d" },
  { seconds: 3_600, label: "h" },
  { seconds: 60, label: "min" },
  { seconds: 1, label: "s" },
] as const;

/** 86400 → "1 d", 5400 → "1 h 30 min", 45 → "45 s", 0 → "0 s". Shows the two largest units. */
export function formatSeconds(total: number): string {
  if (!Number.isFinite(total) || total < 0) return "—";
  if (total === 0) return "0 s";
  const parts: string[] = [];
  let rest = Math.floor(total);
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.seconds);
    rest -= count * unit.seconds;
    if (count > 0) parts.push(`${count} ${unit.label}`);
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
