// Where to send an operator after signing in. Shared by the proxy, the console layout and
// the login page; plain functions, no server or browser APIs.

/** Request header the proxy sets to the path being requested (layouts are not told the URL). */
export const REQUESTED_PATH_HEADER = "x-portshare-path";

/**
 * The `next` query parameter, if it is a path on this site; "/" otherwise. Anything else
 * ("//evil.example", "https://…", "/\\evil") would make the login page an open redirect.
 */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  // Back to the login page after signing in would look like the sign-in failed.
  if (value === "/login" || value.startsWith("/login?") || value.startsWith("/login/")) return "/";
  return value;
}

/** The login page, remembering where to go afterwards. */
export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(next))}`;
}
