import { exportResponse } from "@/server/api/exports";

export const dynamic = "force-dynamic";

/** The leases as CSV, filtered like /leases by the query string; needs a console session (401 without). */
export function GET(request: Request) {
  return exportResponse("leases.csv", request);
}
