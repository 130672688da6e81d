/** What a page receives as `searchParams`, once awaited. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** One query parameter as a trimmed string, or undefined when absent or empty (?a=1&a=2 → "1"). */
export function stringParam(params: SearchParams, name: string): string | undefined {
  const raw = params[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

/** The `page` parameter as a page number ≥ 1; anything else (missing, "abc", "-3") is page 1. */
export function pageParam(params: SearchParams): number {
  const page = Number(stringParam(params, "page"));
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}
