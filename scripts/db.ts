// npm run db:migrate | db:diff -- <name> | db:status
// For db:diff on both providers: run it once with the default SQLite URL and once with
// DATABASE_URL=postgresql://... (the PostgreSQL user needs CREATEDB for the shadow database).
import { resolveDatabaseConfig, describeDatabase } from "../server/db/config";
import { applyMigrations, createMigration, migrationStatus } from "../server/db/migrations";

const [command = "status", name = "migration"] = process.argv.slice(2);
const config = resolveDatabaseConfig();

try {
  if (command === "deploy") {
    const applied = await applyMigrations(config);
    console.log(`${describeDatabase(config)}: applied ${applied.length ? applied.join(", ") : "nothing (up to date)"}`);
  } else if (command === "diff") {
    const dir = await createMigration(config, name);
    console.log(dir ? `wrote ${dir}` : "no changes");
  } else if (command === "status") {
    console.log(JSON.stringify(await migrationStatus(config), null, 2));
  } else {
    throw new Error(`unknown command "${command}" (deploy, diff, status)`);
  }
} catch (error) {
  console.error(`db ${command} failed:`, error instanceof Error ? error.message : error);
  process.exit(1);
}
