import { exportResponse } from "@/server/api/exports";

export const dynamic = "force-dynamic";

/** The lw4o6 binding table as RFC 8676 binding-entry JSON, filtered like /leases; needs a console session. */
export function GET(request: Request) {
  return exportResponse("bindings.json", request);
}
