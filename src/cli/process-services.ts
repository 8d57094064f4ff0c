import { systemClock, type Clock } from "../clock.js";
import { createDevposClient, type DevposClient } from "../connectors/devpos/index.js";
import { createQboConnector, qboConnectorOptionsFromConfig, type QboConnector } from "../connectors/qbo/index.js";
import { createAlerter, type Alerter } from "../notify/alerter.js";
import { devposClientOptionsFromConfig } from "../sync/connectors.js";
import { createDefaultExecutor } from "../worker/executor-registry.js";
import type { RunExecutor } from "../worker/run-executor.js";
import type { Runtime } from "./runtime.js";

/**
 * The long-lived services of one devsync process, built once so the API, the worker and the
 * alerts share them: one QuickBooks connector (one token manager and one rate limiter per
 * process, whose events feed the alerts), one DevPos client, the sync engine as the worker's
 * executor, and the alerter.
 */
export interface ProcessServices {
  clock: Clock;
  /** Undefined when no Intuit app is configured (QBO_CLIENT_ID / QBO_CLIENT_SECRET). */
  qbo: QboConnector | undefined;
  devpos: DevposClient;
  executor: RunExecutor;
  alerter: Alerter;
  /** Waits for alerts in flight and closes the SMTP pool. */
  close(): Promise<void>;
}

export function createProcessServices(runtime: Runtime, clock: Clock = systemClock): ProcessServices {
  const { config, logger } = runtime;
  const base = { db: runtime.db.db, box: runtime.secrets.box, clock, logger };
  const qbo = config.qbo.clientId && config.qbo.clientSecret ? createQboConnector(base, qboConnectorOptionsFromConfig(config)) : undefined;
  if (!qbo) logger.warn("QBO_CLIENT_ID / QBO_CLIENT_SECRET not set: companies cannot be connected to QuickBooks and syncs fail until they are");
  const devpos = createDevposClient(base, devposClientOptionsFromConfig(config));
  const executor = createDefaultExecutor(runtime, { clock, devposClient: devpos, ...(qbo ? { qboConnector: qbo } : {}) });
  const alerter = createAlerter({ ...base, alerts: config.alerts, publicUrl: config.publicUrl });
  const detach = qbo ? alerter.attach(qbo.events) : () => {};
  return {
    clock,
    qbo,
    devpos,
    executor,
    alerter,
    async close() {
      detach();
      await alerter.close();
    },
  };
}
