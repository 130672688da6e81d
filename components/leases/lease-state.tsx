import { Badge, type BadgeTone } from "../ui/badge";
import { humanize } from "../format/words";

/** The lease states in the order of a lease's life (architecture.md, "Lease"). */
export const LEASE_STATES = ["OFFERED", "BOUND", "RELEASED", "EXPIRED", "DECLINED", "REVOKED"] as const;

export type LeaseState = (typeof LEASE_STATES)[number];

/** Live states hold a slot; the others are history (or quarantine, for declined and revoked). */
export const LIVE_LEASE_STATES: readonly LeaseState[] = ["OFFERED", "BOUND"];

const tones: Record<LeaseState, BadgeTone> = {
  OFFERED: "accent",
  BOUND: "success",
  RELEASED: "neutral",
  EXPIRED: "neutral",
  DECLINED: "warning",
  REVOKED: "danger",
};

export function LeaseStateBadge({ state }: { state: string }) {
  return <Badge tone={tones[state as LeaseState] ?? "neutral"}>{humanize(state)}</Badge>;
}
