/** Where this process's 4o6 worker listens, for /api/health and the dashboard. */
export interface WorkerStatus {
  state: "stopped" | "listening" | "draining";
  address?: string;
  port?: number;
  since?: Date;
}

const KEY = Symbol.for("portshare.workerStatus");

export function workerStatus(): WorkerStatus {
  const holder = globalThis as { [KEY]?: WorkerStatus };
  return (holder[KEY] ??= { state: "stopped" });
}

export function setWorkerStatus(status: WorkerStatus): void {
  (globalThis as { [KEY]?: WorkerStatus })[KEY] = status;
}
