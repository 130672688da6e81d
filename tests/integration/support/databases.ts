import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, type Database } from "@/server/db/client";
import type { DatabaseConfig } from "@/server/db/config";
import { resolveDatabaseConfig } from "@/server/db/config";
import { applyMigrations } from "@/server/db/migrations";

/** A database made for one test file: migrated, and removed by `drop()`. */
export interface TestDatabase {
  config: DatabaseConfig;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

export type Backend = "sqlite" | "postgresql";

/** PostgreSQL server for tests: TEST_DATABASE_URL, else the local one on 127.0.0.1:5432 (trust auth). */
const pgAdminUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

let pgAvailable: Promise<boolean> | undefined;
/** Whether a PostgreSQL server answers; in CI it must (the CI script starts it). */
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: pgAdminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${pgAdminUrl}, and CI requires it`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

/** The backends to run a suite on: SQLite always, PostgreSQL when it answers. */
export async function testBackends(): Promise<Backend[]> {
  return (await postgresAvailable()) ? ["sqlite", "postgresql"] : ["sqlite"];
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (a temporary SQLite file or a fresh PostgreSQL database), unmigrated. */
export async function createEmptyDatabase(backend: Backend): Promise<{ url: string; config: DatabaseConfig; remove(): Promise<void> }> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "portshare-test-"));
    const url = `file:${path.join(dir, "portshare.db")}`;
    return { url, config: resolveDatabaseConfig(url), remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `portshare_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(pgAdminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    config: resolveDatabaseConfig(url),
    remove: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated database with a connected Prisma client. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(backend);
  await applyMigrations(empty.config);
  const db = await createDatabase(empty.config);
  return {
    config: empty.config,
    url: empty.url,
    db,
    drop: async () => {
      await db.$disconnect();
      await empty.remove();
    },
  };
}
