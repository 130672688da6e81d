import { createDatabase, type Database } from "./client";
import { resolveDatabaseConfig, type DatabaseConfig } from "./config";

export { directConnection, type Database, type DirectConnection } from "./client";
export { resolveDatabaseConfig, describeDatabase, type DatabaseConfig } from "./config";

// One client per process, shared by the UDP worker, the tRPC routes and the pages even though
// Next.js bundles them separately (module state is per bundle; globalThis is per process).
const KEY = Symbol.for("portshare.database");
type Holder = { [KEY]?: { config: DatabaseConfig; client: Promise<Database> } };

/** The process-wide database client for DATABASE_URL, created on first use. */
export function getDatabase(): Promise<Database> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const config = resolveDatabaseConfig();
    holder[KEY] = { config, client: createDatabase(config) };
  }
  return holder[KEY].client;
}

export function getDatabaseConfig(): DatabaseConfig {
  return (globalThis as Holder)[KEY]?.config ?? resolveDatabaseConfig();
}

/** Closes the process-wide client (shutdown, tests). */
export async function closeDatabase(): Promise<void> {
  const holder = globalThis as Holder;
  const entry = holder[KEY];
  delete holder[KEY];
  if (entry) await (await entry.client).$disconnect();
}
