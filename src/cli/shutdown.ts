import type { Logger } from "../logger.js";

/**
 * Resolves after the first SIGINT/SIGTERM has run `stop`. A second signal while stopping
 * exits at once, so Ctrl-C twice always gets you your terminal back.
 */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, "shutting down");
      stop()
        .then(() => {
          logger.info("stopped");
          resolve();
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, "error while shutting down");
          process.exitCode = 1;
          resolve();
        });
    };
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  });
}
