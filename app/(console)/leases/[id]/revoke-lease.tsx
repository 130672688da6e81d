"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatUtc } from "@/components/format/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { fieldErrorsOf, messageOf } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/client";
import { RevokeReasonField } from "../revoke-reason-field";

/**
 * Revoke one lease (admins): a confirmation that says what happens to the port set, an optional
 * reason for the history, then the page reloads with the new state. Rendered for every lease an
 * admin opens, so the outcome stays shown after the reload; the button only while it is live.
 */
export function RevokeLease({ id, label, shared, quarantineUntil }: { id: number; label: string; shared: boolean; quarantineUntil: Date | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string>();
  const revoke = useMutation(
    trpc.leases.revoke.mutationOptions({
      onSuccess: (result) => {
        setOpen(false);
        setDone(`Revoked. The ${shared ? "port set" : "address"} stays quarantined until ${formatUtc(result.quarantineUntil)} UTC.`);
        router.refresh();
      },
    }),
  );
  const reasonError = fieldErrorsOf(revoke.error).reason;
  const what = shared ? "its port set" : "its address";
  if (!quarantineUntil) return done ? <Alert tone="success">{done}</Alert> : null;

  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        variant="danger"
        onClick={() => {
          revoke.reset();
          setDone(undefined);
          setOpen(true);
        }}
      >
        Revoke lease…
      </Button>
      {done && <Alert tone="success">{done}</Alert>}
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Revoke this lease"
        confirmLabel="Revoke lease"
        pending={revoke.isPending}
        onConfirm={() => revoke.mutate({ id, reason: reason.trim() || undefined })}
        footer={
          <div className="space-y-3">
            <RevokeReasonField value={reason} onChange={setReason} error={reasonError} />
            {revoke.error && !reasonError && <Alert>{messageOf(revoke.error)}</Alert>}
          </div>
        }
      >
        <p data-testid="revoke-count">
          <strong>1 lease</strong> ({label}) will be revoked; {what} stays quarantined until {formatUtc(quarantineUntil)} UTC.
        </p>
        <p className="text-ink-muted">The client is refused (DHCPNAK) when it next renews, and no other subscriber gets {what} before then.</p>
      </ConfirmDialog>
    </div>
  );
}
