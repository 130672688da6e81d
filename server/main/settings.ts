import { z } from "zod";

// Every environment setting of a Portshare process, validated once at start with a message
// that names the variable. README.md documents the same list.
const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be 0-65535`)
    .max(65535, `${name} must be 0-65535`);

/** A whole number ≥ 0; 0 switches a limit off. */
const count = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(0, `${name} must not be negative`);

const schema = z.object({
  PORT: port("PORT").default(3000),
  HOST: z.string().min(1, "HOST must not be empty").default("127.0.0.1"),
  DHCP_PORT: port("DHCP_PORT").default(547),
  DHCP_ADDRESS: z.ipv6({ error: "DHCP_ADDRESS must be an IPv6 address, e.g. :: or 2001:db8::1" }).default("::"),
  DHCP_INTERFACES: z
    .string()
    .regex(/^[\w.:@-]+(,[\w.:@-]+)*$/, "DHCP_INTERFACES must be interface names separated by commas, e.g. eth0,eth1")
    .optional(),
  PORTSHARE_POOLS: z.string().optional(),
  PORTSHARE_SERVER_ID: z.ipv4({ error: "PORTSHARE_SERVER_ID must be an IPv4 address (the DHCPv4 server identifier, option 54)" }).optional(),
  PORTSHARE_WORKER_ID: z.string().min(1).max(128, "PORTSHARE_WORKER_ID is at most 128 characters").optional(),
  // PostgreSQL with a single worker: nobody else writes leases, so offers stay in memory and no
  // lookups are made for leases of other workers (SQLite is always one worker).
  PORTSHARE_SOLE_WORKER: z
    .enum(["true", "false", "1", "0"], { error: "PORTSHARE_SOLE_WORKER must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .default(false),
  OFFER_HOLD_SECONDS: z.coerce
    .number({ error: "OFFER_HOLD_SECONDS must be a number" })
    .int("OFFER_HOLD_SECONDS must be a whole number")
    .min(5, "OFFER_HOLD_SECONDS must be at least 5")
    .max(3600, "OFFER_HOLD_SECONDS must be at most 3600")
    .default(60),
  QUARANTINE_SECONDS: z.coerce
    .number({ error: "QUARANTINE_SECONDS must be a number" })
    .int("QUARANTINE_SECONDS must be a whole number")
    .min(0, "QUARANTINE_SECONDS must not be negative")
    .optional(),
  METRICS_PORT: port("METRICS_PORT").optional(),
  METRICS_HOST: z.string().min(1, "METRICS_HOST must not be empty").default("127.0.0.1"),
  MAX_LEASES_PER_CLIENT: count("MAX_LEASES_PER_CLIENT").default(2),
  MAX_LEASES_PER_PREFIX: count("MAX_LEASES_PER_PREFIX").default(0),
  SUBSCRIBER_PREFIX_LENGTH: count("SUBSCRIBER_PREFIX_LENGTH").max(128, "SUBSCRIBER_PREFIX_LENGTH is at most 128").default(56),
  RATE_LIMIT_PER_SECOND: count("RATE_LIMIT_PER_SECOND").default(10),
  RATE_LIMIT_BURST: count("RATE_LIMIT_BURST").min(1, "RATE_LIMIT_BURST must be at least 1").default(40),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { error: "LOG_LEVEL must be debug, info, warn or error" }).default("info"),
});

export type Settings = z.infer<typeof schema>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const values = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(values);
  if (!result.success) throw new Error(result.error.issues.map((issue) => issue.message).join("; "));
  return result.data;
}
