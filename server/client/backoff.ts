/**
 * When the client sends again (RFC 2131 §4.1, §4.4.5; RFC 7341 §9: in 4o6 the DHCPv4 client's
 * own timers apply, not DHCPv6's).
 */

/** RFC 2131 §4.1: the first wait; it doubles per retransmission. */
export const FIRST_WAIT_MS = 4_000;
/** RFC 2131 §4.1: the wait stops doubling at 64 s. */
export const MAX_WAIT_MS = 64_000;
/** RFC 2131 §4.4.5: in RENEWING and REBINDING, never wait less than 60 s between requests. */
export const MIN_EXTEND_WAIT_MS = 60_000;

/**
 * Wait after transmission number `attempt` (0 = the first) in INIT, SELECTING, REQUESTING and
 * INIT-REBOOT: firstWait · 2^attempt capped at 64 s, randomised by a uniform value in ±1 s
 * [RFC 2131 §4.1]. With a first wait shorter than the RFC's 4 s (a lab's --wait), the jitter
 * shrinks with it to ±firstWait/4 so the wait stays positive.
 */
export function retransmitDelay(attempt: number, firstWaitMs: number, random: () => number): number {
  const base = Math.min(firstWaitMs * 2 ** attempt, Math.max(MAX_WAIT_MS, firstWaitMs));
  const jitter = Math.min(1000, firstWaitMs / 4);
  return Math.max(1, Math.round(base + (random() * 2 - 1) * jitter));
}

/**
 * When to send again in RENEWING (deadline = T2) or REBINDING (deadline = lease expiry): after
 * half the time left, but not sooner than 60 s [RFC 2131 §4.4.5]. Undefined when that falls on
 * or after the deadline: then the deadline's own transition takes over.
 */
export function extendRetransmitAt(now: number, deadline: number): number | undefined {
  if (!Number.isFinite(deadline)) return now + MIN_EXTEND_WAIT_MS;
  const at = now + Math.max(MIN_EXTEND_WAIT_MS, (deadline - now) / 2);
  return at < deadline ? Math.round(at) : undefined;
}
