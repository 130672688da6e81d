"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { humanize } from "@/components/format/words";
import { LEASE_STATES } from "@/components/leases/lease-state";
import { Button, buttonClasses } from "@/components/ui/button";
import { describedBy, FormField, Input, Select } from "@/components/ui/form-field";
import { leaseHref, type LeaseQuery } from "./lease-links";

const SEARCH_IN = [
  { value: "any", label: "Anything" },
  { value: "client", label: "Client ID" },
  { value: "ipv4", label: "IPv4 address / range" },
  { value: "ipv6", label: "IPv6 address" },
  { value: "mac", label: "MAC address" },
] as const;

/**
 * Search and filters as a GET form: the choice lands in the URL (?q=…&pool=…&state=…), so a
 * search can be bookmarked or pasted into a ticket. The sort is kept; the page starts over.
 * With JavaScript the URL leaves out empty fields; without, the form still works as plain GET.
 * `errors` are the server's messages for the URL's values, shown under their field.
 */
export function LeaseFilters({ query, pools, errors }: { query: LeaseQuery; pools: { name: string; kind: string }[]; errors: Record<string, string> }) {
  const router = useRouter();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => (data.get(name) as string | null)?.trim() || undefined;
    router.push(leaseHref("/leases", { q: value("q"), field: value("field"), pool: value("pool"), state: value("state"), sort: query.sort, dir: query.dir }));
  };
  const poolNames = pools.map((pool) => pool.name);
  if (query.pool && !poolNames.includes(query.pool)) poolNames.push(query.pool);
  const filtered = Boolean(query.q || query.pool || query.state || (query.field && query.field !== "any"));
  const searchError = errors.q ?? errors.field;

  return (
    <form
      key={JSON.stringify(query)}
      action="/leases"
      method="get"
      onSubmit={submit}
      role="search"
      aria-label="Search leases"
      className="grid gap-3 border-b border-line px-5 py-4 sm:grid-cols-2 lg:grid-cols-[minmax(16rem,2fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_auto]"
    >
      <FormField id="lease-q" label="Search" error={errors.q} className="sm:col-span-2 lg:col-span-1">
        <Input
          id="lease-q"
          name="q"
          type="search"
          defaultValue={query.q ?? ""}
          placeholder="ff00000001…, 192.0.2.0/24, 2001:db8::5"
          autoComplete="off"
          spellCheck={false}
          invalid={!!errors.q}
          {...describedBy("lease-q", errors.q, true)}
        />
      </FormField>
      <FormField id="lease-field" label="Search in" error={errors.field}>
        <Select id="lease-field" name="field" defaultValue={query.field ?? "any"} invalid={!!errors.field} {...describedBy("lease-field", errors.field)}>
          {SEARCH_IN.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      </FormField>
      <FormField id="lease-pool" label="Pool" error={errors.pool}>
        <Select id="lease-pool" name="pool" defaultValue={query.pool ?? ""} invalid={!!errors.pool} {...describedBy("lease-pool", errors.pool)}>
          <option value="">All pools</option>
          {poolNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </Select>
      </FormField>
      <FormField id="lease-state" label="State" error={errors.state}>
        <Select id="lease-state" name="state" defaultValue={query.state ?? ""} invalid={!!errors.state} {...describedBy("lease-state", errors.state)}>
          <option value="">All states</option>
          <option value="live">Live (offered or bound, unexpired)</option>
          {LEASE_STATES.map((state) => (
            <option key={state} value={state.toLowerCase()}>
              {humanize(state)}
            </option>
          ))}
          {query.state && !["live", ...LEASE_STATES.map((s) => s.toLowerCase())].includes(query.state.toLowerCase()) && <option value={query.state}>{query.state}</option>}
        </Select>
      </FormField>
      {/* The sort stays when the search changes; the page does not. */}
      {query.sort && <input type="hidden" name="sort" value={query.sort} />}
      {query.dir && <input type="hidden" name="dir" value={query.dir} />}
      <div className="flex items-start gap-2 sm:col-span-2 lg:col-span-1 lg:pt-6.5">
        <Button type="submit" variant="primary">
          Search
        </Button>
        {(filtered || searchError) && (
          <Link href="/leases" className={buttonClasses("ghost")}>
            Clear
          </Link>
        )}
      </div>
      <p id="lease-q-hint" className="-mt-1 text-xs text-ink-muted sm:col-span-2 lg:col-span-5">
        Search for part of a client ID or MAC address, an IPv4 address, prefix (192.0.2.0/24) or range (192.0.2.1-192.0.2.9), or an IPv6 address.
      </p>
    </form>
  );
}
