"use client";

import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, FormField, Input } from "@/components/ui/form-field";
import { fieldErrorsOf, messageOf } from "../_trpc/errors";
import { useTRPC } from "../_trpc/client";

export function LoginForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // A full page load, not a client-side route change: the console starts afresh with the new
      // session cookie, and nothing cached for a previous operator survives.
      onSuccess: () => window.location.assign(next),
    }),
  );

  const fieldErrors = fieldErrorsOf(signIn.error);
  // Messages that belong to a field are shown under it; anything else (wrong credentials) on top.
  const formError = signIn.error && !fieldErrors.username && !fieldErrors.password ? messageOf(signIn.error) : undefined;
  const busy = signIn.isPending || signIn.isSuccess;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signIn.mutate({ username: String(form.get("username") ?? ""), password: String(form.get("password") ?? "") });
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {formError && <Alert>{formError}</Alert>}
      <FormField id="username" label="Username" error={fieldErrors.username}>
        <Input id="username" name="username" autoComplete="username" autoFocus required invalid={!!fieldErrors.username} {...describedBy("username", fieldErrors.username)} />
      </FormField>
      <FormField id="password" label="Password" error={fieldErrors.password}>
        <Input id="password" name="password" type="password" autoComplete="current-password" required invalid={!!fieldErrors.password} {...describedBy("password", fieldErrors.password)} />
      </FormField>
      <Button type="submit" variant="primary" className="w-full" pending={busy}>
        Sign in
      </Button>
    </form>
  );
}
