// The export route handlers' work (app/api/export/*): who is asking (the session cookie, as the
// console pages use), which leases (the /leases filters from the query string), and the
// streamed file with its name. Unsigned requests get 401, bad filters 400 naming the field.

import { bindingsCsv, bindingsJson, exportFileName, leasesCsv, type ExportOptions } from "../alloc/exports";
import { fieldErrorsOf, leaseFilterSchema, leaseParamsFrom } from "../alloc/lease-filter";
import { operatorForToken, sessionTokenFrom } from "../auth/sessions";
import { getDatabase, type Database } from "../db";

export type ExportKind = "leases.csv" | "bindings.csv" | "bindings.json";

const CONTENT_TYPES: Record<ExportKind, string> = {
  "leases.csv": "text/csv; charset=utf-8; header=present",
  "bindings.csv": "text/csv; charset=utf-8; header=present",
  "bindings.json": "application/json; charset=utf-8",
};

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers } });
}

/** Answers GET /api/export/<kind>?<lease filters>. `db` defaults to the process-wide client. */
export async function exportResponse(kind: ExportKind, request: Request, db?: Database, options: ExportOptions = {}): Promise<Response> {
  const database = db ?? (await getDatabase());
  const operator = await operatorForToken(database, sessionTokenFrom(request.headers.get("cookie")));
  if (!operator) return plain(401, "Sign in first: exports need a console session", { "www-authenticate": 'Cookie realm="Portshare console"' });

  const parsed = leaseFilterSchema.safeParse(leaseParamsFrom(new URL(request.url).searchParams));
  if (!parsed.success) {
    return plain(400, Object.entries(fieldErrorsOf(parsed.error)).map(([field, message]) => `${field}: ${message}`).join("\n"));
  }
  const filter = parsed.data;
  const now = options.now ?? new Date();
  const streamOptions = { ...options, now };
  const body =
    kind === "leases.csv" ? leasesCsv(database, filter, streamOptions) : kind === "bindings.csv" ? bindingsCsv(database, filter, streamOptions) : bindingsJson(database, filter, streamOptions);
  const [what, extension] = kind.split(".") as ["leases" | "bindings", "csv" | "json"];
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": CONTENT_TYPES[kind],
      "content-disposition": `attachment; filename="${exportFileName(what, filter.pool, extension, now)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
