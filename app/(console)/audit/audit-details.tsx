import Link from "next/link";
import type { ReactNode } from "react";
import { auditChanges } from "@/components/format/audit-change";
import { formatIPv4 } from "@/components/format/ipv4";
import { formatUtc } from "@/components/format/time";
import { plural } from "@/components/format/words";
import { LeaseStateBadge } from "@/components/leases/lease-state";

// How an audit row's before/after reads. Most actions show the fields that changed
// ("role: VIEWER → ADMIN"); lease revocations read as a sentence, since their snapshots hold
// a lease (address as a number, client id) or a whole filter rather than edited fields.

type Snapshot = Record<string, unknown>;

function parse(json: string | null): Snapshot {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Snapshot) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);

function when(value: unknown): ReactNode {
  const iso = text(value);
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return null;
  return (
    <time dateTime={date.toISOString()} className="tabular-nums">
      {formatUtc(date)}
    </time>
  );
}

function address(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined || !/^\d+$/.test(raw)) return raw;
  try {
    return formatIPv4(BigInt(raw));
  } catch {
    return raw;
  }
}

const Label = ({ children }: { children: ReactNode }) => <span className="text-ink-muted">{children}</span>;

/** "lease 12" → a link to the lease; anything else as text. */
export function AuditTarget({ target }: { target: string | null }) {
  if (!target) return <span className="text-ink-muted">—</span>;
  const lease = /^lease (\d+)$/.exec(target);
  if (lease) {
    return (
      <Link href={`/leases/${lease[1]}`} className="text-accent underline-offset-2 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-accent">
        {target}
      </Link>
    );
  }
  return <span className="break-words">{target}</span>;
}

export function AuditDetails({ action, before, after }: { action: string; before: string | null; after: string | null }) {
  if (action === "lease.revoke") return <LeaseRevoke before={parse(before)} after={parse(after)} />;
  if (action === "lease.revokeMatching") return <BulkRevoke before={parse(before)} after={parse(after)} />;
  return <ChangeList before={before} after={after} />;
}

function LeaseRevoke({ before, after }: { before: Snapshot; after: Snapshot }) {
  // Older rows do not say whether the pool is shared; PSID 0 then reads as a dedicated address.
  const shared = typeof before.shared === "boolean" ? before.shared : before.psid !== undefined && before.psid !== 0;
  const slot = [address(before.address), shared ? `PSID ${text(before.psid)}` : null].filter(Boolean).join(" · ");
  return (
    <ul className="space-y-0.5 text-xs">
      <li className="flex flex-wrap items-center gap-1.5">
        {text(before.state) && <LeaseStateBadge state={text(before.state)!} />}
        <span aria-label="to" className="text-ink-muted">
          →
        </span>
        <LeaseStateBadge state={text(after.state) ?? "REVOKED"} />
        {slot && <span className="font-mono">{slot}</span>}
      </li>
      {text(before.pool) && (
        <li>
          <Label>pool:</Label> {text(before.pool)}
        </li>
      )}
      {text(before.clientId) && (
        <li>
          <Label>client:</Label> <span className="font-mono break-all">{text(before.clientId)}</span>
        </li>
      )}
      {when(after.quarantineUntil) && (
        <li>
          <Label>quarantined until:</Label> {when(after.quarantineUntil)}
        </li>
      )}
      {text(after.reason) && (
        <li>
          <Label>reason:</Label> {text(after.reason)}
        </li>
      )}
    </ul>
  );
}

function BulkRevoke({ before, after }: { before: Snapshot; after: Snapshot }) {
  const count = Number(after.count ?? before.count ?? 0);
  const filter = before.filter && typeof before.filter === "object" ? Object.entries(before.filter as Snapshot) : [];
  const states = before.states && typeof before.states === "object" ? Object.entries(before.states as Snapshot) : [];
  const from = when(after.quarantineFrom);
  const until = when(after.quarantineUntil);
  return (
    <ul className="space-y-0.5 text-xs">
      <li>
        <span className="font-medium">Revoked {plural(count, "lease")}</span>
        {states.length > 0 && <Label> ({states.map(([state, n]) => `${text(n)} ${state.toLowerCase()}`).join(", ")})</Label>}
      </li>
      <li>
        <Label>filter:</Label>{" "}
        {filter.length > 0 ? (
          <span className="font-mono">{filter.map(([key, value]) => `${key}=${text(value)}`).join(" ")}</span>
        ) : (
          <span>none (every live lease)</span>
        )}
      </li>
      {until && (
        <li>
          <Label>quarantined until:</Label> {from && formatUtc(new Date(text(after.quarantineFrom)!)) !== formatUtc(new Date(text(after.quarantineUntil)!)) ? <>{from} … </> : null}
          {until}
        </li>
      )}
      {text(after.reason) && (
        <li>
          <Label>reason:</Label> {text(after.reason)}
        </li>
      )}
    </ul>
  );
}

/** Only what changed, one field a line: "role: VIEWER → ADMIN". */
export function ChangeList({ before, after }: { before: string | null; after: string | null }) {
  const changes = auditChanges(before, after);
  if (changes.length === 0) return <span className="text-ink-muted">—</span>;
  return (
    <ul className="space-y-0.5 font-mono text-xs">
      {changes.map((change) => (
        <li key={change.field}>
          <span className="text-ink-muted">{change.field}:</span> {change.before !== undefined && <del className="text-danger no-underline">{change.before}</del>}
          {change.before !== undefined && change.after !== undefined && <span className="text-ink-muted"> → </span>}
          {change.after !== undefined && <ins className="text-success no-underline">{change.after}</ins>}
        </li>
      ))}
    </ul>
  );
}
