// `npm run dhcp`: the 4o6 worker alone, for deployments that scale the protocol side out.
import { closeDatabase } from "../db";
import { createLogger } from "./logger";
import { prepareDatabase } from "./prepare-database";
import { readSettings } from "./settings";
import { startWorker } from "./start-worker";
import { onShutdown } from "./shutdown";

try {
  const settings = readSettings();
  const log = createLogger(settings.LOG_LEVEL);
  const db = await prepareDatabase(log);
  const worker = await startWorker(settings, db, log);
  onShutdown(log, async () => {
    await worker.stop();
    await closeDatabase();
  });
} catch (error) {
  console.error(`portshare dhcp: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
