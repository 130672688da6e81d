import { checkHealth } from "@/server/api/health";

export const dynamic = "force-dynamic";

/** Readiness: 200 when the database answers and the 4o6 socket is bound, else 503. */
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.ok ? 200 : 503 });
}
