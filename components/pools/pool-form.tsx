"use client";

import type { FormEvent, ReactNode } from "react";
import { Alert } from "../ui/alert";
import { cn } from "../ui/cn";
import { Checkbox, describedBy, FormField, Input } from "../ui/form-field";
import type { PoolFormField, PoolFormValues } from "./pool-form-values";

export type PoolFormErrors = Partial<Record<PoolFormField | "form", string>>;

export const poolFieldId = (field: PoolFormField) => `pool-${field}`;

interface PoolFormProps {
  values: PoolFormValues;
  errors: PoolFormErrors;
  onChange: <F extends PoolFormField>(field: F, value: PoolFormValues[F]) => void;
  onBlur: (field: PoolFormField) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  /** Viewers read the form; nothing can be changed. */
  readOnly?: boolean;
  /** The submit row (buttons, notices). */
  actions?: ReactNode;
  label: string;
}

/**
 * Every field of a pool (server/alloc/pool-spec.ts), grouped as an operator thinks of them:
 * addresses, port sets (RFC 7597 §5.1, RFC 7618 §8), lease times (RFC 2131 §4.4.5), DHCPv4
 * options, softwire (RFC 8539) and which clients the pool serves (protocol.md §3.7).
 */
export function PoolForm({ values, errors, onChange, onBlur, onSubmit, readOnly = false, actions, label }: PoolFormProps) {
  const shared = values.kind === "shared";

  const text = (field: Exclude<PoolFormField, "kind" | "allowWellKnown" | "enabled">, fieldLabel: string, hint: ReactNode, options: { placeholder?: string; numeric?: boolean; mono?: boolean } = {}) => {
    const id = poolFieldId(field);
    const error = errors[field];
    return (
      <FormField id={id} label={fieldLabel} error={error} hint={hint}>
        <Input
          id={id}
          name={field}
          value={values[field]}
          onChange={(event) => onChange(field, event.target.value)}
          onBlur={() => onBlur(field)}
          readOnly={readOnly}
          disabled={!shared && (field === "psidOffset" || field === "psidLength" || field === "reservedPorts")}
          placeholder={options.placeholder}
          inputMode={options.numeric ? "numeric" : undefined}
          autoComplete="off"
          spellCheck={false}
          invalid={!!error}
          className={cn(options.mono && "font-mono")}
          {...describedBy(id, error, !!hint)}
        />
      </FormField>
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label={label} className="space-y-8">
      {errors.form && <Alert>{errors.form}</Alert>}

      <Section title="Addresses">
        <div className="grid gap-4 sm:grid-cols-2">
          {text("name", "Name", "Letters, digits, dot, dash and underscore", { placeholder: "shared-east" })}
          {text("range", "Address range", "A prefix such as 192.0.2.0/24, or a range such as 192.0.2.10-192.0.2.200", { placeholder: "192.0.2.0/24", mono: true })}
        </div>
        <fieldset aria-describedby={errors.kind ? `${poolFieldId("kind")}-error` : undefined}>
          <legend className="mb-1.5 text-sm font-medium text-ink">Kind</legend>
          <div className="grid gap-3 sm:grid-cols-2">
            {(
              [
                ["shared", "Shared", "One address, many subscribers: each gets a port set (PSID)"],
                ["dedicated", "Dedicated", "Each subscriber gets a whole address, every port"],
              ] as const
            ).map(([kind, kindLabel, meaning]) => (
              <label
                key={kind}
                className={cn(
                  "flex cursor-pointer items-start gap-3 rounded-md border px-3 py-2.5 has-checked:border-accent has-checked:bg-accent-soft/60",
                  "has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-accent",
                  readOnly ? "cursor-default border-line" : "border-line hover:bg-surface-muted",
                )}
              >
                <input
                  id={kind === "shared" ? poolFieldId("kind") : undefined}
                  type="radio"
                  name="kind"
                  value={kind}
                  checked={values.kind === kind}
                  disabled={readOnly}
                  onChange={() => onChange("kind", kind)}
                  className="mt-0.5 size-4 accent-accent focus-visible:outline-none"
                />
                <span>
                  <span className="block text-sm font-medium text-ink">{kindLabel}</span>
                  <span className="block text-xs text-ink-muted">{meaning}</span>
                </span>
              </label>
            ))}
          </div>
          {errors.kind && (
            <p id={`${poolFieldId("kind")}-error`} className="mt-1.5 text-sm text-danger">
              {errors.kind}
            </p>
          )}
        </fieldset>
        <Checkbox
          id={poolFieldId("enabled")}
          label="Enabled"
          hint="A disabled pool hands out nothing new; its leases run their course."
          checked={values.enabled}
          disabled={readOnly}
          onChange={(event) => onChange("enabled", event.target.checked)}
          error={errors.enabled}
        />
      </Section>

      <Section
        title="Port sets"
        description={
          shared ? (
            <>
              Every port is split into offset bits a, PSID bits k and the rest (RFC 7597 §5.1): 2<sup>k</sup> subscribers share each address.
            </>
          ) : (
            "A dedicated pool hands out whole addresses with every port; port sets apply to shared pools."
          )
        }
      >
        <div className="grid gap-4 sm:grid-cols-2">
          {text("psidOffset", "PSID offset (a)", "0-15. 6 keeps ports 0-1023 out of every port set (the MAP default); lw4o6 uses 0", { numeric: true })}
          {text("psidLength", "PSID length (k)", "1-16 bits, with a + k ≤ 16", { numeric: true })}
        </div>
        {text("reservedPorts", "Reserved ports", "Ports no subscriber may get, e.g. 5060, 8000-8099: every PSID whose ports touch them is left out", {
          placeholder: "5060, 8000-8099",
          mono: true,
        })}
        <Checkbox
          id={poolFieldId("allowWellKnown")}
          label="Allow well-known ports (0-1023) in port sets"
          hint="Off by default: RFC 7618 §8 hands them out only when the operator says so."
          checked={values.allowWellKnown}
          disabled={readOnly || !shared}
          onChange={(event) => onChange("allowWellKnown", event.target.checked)}
          error={errors.allowWellKnown}
        />
      </Section>

      <Section title="Lease times" description="In seconds. T1 < T2 < lease time (RFC 2131 §4.4.5).">
        <div className="grid gap-4 sm:grid-cols-3">
          {text("leaseTime", "Lease time", "60 s to one year", { numeric: true })}
          {text("renewTime", "Renew time (T1)", "Default: half the lease time", { numeric: true })}
          {text("rebindTime", "Rebind time (T2)", "Default: 7/8 of the lease time", { numeric: true })}
        </div>
      </Section>

      <Section title="DHCPv4 options">
        <div className="grid gap-4 sm:grid-cols-3">
          {text("subnetMask", "Subnet mask", shared ? "Default /32 for a shared pool; 24 or 255.255.255.0" : "24 or 255.255.255.0", { mono: true })}
          {text("routers", "Routers", "IPv4 addresses, comma-separated", { mono: true })}
          {text("dnsServers", "DNS servers", "IPv4 addresses, comma-separated", { mono: true })}
        </div>
      </Section>

      <Section title="Softwire (RFC 8539)" description="Sent to clients that ask for them in their DHCPv6 Option Request.">
        <div className="grid gap-4 sm:grid-cols-2">
          {text("brAddress", "BR address", "The lwAFTR's IPv6 address (option 90)", { placeholder: "2001:db8::1", mono: true })}
          {text("bindPrefix", "Binding prefix", "IPv6 prefix for the softwire source (option 137)", { placeholder: "2001:db8:100::/40", mono: true })}
        </div>
      </Section>

      <Section title="Clients served" description="Leave all three empty to serve every client that no scoped pool matches (protocol.md §3.7).">
        <div className="grid gap-4 sm:grid-cols-3">
          {text("linkAddressPrefix", "Relay link-address prefix", "Relayed queries whose link-address is inside", { placeholder: "2001:db8:1::/48", mono: true })}
          {text("interfaceId", "Interface-Id", "The relay's Interface-Id: text, or hex:0a0b0c", { mono: true })}
          {text("sourcePrefix", "IPv6 source prefix", "Queries sent from inside this prefix", { placeholder: "2001:db8:2::/48", mono: true })}
        </div>
      </Section>

      {actions}
    </form>
  );
}

function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="space-y-4 border-t border-line pt-6 first-of-type:border-t-0 first-of-type:pt-0">
      <div>
        <h3 className="text-sm font-semibold text-ink">{title}</h3>
        {description && <p className="mt-0.5 text-sm text-ink-muted">{description}</p>}
      </div>
      {children}
    </section>
  );
}
