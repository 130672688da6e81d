"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatUtc } from "@/components/format/time";
import { plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { codeOf, fieldErrorsOf, messageOf } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/client";
import { filterOnly, leaseSearch, type LeaseQuery } from "./lease-links";
import { RevokeReasonField } from "./revoke-reason-field";

const EXPORTS = [
  { path: "/api/export/leases.csv", label: "Leases CSV", title: "Every lease matching the filters, as CSV" },
  { path: "/api/export/bindings.csv", label: "Bindings CSV", title: "The lw4o6 binding table (bound shared leases) as CSV" },
  { path: "/api/export/bindings.json", label: "Bindings JSON", title: "The lw4o6 binding table as RFC 8676 binding-entry JSON" },
] as const;

/** Download links for the current filters (plain links: the browser sends the session cookie). */
export function ExportLinks({ query }: { query: LeaseQuery }) {
  const search = leaseSearch(filterOnly(query));
  return (
    <div role="group" aria-label="Export" className="flex flex-wrap items-center gap-2">
      <span className="text-sm text-ink-muted">Export:</span>
      {EXPORTS.map((item) => (
        <a key={item.path} href={search ? `${item.path}?${search}` : item.path} download className={buttonClasses("secondary", "sm")} title={item.title}>
          <span aria-hidden>↓</span> {item.label}
        </a>
      ))}
    </div>
  );
}

/** The quarantine sentence: one date, or the span of the leases' own expiries. */
function quarantineText(from: Date | null, until: Date | null): string {
  if (!from || !until) return "";
  if (formatUtc(from) === formatUtc(until)) return `until ${formatUtc(until)} UTC`;
  return `until their original expiry, at the latest ${formatUtc(until)} UTC (the first at ${formatUtc(from)} UTC)`;
}

/**
 * "Revoke matching…" (admins): counts the live leases the current filter matches, says how
 * many will be revoked and how long their port sets stay quarantined, and sends that count with
 * the request. The server counts again and refuses a different number; the dialog then shows
 * the new count to confirm again.
 */
export function RevokeMatching({ query, matching }: { query: LeaseQuery; matching: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string>();
  const filter = filterOnly(query);
  const revocable = useQuery({ ...trpc.leases.revocable.queryOptions(filter), enabled: open, staleTime: 0, gcTime: 0 });
  const revoke = useMutation(
    trpc.leases.revokeMatching.mutationOptions({
      onSuccess: (result) => {
        setOpen(false);
        setReason("");
        setDone(`Revoked ${plural(result.revoked, "lease")}; their port sets stay quarantined ${quarantineText(result.quarantineFrom, result.quarantineUntil)}.`);
        router.refresh();
      },
      onError: (error) => {
        // The count changed under the operator: show the new one and let them confirm again.
        if (codeOf(error) === "CONFLICT") void revocable.refetch();
      },
    }),
  );

  const count = revocable.data?.count;
  const changed = codeOf(revoke.error) === "CONFLICT";
  const reasonError = fieldErrorsOf(revoke.error).reason;

  return (
    <>
      <Button
        variant="danger"
        size="sm"
        onClick={() => {
          setDone(undefined);
          revoke.reset();
          setOpen(true);
        }}
        disabled={matching === 0}
        title={matching === 0 ? "No lease matches the filters" : "Revoke every live lease that matches the filters"}
      >
        Revoke matching…
      </Button>
      {done && (
        <Alert tone="success" className="w-full">
          {done}
        </Alert>
      )}
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Revoke the matching leases"
        confirmLabel={count ? `Revoke ${plural(count, "lease")}` : "Revoke"}
        canConfirm={!!count && !revocable.isFetching}
        pending={revoke.isPending}
        onConfirm={() => count !== undefined && revoke.mutate({ filter, expectedCount: count, reason: reason.trim() || undefined })}
        footer={
          <div className="space-y-3">
            {count ? <RevokeReasonField value={reason} onChange={setReason} error={reasonError} /> : null}
            {revoke.error && <Alert tone={changed ? "info" : "danger"}>{changed ? `${messageOf(revoke.error)}.` : messageOf(revoke.error)}</Alert>}
            {revocable.isError && <Alert>Could not count the leases: {messageOf(revocable.error)}</Alert>}
          </div>
        }
      >
        {revocable.isPending || (revocable.isFetching && !revocable.data) ? (
          <div role="status" aria-label="Counting the matching leases" className="space-y-2">
            <Skeleton className="h-4 w-4/5" />
            <Skeleton className="h-4 w-3/5" />
          </div>
        ) : count === 0 ? (
          <p>No live lease matches these filters, so there is nothing to revoke. Released, expired, declined and revoked leases hold no port set.</p>
        ) : count ? (
          <>
            <p data-testid="revoke-count">
              <strong>{plural(count, "lease")}</strong> will be revoked; their port sets stay quarantined {quarantineText(revocable.data!.quarantineFrom, revocable.data!.quarantineUntil)}.
            </p>
            {!Object.values(filter).some(Boolean) && (
              <Alert>No search or filter is set: this revokes every live lease on this server.</Alert>
            )}
            <p className="text-ink-muted">Each client is refused (DHCPNAK) when it next renews. No other subscriber is given these port sets while they are quarantined.</p>
          </>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
