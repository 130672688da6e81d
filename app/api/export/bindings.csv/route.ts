import { exportResponse } from "@/server/api/exports";

export const dynamic = "force-dynamic";

/** The lw4o6 binding table as CSV (protocol.md §6.4), filtered like /leases; needs a console session. */
export function GET(request: Request) {
  return exportResponse("bindings.csv", request);
}
