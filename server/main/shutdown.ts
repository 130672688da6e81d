import type { Logger } from "./logger";

/** SIGTERM/SIGINT: run the drain once, exit 0 when it finished, 1 if it failed or a second signal came. */
export function onShutdown(log: Logger, drain: () => Promise<void>): void {
  let draining = false;
  const stop = (signal: NodeJS.Signals) => {
    if (draining) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    draining = true;
    log.info(`${signal}: draining`);
    drain().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log.error(`shutdown failed: ${error instanceof Error ? error.message : error}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
