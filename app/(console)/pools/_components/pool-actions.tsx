"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { affectedLeasesOf, messageOf } from "../../../_trpc/errors";
import { usePoolNotice, type PoolNotice } from "./pool-notices";
import { useTRPC } from "../../../_trpc/client";

type Step = { kind: "closed" } | { kind: "ask" } | { kind: "revoke"; count: number; message: string };

/**
 * An admin's actions on one pool: enable or disable it, and delete it. A delete is asked for
 * first; when the server then says live leases would be revoked (CONFLICT with their count), the
 * dialog says how many and only "Revoke and delete" sends it again with `confirm: true`.
 */
export function PoolActions({ pool, afterDelete, size = "sm" }: { pool: { id: number; name: string; enabled: boolean }; afterDelete: "list" | "stay"; size?: "sm" | "md" }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: "closed" });
  const [ownNotice, setOwnNotice] = useState<PoolNotice>();
  const pageNotice = usePoolNotice();
  const setNotice = pageNotice ?? setOwnNotice;
  const notice = pageNotice ? undefined : ownNotice;

  const refresh = () => {
    router.refresh();
    return queryClient.invalidateQueries();
  };
  const setEnabled = useMutation(
    trpc.pools.setEnabled.mutationOptions({
      onSuccess: (updated) => {
        setNotice({ tone: "success", text: updated.enabled ? `Pool "${updated.name}" is enabled.` : `Pool "${updated.name}" is disabled: it hands out nothing new.` });
        return refresh();
      },
      onError: (error) => setNotice({ tone: "danger", text: messageOf(error) }),
    }),
  );
  const remove = useMutation(
    trpc.pools.delete.mutationOptions({
      onSuccess: (result) => {
        setStep({ kind: "closed" });
        if (result.outcome === "deleted" && afterDelete === "list") {
          router.push(`/pools?deleted=${encodeURIComponent(pool.name)}`);
          void queryClient.invalidateQueries();
          return;
        }
        setNotice({ tone: "success", text: result.message });
        return refresh();
      },
      onError: (error) => {
        const count = affectedLeasesOf(error);
        if (count !== undefined) setStep({ kind: "revoke", count, message: messageOf(error) });
      },
    }),
  );
  const deleteError = remove.error && affectedLeasesOf(remove.error) === undefined ? messageOf(remove.error) : undefined;

  const close = () => {
    setStep({ kind: "closed" });
    remove.reset();
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2 sm:flex-nowrap">
        <Button
          size={size}
          pending={setEnabled.isPending}
          onClick={() => {
            setNotice(undefined);
            setEnabled.mutate({ id: pool.id, enabled: !pool.enabled });
          }}
          aria-label={`${pool.enabled ? "Disable" : "Enable"} pool ${pool.name}`}
        >
          {pool.enabled ? "Disable" : "Enable"}
        </Button>
        <Button
          size={size}
          variant="danger"
          onClick={() => {
            setNotice(undefined);
            remove.reset();
            setStep({ kind: "ask" });
          }}
          aria-label={`Delete pool ${pool.name}`}
        >
          Delete
        </Button>
      </div>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}

      <ConfirmDialog
        open={step.kind !== "closed"}
        onClose={close}
        title={step.kind === "revoke" ? `Revoke ${plural(step.count, "live lease")} and delete "${pool.name}"?` : `Delete pool "${pool.name}"?`}
        confirmLabel={step.kind === "revoke" ? `Revoke ${plural(step.count, "lease")} and delete` : "Delete pool"}
        pending={remove.isPending}
        onConfirm={() => remove.mutate({ id: pool.id, confirm: step.kind === "revoke" })}
        footer={deleteError ? <Alert>{deleteError}</Alert> : undefined}
      >
        {step.kind === "revoke" ? (
          <>
            <p>
              <strong>{plural(step.count, "live lease")}</strong> of this pool {step.count === 1 ? "is" : "are"} in use: {step.message}.
            </p>
            <p className="text-ink-muted">
              Revoked leases stay in quarantine until they would have expired; while any is, the pool is disabled instead of deleted, so that no port set goes to a
              second subscriber.
            </p>
          </>
        ) : (
          <p>The pool, its lease history and its reservations are removed. If it still has live leases, you will be told how many before anything is revoked.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
