import { describeDatabase, getDatabase, getDatabaseConfig } from "../db";
import { workerStatus, type WorkerStatus } from "../metrics/worker-status";

export interface Health {
  ok: boolean;
  database: { ok: boolean; backend: string; error?: string };
  worker: WorkerStatus;
}

/** Database reachable (a real round trip) and the 4o6 socket bound in this process. */
export async function checkHealth(): Promise<Health> {
  const backend = describeDatabase(getDatabaseConfig());
  let database: Health["database"];
  try {
    const db = await getDatabase();
    await db.$queryRawUnsafe("SELECT 1");
    database = { ok: true, backend };
  } catch (error) {
    database = { ok: false, backend, error: error instanceof Error ? error.message : String(error) };
  }
  const worker = workerStatus();
  return { ok: database.ok && worker.state === "listening", database, worker };
}
