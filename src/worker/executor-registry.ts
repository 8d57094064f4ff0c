import type { Runtime } from "../cli/runtime.js";
import { systemClock, type Clock } from "../clock.js";
import type { DevposClient } from "../connectors/devpos/devpos-client.js";
import type { QboConnector } from "../connectors/qbo/qbo-connector.js";
import { createSyncConnectors, syncConnectorsOptionsFromConfig } from "../sync/connectors.js";
import { createSyncExecutor } from "../sync/executor.js";
import { PermanentRunError } from "./run-errors.js";
import type { RunExecutor } from "./run-executor.js";

/** What an executor may need from the process: config, logger, database, secret box. */
export type ExecutorRuntime = Pick<Runtime, "config" | "logger" | "db" | "secrets">;

export const QBO_NOT_CONFIGURED_CODE = "qbo_not_configured";

export interface DefaultExecutorOptions {
  clock?: Clock;
  /** The process's connectors, when it already has them (serve shares them with the API). */
  qboConnector?: QboConnector;
  devposClient?: DevposClient;
}

/**
 * The single place the CLI (serve, worker, run-due) gets its RunExecutor from: the sync engine
 * on the process's connectors. Without an Intuit app (QBO_CLIENT_ID / QBO_CLIENT_SECRET) no
 * company can be connected, so runs fail at once with a permanent error that says so.
 */
export function createDefaultExecutor(runtime: ExecutorRuntime, options: DefaultExecutorOptions = {}): RunExecutor {
  const { config, logger } = runtime;
  if (!options.qboConnector && !(config.qbo.clientId && config.qbo.clientSecret)) {
    return {
      async execute() {
        throw new PermanentRunError(QBO_NOT_CONFIGURED_CODE, "the QuickBooks app is not configured: set QBO_CLIENT_ID and QBO_CLIENT_SECRET");
      },
    };
  }
  const db = runtime.db.db;
  const connectors = createSyncConnectors(
    {
      db,
      box: runtime.secrets.box,
      clock: options.clock ?? systemClock,
      logger,
      ...(options.qboConnector ? { qboConnector: options.qboConnector } : {}),
      ...(options.devposClient ? { devposClient: options.devposClient } : {}),
    },
    syncConnectorsOptionsFromConfig(config),
  );
  return createSyncExecutor({ db, connectors, logger });
}
