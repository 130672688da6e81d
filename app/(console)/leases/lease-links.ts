// The /leases URL holds the search, filters, sort and page, so a view can be shared. These
// helpers build links that change one part and keep the rest.

export const LEASE_PARAMS = ["q", "field", "pool", "state", "sort", "dir", "page"] as const;
export type LeaseQuery = Partial<Record<(typeof LEASE_PARAMS)[number], string>>;

/** The query string of `query` with `changes` applied (undefined removes a parameter). */
export function leaseSearch(query: LeaseQuery, changes: LeaseQuery = {}): string {
  const params = new URLSearchParams();
  for (const name of LEASE_PARAMS) {
    const value = name in changes ? changes[name] : query[name];
    if (value) params.set(name, value);
  }
  // "Search in: any" is the default; keep URLs short.
  if (params.get("field") === "any") params.delete("field");
  if (params.get("page") === "1") params.delete("page");
  return params.toString();
}

export function leaseHref(path: string, query: LeaseQuery, changes: LeaseQuery = {}): string {
  const search = leaseSearch(query, changes);
  return search ? `${path}?${search}` : path;
}

/** The filter part only (what the exports and "revoke matching" take). */
export function filterOnly(query: LeaseQuery): LeaseQuery {
  return { q: query.q, field: query.field, pool: query.pool, state: query.state };
}
