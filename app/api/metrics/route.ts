import { prometheusExposition } from "@/server/api/metrics";

export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint (prom-client); METRICS_TOKEN, when set, is required as a bearer token. */
export async function GET(req: Request) {
  const result = await prometheusExposition(req.headers.get("authorization"));
  return new Response(result.body, { status: result.status, headers: { "content-type": result.contentType } });
}
