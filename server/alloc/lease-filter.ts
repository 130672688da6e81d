// The lease search the console, the tRPC API and the exports share: one search box, a pool and
// a state, plus sort and page for the table. Everything arrives as URL query text, so each
// field is parsed from a string and every message names the field it is about.
//
// The search text is read as (protocol.md §10, the lease row):
// - an IPv4 address "192.0.2.7", a prefix "192.0.2.0/24", a range "192.0.2.1-192.0.2.9", or the
//   first octets "192.0.2" (= 192.0.2.0/24);
// - an IPv6 address or part of one (the subscriber's softwire source or query source);
// - a MAC address or part of one, with ":" or "-" or no separators;
// - part of a client identifier in hex (option 61; separators are ignored).
// `field` narrows it to one of these; "any" tries every reading that fits the text.

import ipaddr from "ipaddr.js";
import { z } from "zod";

export const LEASE_STATES = ["OFFERED", "BOUND", "RELEASED", "EXPIRED", "DECLINED", "REVOKED"] as const;
export type LeaseStateName = (typeof LEASE_STATES)[number];

export const SEARCH_FIELDS = ["any", "client", "ipv4", "ipv6", "mac"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Columns the lease table sorts by (server-side). */
export const LEASE_SORTS = ["address", "psid", "clientId", "hwAddress", "ipv6Address", "pool", "state", "startedAt", "expiresAt"] as const;
export type LeaseSort = (typeof LEASE_SORTS)[number];

/** One condition of a search; a search matches when any of its terms does. */
export type SearchTerm =
  | { readonly kind: "ipv4"; readonly first: number; readonly last: number }
  | { readonly kind: "ipv6"; readonly text: string }
  | { readonly kind: "mac"; readonly text: string }
  | { readonly kind: "client"; readonly hex: string };

export type SearchParse = { readonly ok: true; readonly terms: readonly SearchTerm[] } | { readonly ok: false; readonly message: string };

const MAX_QUERY_LENGTH = 200;

function ipv4(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** "192.0.2.7", "192.0.2.0/24", "192.0.2.1-192.0.2.9", "192.0.2" or "192.0.2." → inclusive range. */
export function parseIpv4Range(text: string): { first: number; last: number } | { error: string } {
  const value = text.replace(/\s+/g, "");
  const example = "an IPv4 address (192.0.2.7), a prefix (192.0.2.0/24), a range (192.0.2.1-192.0.2.9) or the first octets (192.0.2)";
  if (value.includes("/")) {
    const [address, length, ...rest] = value.split("/");
    const network = ipv4(address ?? "");
    if (network === null || rest.length > 0) return { error: `"${text}" is not ${example}` };
    if (!/^\d{1,2}$/.test(length ?? "") || Number(length) > 32) return { error: `Prefix length "${length}" is not 0..32` };
    const bits = Number(length);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((network & mask) >>> 0 !== network) return { error: `${value} has host bits set; the prefix is ${dotted((network & mask) >>> 0)}/${bits}` };
    return { first: network, last: (network | ~mask) >>> 0 };
  }
  if (value.includes("-")) {
    const [firstText, lastText, ...rest] = value.split("-");
    const first = ipv4(firstText ?? "");
    const last = ipv4(lastText ?? "");
    if (first === null || last === null || rest.length > 0) return { error: `"${text}" is not ${example}` };
    if (first > last) return { error: `The range ends (${lastText}) before it starts (${firstText})` };
    return { first, last };
  }
  const exact = ipv4(value);
  if (exact !== null) return { first: exact, last: exact };
  // The first one to three octets: "10", "192.0.2", "192.0.2.".
  const octets = value.replace(/\.$/, "").split(".");
  if (octets.length >= 1 && octets.length <= 3 && value.includes(".") && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) {
    const bits = octets.length * 8;
    const prefix = octets.reduce((n, o) => n * 256 + Number(o), 0) * 2 ** (32 - bits);
    return { first: prefix, last: prefix + 2 ** (32 - bits) - 1 };
  }
  return { error: `"${text}" is not ${example}` };
}

const HEX_WITH_SEPARATORS = /^[0-9a-f]+([:\-. ][0-9a-f]+)*[:\-. ]?$/;
const MAC_PART = /^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){0,5}[:-]?$/;
const IPV6_PART = /^[0-9a-f:.]+$/;

/** A full IPv6 address in RFC 5952 form (as stored), or null. */
function ipv6Address(text: string): string | null {
  try {
    if (!ipaddr.IPv6.isValid(text)) return null;
    return ipaddr.IPv6.parse(text).toString();
  } catch {
    return null;
  }
}

function ipv6Term(q: string): SearchTerm | null {
  if (!q.includes(":") || !IPV6_PART.test(q)) return null;
  return { kind: "ipv6", text: ipv6Address(q) ?? q };
}

function macTerm(q: string): SearchTerm | null {
  if (MAC_PART.test(q)) return { kind: "mac", text: q.replaceAll("-", ":") };
  // Typed without separators ("020000000001"): octets from the start of one.
  if (/^[0-9a-f]+$/.test(q) && q.length % 2 === 0 && q.length <= 12) return { kind: "mac", text: q.match(/../g)!.join(":") };
  return null;
}

function clientTerm(q: string): SearchTerm | null {
  if (!HEX_WITH_SEPARATORS.test(q)) return null;
  return { kind: "client", hex: q.replace(/[:\-. ]/g, "") };
}

/** What the search text can mean, as OR-ed terms; a message when it cannot mean anything asked for. */
export function parseLeaseSearch(raw: string, field: SearchField = "any"): SearchParse {
  const q = raw.trim().toLowerCase();
  if (q === "") return { ok: true, terms: [] };
  const fail = (message: string): SearchParse => ({ ok: false, message });
  switch (field) {
    case "ipv4": {
      const range = parseIpv4Range(q);
      return "error" in range ? fail(range.error) : { ok: true, terms: [{ kind: "ipv4", ...range }] };
    }
    case "ipv6": {
      const term = ipv6Term(q);
      return term ? { ok: true, terms: [term] } : fail(`"${raw.trim()}" is not an IPv6 address or part of one (hex digits and colons, such as 2001:db8:5::)`);
    }
    case "mac": {
      const term = macTerm(q);
      return term ? { ok: true, terms: [term] } : fail(`"${raw.trim()}" is not a MAC address or part of one (such as 02:00:5e or 02-00-5e-10-00-01)`);
    }
    case "client": {
      const term = clientTerm(q);
      return term ? { ok: true, terms: [term] } : fail(`"${raw.trim()}" is not a client identifier or part of one (hex digits, such as ff0000000100030001)`);
    }
    case "any": {
      // Digits and dots (and "/" or "-" between them) read as IPv4 only: "192.0.2.1" is not hex.
      if (/^[\d./\- ]+$/.test(q) && /[./]/.test(q)) {
        const range = parseIpv4Range(q);
        return "error" in range ? fail(range.error) : { ok: true, terms: [{ kind: "ipv4", ...range }] };
      }
      const fullIpv6 = ipv6Address(q);
      if (fullIpv6 && q.includes("::")) return { ok: true, terms: [{ kind: "ipv6", text: fullIpv6 }] };
      const terms = [clientTerm(q), macTerm(q), ipv6Term(q)].filter((term): term is SearchTerm => term !== null);
      if (terms.length === 0) {
        return fail(`"${raw.trim()}" is not a client identifier (hex), an IPv4 address or range, an IPv6 address or a MAC address`);
      }
      return { ok: true, terms };
    }
  }
}

/** A short description of a search for the audit log and the page: "client id contains ff00…". */
export function describeSearchTerm(term: SearchTerm): string {
  switch (term.kind) {
    case "ipv4":
      return term.first === term.last ? `address ${dotted(term.first)}` : `address ${dotted(term.first)}-${dotted(term.last)}`;
    case "ipv6":
      return `IPv6 contains ${term.text}`;
    case "mac":
      return `MAC contains ${term.text}`;
    case "client":
      return `client id contains ${term.hex}`;
  }
}

// --- input schemas ---------------------------------------------------------------------------

/** An optional text parameter: absent, "" and whitespace all mean "not given". */
const optionalText = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .trim()
    .max(max, `${label} is at most ${max} characters`)
    .optional()
    .transform((value) => (value ? value : undefined));

const stateFilter = z
  .string({ error: "State must be text" })
  .trim()
  .optional()
  .transform((value, ctx): LeaseStateName[] | "LIVE" | undefined => {
    if (!value) return undefined;
    if (value.toLowerCase() === "live") return "LIVE";
    const states = [...new Set(value.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean))];
    const unknown = states.filter((s) => !(LEASE_STATES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `Unknown state "${unknown[0]}"; use live or ${LEASE_STATES.map((s) => s.toLowerCase()).join(", ")}` });
      return z.NEVER;
    }
    return states as LeaseStateName[];
  });

/** The filter fields as they arrive from the URL or the API (all text). */
const filterFields = {
  q: optionalText("Search", MAX_QUERY_LENGTH),
  field: z
    .string({ error: "Search in must be text" })
    .trim()
    .toLowerCase()
    .optional()
    .transform((value) => (value ? value : "any"))
    .pipe(z.enum(SEARCH_FIELDS, { error: `Search in must be one of ${SEARCH_FIELDS.join(", ")}` })),
  pool: optionalText("Pool", 64).pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, "Pool is a pool name (letters, digits, dot, dash and underscore)")
      .optional(),
  ),
  state: stateFilter,
};

type FilterFields = { q?: string; field: SearchField; pool?: string; state?: LeaseStateName[] | "LIVE" };

/** A checked filter: the fields, and the search text read as OR-ed terms. */
export interface LeaseFilter extends FilterFields {
  readonly terms: readonly SearchTerm[];
}

/** `q` is read against `field` here, so an unreadable search is a message on `q`, never an empty result. */
function resolveFilter(input: FilterFields, ctx: z.RefinementCtx): LeaseFilter {
  const search = input.q ? parseLeaseSearch(input.q, input.field) : ({ ok: true, terms: [] } as const);
  if (!search.ok) {
    ctx.addIssue({ code: "custom", path: ["q"], message: search.message });
    return z.NEVER;
  }
  return { q: input.q, field: input.field, pool: input.pool, state: input.state, terms: search.terms };
}

export const leaseFilterSchema = z.object(filterFields).transform(resolveFilter);

export type LeaseFilterInput = z.input<typeof leaseFilterSchema>;

const pageNumber = z
  .number({ error: "Page must be a number" })
  .int("Page must be a whole number")
  .min(1, "Page starts at 1")
  .max(1_000_000, "Page is at most 1000000");

/** The table's request: the filter, the sort and the page. */
export const leaseListSchema = z
  .object({
    ...filterFields,
    sort: z
      .string({ error: "Sort must be text" })
      .optional()
      .transform((value) => (value ? value : undefined))
      .pipe(z.enum(LEASE_SORTS, { error: `Sort must be one of ${LEASE_SORTS.join(", ")}` }).optional()),
    dir: z
      .string({ error: "Direction must be text" })
      .toLowerCase()
      .optional()
      .transform((value) => (value ? value : undefined))
      .pipe(z.enum(["asc", "desc"], { error: 'Direction must be "asc" or "desc"' }).optional()),
    page: z
      .union([z.number(), z.string()], { error: "Page must be a number" })
      .optional()
      .transform((value) => (value === undefined || value === "" ? 1 : Number(value)))
      .pipe(pageNumber),
    pageSize: z.coerce
      .number({ error: "Page size must be a number" })
      .int("Page size must be a whole number")
      .min(1, "Page size is at least 1")
      .max(500, "Page size is at most 500")
      .default(50),
  })
  .transform((input, ctx) => {
    const { sort, dir, page, pageSize, ...fields } = input;
    const filter = resolveFilter(fields, ctx);
    return { filter, sort, dir: dir ?? (sort ? "asc" : "desc"), page, pageSize } as const;
  });

export type LeaseListInput = z.input<typeof leaseListSchema>;
export type LeaseListRequest = z.output<typeof leaseListSchema>;

/** The URL query parameters the lease pages and exports read. */
export const LEASE_QUERY_PARAMS = ["q", "field", "pool", "state", "sort", "dir", "page"] as const;

/** The first value of each known parameter from URLSearchParams or a Next searchParams object. */
export function leaseParamsFrom(source: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of LEASE_QUERY_PARAMS) {
    const raw = source instanceof URLSearchParams ? (source.get(name) ?? undefined) : source[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    out[name] = value === undefined || value.trim() === "" ? undefined : value;
  }
  return out;
}

/** Field → first message, for forms: { q: "…", state: "…" }. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "input"] ??= issue.message;
  return errors;
}

/** The filter as the audit log records it: only what was set. */
export function describeFilter(filter: LeaseFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (filter.q) out.q = filter.q;
  if (filter.q && filter.field !== "any") out.field = filter.field;
  if (filter.pool) out.pool = filter.pool;
  if (filter.state) out.state = filter.state === "LIVE" ? "live" : filter.state.join(",").toLowerCase();
  return out;
}
