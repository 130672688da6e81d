// The pool form's values as typed (strings and checkboxes), and their conversion to and from
// the pool input the API takes (server/alloc/pool-spec.ts poolFieldsSchema: optional fields may
// be left out, lists are arrays, numbers may be digit strings).

export interface PoolFormValues {
  name: string;
  kind: "shared" | "dedicated";
  range: string;
  psidOffset: string;
  psidLength: string;
  /** "5060, 8000-8099". */
  reservedPorts: string;
  allowWellKnown: boolean;
  leaseTime: string;
  renewTime: string;
  rebindTime: string;
  subnetMask: string;
  /** Comma- or space-separated dotted quads. */
  routers: string;
  dnsServers: string;
  brAddress: string;
  bindPrefix: string;
  linkAddressPrefix: string;
  interfaceId: string;
  sourcePrefix: string;
  enabled: boolean;
}

export type PoolFormField = keyof PoolFormValues;

/** The fields in the order the form shows them (the first invalid one gets the focus). */
export const POOL_FORM_FIELDS: readonly PoolFormField[] = [
  "name",
  "kind",
  "range",
  "enabled",
  "psidOffset",
  "psidLength",
  "reservedPorts",
  "allowWellKnown",
  "leaseTime",
  "renewTime",
  "rebindTime",
  "subnetMask",
  "routers",
  "dnsServers",
  "brAddress",
  "bindPrefix",
  "linkAddressPrefix",
  "interfaceId",
  "sourcePrefix",
];

/** The fields only a shared pool has (RFC 7597 §5.1 layout, RFC 7618 §8 exclusions). */
export const SHARED_ONLY_FIELDS: readonly PoolFormField[] = ["psidOffset", "psidLength", "reservedPorts", "allowWellKnown"];

/** A new pool: shared, the MAP default offset 6 (RFC 7597 §5.1), 64 subscribers per address, one hour. */
export const NEW_POOL_VALUES: PoolFormValues = {
  name: "",
  kind: "shared",
  range: "",
  psidOffset: "6",
  psidLength: "6",
  reservedPorts: "",
  allowWellKnown: false,
  leaseTime: "3600",
  renewTime: "",
  rebindTime: "",
  subnetMask: "",
  routers: "",
  dnsServers: "",
  brAddress: "",
  bindPrefix: "",
  linkAddressPrefix: "",
  interfaceId: "",
  sourcePrefix: "",
  enabled: true,
};

const listText = (value: unknown) => (Array.isArray(value) ? value.map(String).join(", ") : value === undefined || value === null ? "" : String(value));
const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

/** The form's values for a stored pool's input (pools.get `input`). */
export function poolFormValuesOf(input: Record<string, unknown>): PoolFormValues {
  return {
    name: text(input.name),
    kind: input.kind === "dedicated" ? "dedicated" : "shared",
    range: text(input.range),
    psidOffset: text(input.psidOffset),
    psidLength: text(input.psidLength),
    reservedPorts: listText(input.reservedPorts),
    allowWellKnown: input.allowWellKnown === true,
    leaseTime: text(input.leaseTime),
    renewTime: text(input.renewTime),
    rebindTime: text(input.rebindTime),
    subnetMask: text(input.subnetMask),
    routers: listText(input.routers),
    dnsServers: listText(input.dnsServers),
    brAddress: text(input.brAddress),
    bindPrefix: text(input.bindPrefix),
    linkAddressPrefix: text(input.linkAddressPrefix),
    interfaceId: text(input.interfaceId),
    sourcePrefix: text(input.sourcePrefix),
    enabled: input.enabled !== false,
  };
}

const splitList = (value: string) => value.split(/[\s,;]+/).filter(Boolean);

/**
 * The API input for the form's values: blank fields left out (their defaults apply), lists split
 * on commas and spaces, and a dedicated pool without the port-set fields it does not have.
 */
export function poolInputOf(values: PoolFormValues): Record<string, unknown> {
  const input: Record<string, unknown> = { name: values.name, kind: values.kind, range: values.range };
  const put = (field: PoolFormField, value: string) => {
    if (value.trim() !== "") input[field] = value.trim();
  };
  if (values.kind === "shared") {
    put("psidOffset", values.psidOffset);
    put("psidLength", values.psidLength);
    const reserved = splitList(values.reservedPorts);
    if (reserved.length > 0) input.reservedPorts = reserved;
    if (values.allowWellKnown) input.allowWellKnown = true;
  }
  put("leaseTime", values.leaseTime);
  put("renewTime", values.renewTime);
  put("rebindTime", values.rebindTime);
  put("subnetMask", values.subnetMask);
  for (const field of ["routers", "dnsServers"] as const) {
    const list = splitList(values[field]);
    if (list.length > 0) input[field] = list;
  }
  for (const field of ["brAddress", "bindPrefix", "linkAddressPrefix", "interfaceId", "sourcePrefix"] as const) put(field, values[field]);
  input.enabled = values.enabled;
  return input;
}

/**
 * Messages by form field from messages by input path ("reservedPorts.1" → "reservedPorts"); the
 * first message of a field wins. Paths that are no field ("input", "id") land under "form".
 */
export function formErrorsOf(byPath: Record<string, string>): Partial<Record<PoolFormField | "form", string>> {
  const errors: Partial<Record<PoolFormField | "form", string>> = {};
  for (const [path, message] of Object.entries(byPath)) {
    const head = path.split(".")[0] as PoolFormField;
    const field = POOL_FORM_FIELDS.includes(head) ? head : "form";
    errors[field] ??= message;
  }
  return errors;
}
