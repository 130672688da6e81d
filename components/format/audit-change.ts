// An audit row keeps the state before and after an action as JSON objects, e.g.
// before {"role":"VIEWER","disabled":false} and after {"role":"ADMIN","disabled":false}.
// The audit page shows only what changed: "role: VIEWER → ADMIN".

export interface FieldChange {
  field: string;
  /** Undefined when the field did not exist before (a creation). */
  before?: string;
  /** Undefined when the field does not exist after (a deletion). */
  after?: string;
}

/** The fields that differ between the two JSON snapshots, in a stable order. */
export function auditChanges(beforeJson: string | null, afterJson: string | null): FieldChange[] {
  const before = parseSnapshot(beforeJson);
  const after = parseSnapshot(afterJson);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .map((field) => ({ field, before: show(before[field]), after: show(after[field]) }))
    .filter((change) => change.before !== change.after);
}

function parseSnapshot(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    // A snapshot that is not an object (a bare number, a list) is shown whole, as "value".
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: json };
  }
}

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
