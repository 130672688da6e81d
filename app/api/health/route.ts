import { checkHealth } from "@/server/api/health";

export const dynamic = "force-dynamic";

/**
 * Liveness: 200 while the process serves requests, with the readiness details in the body for
 * people; load balancers and orchestrators that need "ready" use /api/ready.
 */
export async function GET() {
  return Response.json({ ...(await checkHealth()), live: true });
}
