// `npm run dhcp`: the 4o6 worker alone, for deployments that scale the protocol side out.
import { closeDatabase } from "../db";
import { createLogger } from "./logger";
import { startMetricsListener } from "./metrics-listener";
import { prepareDatabase } from "./prepare-database";
import { readSettings } from "./settings";
import { startWorker } from "./start-worker";
import { onShutdown } from "./shutdown";

try {
  const settings = readSettings();
  const log = createLogger(settings.LOG_LEVEL);
  const db = await prepareDatabase(log);
  const worker = await startWorker(settings, db, log, poolFileArgument() ?? settings.PORTSHARE_POOLS);
  const metricsListener = settings.METRICS_PORT !== undefined ? await startMetricsListener(settings.METRICS_HOST, settings.METRICS_PORT) : undefined;
  if (metricsListener) {
    const address = metricsListener.address();
    if (address && typeof address === "object") console.log(`Portshare worker metrics: http://${settings.METRICS_HOST}:${address.port}/metrics`);
  }
  onShutdown(log, async () => {
    await new Promise<void>((resolve) => (metricsListener ? metricsListener.close(() => resolve()) : resolve()));
    await worker.stop();
    await closeDatabase();
  });
} catch (error) {
  console.error(`portshare dhcp: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

/** `npm run dhcp -- --pools FILE` (the same as PORTSHARE_POOLS=FILE). */
function poolFileArgument(): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf("--pools");
  if (at < 0) return undefined;
  const file = args[at + 1];
  if (!file) throw new Error("--pools needs a file name");
  return file;
}
