"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { plural } from "@/components/format/words";
import { PoolForm, poolFieldId, type PoolFormErrors } from "@/components/pools/pool-form";
import { formErrorsOf, NEW_POOL_VALUES, POOL_FORM_FIELDS, poolFormValuesOf, poolInputOf, type PoolFormField, type PoolFormValues } from "@/components/pools/pool-form-values";
import { PoolPreview, type PoolPreviewStatus } from "@/components/pools/pool-preview";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { poolFieldErrors, poolInputSchema, type PoolInput } from "@/server/api/inputs/pool";
import { affectedLeasesOf, fieldErrorsOf, messageOf } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/client";

const PREVIEW_DELAY_MS = 300;

/** `value` once it has stayed the same for `delay` ms; undefined values are skipped (the last defined one stays). */
function useSettled<T>(value: T | undefined, delay: number): T | undefined {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (value === undefined) return;
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

interface Confirmation {
  message: string;
  count: number;
}

/**
 * Creates or edits a pool. Every keystroke is checked with the server's own schema
 * (poolInputSchema, same messages, shown next to the field once it was left or the form sent);
 * valid input feeds the live preview (pools.preview, debounced). What only the server knows (an
 * overlapping pool, live leases a shrink would revoke) comes back from the save: field messages
 * land next to their field, and a change that needs confirmation opens a dialog with the count.
 */
export function PoolEditor({ poolId, initialInput, canEdit }: { poolId?: number; initialInput?: Record<string, unknown>; canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const creating = poolId === undefined;
  const [values, setValues] = useState<PoolFormValues>(() => (initialInput ? poolFormValuesOf(initialInput) : NEW_POOL_VALUES));
  const [touched, setTouched] = useState<ReadonlySet<PoolFormField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<PoolFormErrors>({});
  const [notice, setNotice] = useState<string>();
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);

  // When the stored pool changes under the form (saved here, enabled or disabled elsewhere on the
  // page), show what is stored now.
  const initialKey = JSON.stringify(initialInput ?? null);
  const [baselineKey, setBaselineKey] = useState(initialKey);
  if (initialKey !== baselineKey) {
    setBaselineKey(initialKey);
    setValues(initialInput ? poolFormValuesOf(initialInput) : NEW_POOL_VALUES);
  }

  const input = useMemo(() => poolInputOf(values) as PoolInput, [values]);
  const clientErrors = useMemo<PoolFormErrors>(() => {
    const parsed = poolInputSchema.safeParse(input);
    return parsed.success ? {} : formErrorsOf(poolFieldErrors(parsed.error));
  }, [input]);
  const valid = Object.keys(clientErrors).length === 0;

  const previewInput = useSettled(valid ? input : undefined, PREVIEW_DELAY_MS);
  const preview = useQuery(
    trpc.pools.preview.queryOptions(previewInput ?? {}, { enabled: previewInput !== undefined, placeholderData: keepPreviousData, staleTime: 60_000 }),
  );
  const plan = preview.data?.ok ? preview.data.plan : null;
  const waiting = valid && (previewInput !== input || preview.isFetching);
  let previewStatus: PoolPreviewStatus = plan ? (waiting ? "updating" : "ready") : "loading";
  let previewMessage: string | undefined;
  if (!valid) previewStatus = previewInput === undefined ? "idle" : "paused";
  else if (preview.isError) [previewStatus, previewMessage] = ["error", messageOf(preview.error)];
  else if (preview.data && !preview.data.ok && !waiting) [previewStatus, previewMessage] = ["paused", Object.values(preview.data.fieldErrors)[0]];
  if (!valid && previewInput === undefined) previewMessage = "Fill in the name, range and lease time to see the figures.";

  const refreshAll = () => {
    router.refresh();
    return queryClient.invalidateQueries();
  };

  const onSaveError = (error: unknown) => {
    const count = affectedLeasesOf(error);
    if (count !== undefined) {
      setConfirmation({ message: messageOf(error), count });
      return;
    }
    const byField = formErrorsOf(fieldErrorsOf(error));
    if (Object.keys(byField).length === 0) byField.form = messageOf(error);
    setServerErrors(byField);
    const first = POOL_FORM_FIELDS.find((field) => byField[field]);
    if (first) document.getElementById(poolFieldId(first))?.focus();
  };

  const create = useMutation(
    trpc.pools.create.mutationOptions({
      onSuccess: (pool) => {
        void queryClient.invalidateQueries();
        router.push(`/pools/${pool.id}?created=1`);
      },
      onError: onSaveError,
    }),
  );
  const update = useMutation(
    trpc.pools.update.mutationOptions({
      onSuccess: (result) => {
        setConfirmation(null);
        setServerErrors({});
        setNotice(result.revokedLeases > 0 ? `Saved; ${plural(result.revokedLeases, "live lease was", "live leases were")} revoked and quarantined.` : "Saved.");
        void refreshAll();
      },
      onError: (error) => {
        // A refusal while the dialog is open is shown in the dialog.
        if (confirmation && affectedLeasesOf(error) === undefined) return;
        onSaveError(error);
      },
    }),
  );
  const saving = create.isPending || update.isPending;

  const errors: PoolFormErrors = { form: serverErrors.form };
  for (const field of POOL_FORM_FIELDS) {
    const shown = serverErrors[field] ?? (submitted || touched.has(field) ? clientErrors[field] : undefined);
    if (shown) errors[field] = shown;
  }

  function change<F extends PoolFormField>(field: F, value: PoolFormValues[F]) {
    setValues((current) => ({ ...current, [field]: value }));
    setNotice(undefined);
    if (serverErrors[field] || serverErrors.form) setServerErrors(({ [field]: _dropped, form: _form, ...rest }) => rest);
    // A choice (kind, a checkbox) counts as visited at once; text fields when left.
    if (typeof value === "boolean" || field === "kind") setTouched((current) => new Set(current).add(field));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!canEdit || saving) return;
    setSubmitted(true);
    setNotice(undefined);
    setServerErrors({});
    if (!valid) {
      const first = POOL_FORM_FIELDS.find((field) => clientErrors[field]);
      if (first) document.getElementById(poolFieldId(first))?.focus();
      return;
    }
    if (creating) create.mutate(input);
    else update.mutate({ ...input, id: poolId, confirm: false });
  }

  const saved = useMemo(() => JSON.stringify(poolInputOf(initialInput ? poolFormValuesOf(initialInput) : NEW_POOL_VALUES)), [initialInput]);
  const dirty = JSON.stringify(input) !== saved;
  function discard() {
    setValues(initialInput ? poolFormValuesOf(initialInput) : NEW_POOL_VALUES);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setNotice(undefined);
  }

  const invalidCount = POOL_FORM_FIELDS.filter((field) => clientErrors[field]).length;
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <Card>
        <CardBody className="py-6">
          <PoolForm
            label={creating ? "New pool" : "Pool settings"}
            values={values}
            errors={errors}
            onChange={change}
            onBlur={(field) => setTouched((current) => (current.has(field) ? current : new Set(current).add(field)))}
            onSubmit={submit}
            readOnly={!canEdit}
            actions={
              canEdit ? (
                <div className="space-y-3 border-t border-line pt-5">
                  {notice && <Alert tone="success">{notice}</Alert>}
                  {submitted && !valid && (
                    <Alert>
                      {plural(invalidCount, "field needs", "fields need")} correcting: {POOL_FORM_FIELDS.filter((field) => clientErrors[field]).map(labelOf).join(", ")}.
                    </Alert>
                  )}
                  <div className="flex flex-wrap items-center gap-3">
                    <Button type="submit" variant="primary" pending={saving}>
                      {creating ? "Create pool" : "Save changes"}
                    </Button>
                    {creating ? (
                      <Link href="/pools" className={buttonClasses("ghost")}>
                        Cancel
                      </Link>
                    ) : (
                      <Button variant="ghost" disabled={!dirty || saving} onClick={discard}>
                        Discard changes
                      </Button>
                    )}
                  </div>
                </div>
              ) : (
                <p className="border-t border-line pt-5 text-sm text-ink-muted">You are signed in as a viewer: an admin can change this pool.</p>
              )
            }
          />
        </CardBody>
      </Card>
      <PoolPreview plan={plan} status={previewStatus} message={previewMessage} className="lg:sticky lg:top-4" />

      <ConfirmDialog
        open={confirmation !== null}
        title={`Revoke ${plural(confirmation?.count ?? 0, "live lease")}?`}
        confirmLabel={`Revoke ${plural(confirmation?.count ?? 0, "lease")} and save`}
        pending={update.isPending}
        footer={confirmation && update.error && affectedLeasesOf(update.error) === undefined ? <Alert>{messageOf(update.error)}</Alert> : undefined}
        onClose={() => {
          setConfirmation(null);
          update.reset();
        }}
        onConfirm={() => update.mutate({ ...input, id: poolId!, confirm: true })}
      >
        <p className="text-ink">{confirmation?.message}.</p>
        <p>
          Revoked leases are quarantined until they would have expired, so no other subscriber gets their address or port set while the client may still use it.
          The clients are refused when they renew.
        </p>
      </ConfirmDialog>
    </div>
  );
}

const LABELS: Record<PoolFormField, string> = {
  name: "name",
  kind: "kind",
  range: "address range",
  enabled: "enabled",
  psidOffset: "PSID offset",
  psidLength: "PSID length",
  reservedPorts: "reserved ports",
  allowWellKnown: "well-known ports",
  leaseTime: "lease time",
  renewTime: "renew time",
  rebindTime: "rebind time",
  subnetMask: "subnet mask",
  routers: "routers",
  dnsServers: "DNS servers",
  brAddress: "BR address",
  bindPrefix: "binding prefix",
  linkAddressPrefix: "relay link-address prefix",
  interfaceId: "Interface-Id",
  sourcePrefix: "IPv6 source prefix",
};

const labelOf = (field: PoolFormField) => LABELS[field];
