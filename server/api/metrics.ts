import { timingSafeEqual } from "node:crypto";
import { metrics } from "../metrics/registry";

/**
 * The Prometheus text of this process's registry, shared by the console's /api/metrics and the
 * standalone worker's METRICS_PORT listener. With METRICS_TOKEN set, scrapes must present it.
 */
export async function prometheusExposition(authorization: string | null): Promise<{ status: number; body: string; contentType: string }> {
  const token = process.env.METRICS_TOKEN;
  if (token && !matches(authorization ?? "", `Bearer ${token}`)) {
    return { status: 401, body: "metrics need the METRICS_TOKEN bearer token\n", contentType: "text/plain" };
  }
  const { registry } = metrics();
  return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
}

function matches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
