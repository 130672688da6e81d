"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { operatorPassword } from "@/server/api/inputs/operator";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, Input } from "@/components/ui/form-field";
import { fieldErrorsOf, messageOf } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/client";
import type { OperatorRow } from "./operators-panel";

/**
 * One operator's actions: switch role, disable or enable, reset the password. Each of them
 * signs the operator out (the server ends their sessions) so the change applies at once.
 */
export function OperatorActions({ operator, isSelf }: { operator: OperatorRow; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string>();
  const [resetting, setResetting] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.operators.list.queryKey() });
  const setRole = useMutation(trpc.operators.setRole.mutationOptions({ onSuccess: refresh }));
  const setDisabled = useMutation(trpc.operators.setDisabled.mutationOptions({ onSuccess: refresh }));
  const error = setRole.error ?? setDisabled.error;
  const busy = setRole.isPending || setDisabled.isPending;
  const otherRole = operator.role === "ADMIN" ? "VIEWER" : "ADMIN";

  const run = (action: () => void) => {
    setNotice(undefined);
    setRole.reset();
    setDisabled.reset();
    action();
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {/* Changing your own role or account from here would lock you out mid-click; another admin can. */}
        <Button
          size="sm"
          disabled={isSelf || busy}
          pending={setRole.isPending}
          title={isSelf ? "Another admin can change your role" : undefined}
          onClick={() => run(() => setRole.mutate({ id: operator.id, role: otherRole }))}
        >
          {otherRole === "ADMIN" ? "Make admin" : "Make viewer"}
        </Button>
        <Button
          size="sm"
          variant={operator.disabled ? "secondary" : "danger"}
          disabled={isSelf || busy}
          pending={setDisabled.isPending}
          title={isSelf ? "Another admin can disable your account" : undefined}
          onClick={() => run(() => setDisabled.mutate({ id: operator.id, disabled: !operator.disabled }))}
        >
          {operator.disabled ? "Enable" : "Disable"}
        </Button>
        <Button size="sm" variant="ghost" aria-expanded={resetting} onClick={() => run(() => setResetting((open) => !open))}>
          Reset password
        </Button>
      </div>
      {resetting && (
        <ResetPasswordForm
          operator={operator}
          onDone={(message) => {
            setResetting(false);
            setNotice(message);
          }}
          onCancel={() => setResetting(false)}
        />
      )}
      {error && <Alert>{messageOf(error)}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
    </div>
  );
}

function ResetPasswordForm({ operator, onDone, onCancel }: { operator: OperatorRow; onDone: (message: string) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [clientError, setClientError] = useState<string>();
  const reset = useMutation(
    trpc.operators.resetPassword.mutationOptions({ onSuccess: () => onDone(`New password set; ${operator.username} was signed out.`) }),
  );
  const error = clientError ?? fieldErrorsOf(reset.error).password ?? (reset.error ? messageOf(reset.error) : undefined);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = operatorPassword.safeParse(new FormData(event.currentTarget).get("password"));
    if (!parsed.success) return setClientError(parsed.error.issues[0]?.message);
    setClientError(undefined);
    reset.mutate({ id: operator.id, password: parsed.data });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-1.5">
      <label htmlFor={id} className="block text-xs font-medium text-ink-muted">
        New password for {operator.username}
      </label>
      <div className="flex flex-wrap gap-2">
        <div className="w-52">
          <Input id={id} name="password" type="password" autoComplete="new-password" autoFocus compact invalid={!!error} {...describedBy(id, error)} />
        </div>
        <Button type="submit" size="sm" variant="primary" pending={reset.isPending}>
          Set password
        </Button>
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
      {error && (
        <p id={`${id}-error`} className="text-xs text-danger">
          {error}
        </p>
      )}
    </form>
  );
}
