import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";
import { cn } from "./cn";

// Controls fill their container's width; size them by wrapping them, not with a class
// (two width or height classes on one element would fight).
const control =
  "block w-full rounded-md border bg-surface px-3 text-sm text-ink placeholder:text-ink-muted/70 " +
  "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-accent disabled:opacity-60";

/**
 * A label, a control and the control's error or hint underneath. The error is tied to the
 * control with aria-describedby so screen readers read it with the field.
 */
export function FormField({ id, label, error, hint, children, className }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-ink">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-danger">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-sm text-ink-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The aria attributes that connect a control to FormField's error or hint. */
export function describedBy(id: string, error: string | undefined, hint?: boolean) {
  return {
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  } as const;
}

const heights = { md: "h-10", sm: "h-8" } as const;

export function Input({ className, invalid, compact, ...rest }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean; compact?: boolean }) {
  return <input className={cn(control, heights[compact ? "sm" : "md"], invalid ? "border-danger" : "border-line", className)} {...rest} />;
}

export function Select({ className, invalid, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }) {
  return (
    <select className={cn(control, heights.md, "pr-8", invalid ? "border-danger" : "border-line", className)} {...rest}>
      {children}
    </select>
  );
}

/**
 * A checkbox with its label on the right and, under the label, its hint or error (tied to the
 * box with aria-describedby).
 */
export function Checkbox({
  id,
  label,
  hint,
  error,
  className,
  ...rest
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { id: string; label: ReactNode; hint?: ReactNode; error?: string }) {
  return (
    <div className={cn("flex items-start gap-3", className)}>
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 shrink-0 rounded border-line accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent disabled:opacity-60"
        {...describedBy(id, error, !!hint)}
        {...rest}
      />
      <div className="space-y-0.5">
        <label htmlFor={id} className="block text-sm font-medium text-ink">
          {label}
        </label>
        {error ? (
          <p id={`${id}-error`} className="text-sm text-danger">
            {error}
          </p>
        ) : hint ? (
          <p id={`${id}-hint`} className="text-sm text-ink-muted">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
