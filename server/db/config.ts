import path from "node:path";

/** Where the database lives. The provider follows from DATABASE_URL: a postgres:// URL means PostgreSQL. */
export type DatabaseConfig =
  | { provider: "sqlite"; url: string; file: string }
  | { provider: "postgresql"; url: string };

export const DEFAULT_SQLITE_URL = "file:./data/portshare.db";

export function resolveDatabaseConfig(url: string | undefined = process.env.DATABASE_URL): DatabaseConfig {
  const value = url?.trim() || DEFAULT_SQLITE_URL;
  if (/^postgres(ql)?:\/\//i.test(value)) return { provider: "postgresql", url: value };
  if (!value.startsWith("file:")) {
    throw new Error(`DATABASE_URL must be a file: URL (SQLite) or a postgres:// URL, got "${value}"`);
  }
  return { provider: "sqlite", url: value, file: path.resolve(value.slice("file:".length)) };
}

/** A description that is safe to show (no password). */
export function describeDatabase(config: DatabaseConfig): string {
  if (config.provider === "sqlite") return `SQLite ${config.file}`;
  const u = new URL(config.url);
  return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
}
