import { NextResponse, type NextRequest } from "next/server";
import { REQUESTED_PATH_HEADER } from "./app/_auth/next-path";

/**
 * Tells the pages which path was requested. A layout is not given the URL, yet the console
 * layout needs it to send a signed-out visitor to /login?next=<that path>. Authentication
 * itself is checked in the layout and the tRPC procedures, not here.
 */
export function proxy(request: NextRequest) {
  const url = request.nextUrl.clone();
  url.searchParams.delete("_rsc"); // Next's own cache-busting parameter on client navigations
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUESTED_PATH_HEADER, url.pathname + url.search);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = {
  // Pages only: not the API, not Next's static files.
  matcher: ["/((?!api/|_next/|favicon\\.ico).*)"],
};
