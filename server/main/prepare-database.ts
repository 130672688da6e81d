import { ensureFirstAdmin } from "../auth/first-admin";
import { getDatabase, getDatabaseConfig, describeDatabase, type Database } from "../db";
import { applyMigrations } from "../db/migrations";
import type { Logger } from "./logger";

/** Start-up of every Portshare process: migrations applied, first admin made. */
export async function prepareDatabase(log: Logger): Promise<Database> {
  const config = getDatabaseConfig();
  const applied = await applyMigrations(config);
  log.info(`database ${describeDatabase(config)}: ${applied.length ? `applied ${applied.join(", ")}` : "schema up to date"}`);
  const db = await getDatabase();
  await ensureFirstAdmin(db, (line) => {
    log.info(line);
    // Printed plainly too, so it is seen among the JSON log lines.
    console.log(`\n  ${line}\n`);
  });
  return db;
}
