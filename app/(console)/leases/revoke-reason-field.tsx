"use client";

import { useId } from "react";
import { describedBy, Input } from "@/components/ui/form-field";

/** The optional reason of a revoke (one lease or all matching), with the server's message for it. */
export function RevokeReasonField({ value, onChange, error }: { value: string; onChange(value: string): void; error?: string }) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-ink">
        Reason <span className="font-normal text-ink-muted">(optional, kept in the history and the audit log)</span>
      </label>
      <Input id={id} value={value} maxLength={200} onChange={(event) => onChange(event.target.value)} invalid={!!error} {...describedBy(id, error)} />
      {error && (
        <p id={`${id}-error`} className="text-sm text-danger">
          {error}
        </p>
      )}
    </div>
  );
}
