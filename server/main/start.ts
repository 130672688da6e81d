// `npm start`: the console, the tRPC API and the 4o6 worker in one process.
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { closeDatabase } from "../db";
import { ensureProductionBuild } from "./build-check";
import { createLogger } from "./logger";
import { prepareDatabase } from "./prepare-database";
import { readSettings } from "./settings";
import { startWorker } from "./start-worker";
import { onShutdown } from "./shutdown";

const root = path.resolve(import.meta.dirname, "..", "..");
const dev = process.env.PORTSHARE_DEV === "1";

try {
  const settings = readSettings();
  const log = createLogger(settings.LOG_LEVEL);
  const db = await prepareDatabase(log);
  if (!dev) ensureProductionBuild(root, (line) => log.info(line));
  const worker = await startWorker(settings, db, log);

  const app = next({ dev, dir: root, hostname: settings.HOST, port: settings.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const http = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot serve the console on ${settings.HOST}:${settings.PORT}: ${error.code === "EADDRINUSE" ? "the port is in use; set PORT" : error.message}`)),
    );
    http.listen(settings.PORT, settings.HOST, resolve);
  });
  const shown = settings.HOST === "127.0.0.1" || settings.HOST === "::1" ? "localhost" : settings.HOST;
  console.log(`Portshare console: http://${shown.includes(":") ? `[${shown}]` : shown}:${settings.PORT}`);

  onShutdown(log, async () => {
    await worker.stop();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await app.close();
    await closeDatabase();
  });
} catch (error) {
  console.error(`portshare: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
