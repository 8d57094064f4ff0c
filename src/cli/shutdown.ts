import type { Logger } from "../logger.js";

export interface ShutdownOptions {
  /** Exit the process once stopped (long-running commands). Default false. */
  exit?: boolean;
  /** With `exit`: exit with code 1 if stopping takes longer than this (ms). */
  deadlineMs?: number;
}

/**
 * Resolves after the first SIGINT/SIGTERM has run `stop`. A second signal while stopping
 * exits at once, so Ctrl-C twice always gets you your terminal back.
 *
 * With `exit` (serve, worker, scheduler, sandbox) the process ends as soon as "stopped" is
 * logged: `stop` has handed every run back and closed the database, so nothing is left to do,
 * and whatever still holds the event loop (idle keep-alive sockets of fetch, an executor that
 * ignored its abort and is still waiting on QuickBooks) must neither delay the exit nor write
 * anything after "stopped".
 */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>, options: ShutdownOptions = {}): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const finish = () => {
      if (options.exit) process.exit(process.exitCode ?? 0);
      resolve();
    };
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, "shutting down");
      if (options.exit && options.deadlineMs !== undefined) {
        // A close that hangs (a database that stopped answering) must not keep the process.
        setTimeout(() => {
          logger.warn({ deadlineMs: options.deadlineMs }, "shutdown took too long: exiting now");
          process.exit(1);
        }, options.deadlineMs).unref();
      }
      stop()
        .then(() => {
          logger.info("stopped");
          finish();
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, "error while shutting down");
          process.exitCode = 1;
          finish();
        });
    };
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  });
}

/**
 * The latest a long-running command may take to stop: the grace its runs get, plus 4.5 s for
 * the worker to hand back runs that ignored the abort (3 s) and for closing the API, alerts and
 * database. The promise is "exits before the grace + 5 s".
 */
export function shutdownDeadlineMs(graceSeconds: number): number {
  return Math.round(graceSeconds * 1000) + 4_500;
}
