"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { newOperatorInput } from "@/server/api/inputs/operator";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { describedBy, FormField, Input, Select } from "@/components/ui/form-field";
import { fieldErrorsOf, messageOf } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/client";

type Field = "username" | "password" | "role";
const FIELDS: Field[] = ["username", "password", "role"];

/**
 * Adds an operator. The input is checked here with the server's own zod rules (same messages),
 * so most mistakes show at once; what only the server knows (the name is taken) comes back as
 * `fieldErrors` and lands next to the same field.
 */
export function AddOperatorForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [clientErrors, setClientErrors] = useState<Partial<Record<Field, string>>>({});
  const [added, setAdded] = useState<string>();
  const create = useMutation(
    trpc.operators.create.mutationOptions({
      onSuccess: (operator) => {
        setAdded(`${operator.username} can now sign in as ${operator.role === "ADMIN" ? "an admin" : "a viewer"}.`);
        return queryClient.invalidateQueries({ queryKey: trpc.operators.list.queryKey() });
      },
    }),
  );

  const serverErrors = fieldErrorsOf(create.error);
  const errors: Partial<Record<Field, string>> = { ...serverErrors, ...clientErrors };
  const formError = create.error && !FIELDS.some((field) => serverErrors[field]) ? messageOf(create.error) : undefined;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setAdded(undefined);
    create.reset();
    const parsed = newOperatorInput.safeParse({ username: data.get("username"), password: data.get("password"), role: data.get("role") });
    if (!parsed.success) {
      const found: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as Field;
        found[field] ??= issue.message; // the first problem of each field is enough
      }
      setClientErrors(found);
      return;
    }
    setClientErrors({});
    create.mutate(parsed.data, { onSuccess: () => form.reset() });
  }

  return (
    <Card aria-labelledby="add-operator-heading">
      <CardHeader id="add-operator-heading" title="Add operator" description="Viewers see everything; admins can also change pools, leases and operators." />
      <CardBody>
        <form onSubmit={submit} noValidate className="space-y-4">
          {formError && <Alert>{formError}</Alert>}
          {added && <Alert tone="success">{added}</Alert>}
          <div className="grid items-start gap-4 md:grid-cols-[1fr_1fr_10rem_auto]">
            <FormField id="new-username" label="Username" error={errors.username}>
              <Input id="new-username" name="username" autoComplete="off" spellCheck={false} invalid={!!errors.username} {...describedBy("new-username", errors.username)} />
            </FormField>
            <FormField id="new-password" label="Password" error={errors.password} hint="At least 10 characters">
              <Input
                id="new-password"
                name="password"
                type="password"
                autoComplete="new-password"
                invalid={!!errors.password}
                {...describedBy("new-password", errors.password, true)}
              />
            </FormField>
            <FormField id="new-role" label="Role" error={errors.role}>
              <Select id="new-role" name="role" defaultValue="VIEWER" invalid={!!errors.role} {...describedBy("new-role", errors.role)}>
                <option value="VIEWER">Viewer</option>
                <option value="ADMIN">Admin</option>
              </Select>
            </FormField>
            {/* The label-sized spacer lines the button up with the inputs on wide screens. */}
            <div className="md:pt-[1.625rem]">
              <Button type="submit" variant="primary" pending={create.isPending} className="w-full md:w-auto">
                Add operator
              </Button>
            </div>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
