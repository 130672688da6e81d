/**
 * Until when a revoked or declined slot stays out of allocation. By default until the lease's
 * original expiry, because the subscriber may keep using the port set until then; with
 * QUARANTINE_SECONDS set, that long from now instead.
 */
export function quarantineEnd(expiresAt: Date, now: Date, env: NodeJS.ProcessEnv = process.env): Date {
  const seconds = env.QUARANTINE_SECONDS === undefined || env.QUARANTINE_SECONDS === "" ? NaN : Number(env.QUARANTINE_SECONDS);
  if (Number.isFinite(seconds) && seconds >= 0) return new Date(now.getTime() + seconds * 1000);
  return expiresAt > now ? expiresAt : now;
}
