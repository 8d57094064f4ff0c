import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { createDevposClient, type DevposClient, type DevposClientOptions } from "../connectors/devpos/devpos-client.js";
import type { FetchLike, Sleep } from "../connectors/http.js";
import { createQboConnector, qboConnectorOptionsFromConfig, type QboConnector, type QboConnectorOptions } from "../connectors/qbo/qbo-connector.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { createQboGateway } from "./adapters/qbo-gateway.js";
import type { DevposReader, QboGateway } from "./ports.js";

/**
 * The connectors as the sync engine uses them: the QBO connector (one token manager and one
 * rate limiter per process) and the DevPos client. The worker, the CLI and the benchmark build
 * their engine dependencies here.
 */
export interface SyncConnectorsDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  sleep?: Sleep;
  /** Reuse the connectors the process already has (serve: shared with the API). */
  qboConnector?: QboConnector;
  devposClient?: DevposClient;
}

export interface SyncConnectorsOptions {
  qbo: QboConnectorOptions;
  devpos: DevposClientOptions;
}

export interface SyncConnectors {
  qbo: QboConnector;
  devpos: DevposClient;
  /** Ensures a fresh token first, so a revoked grant stops the run before any work. */
  qboFor(companyId: number, logger?: Logger): Promise<QboGateway>;
  devposFor(companyId: number, logger?: Logger): DevposReader;
}

export function createSyncConnectors(deps: SyncConnectorsDeps, options: SyncConnectorsOptions): SyncConnectors {
  const qbo =
    deps.qboConnector ??
    createQboConnector({ db: deps.db, box: deps.box, clock: deps.clock, fetch: deps.fetch, sleep: deps.sleep, logger: deps.logger }, options.qbo);
  const devpos =
    deps.devposClient ??
    createDevposClient({ db: deps.db, box: deps.box, clock: deps.clock, fetch: deps.fetch, sleep: deps.sleep, logger: deps.logger }, options.devpos);
  return {
    qbo,
    devpos,
    async qboFor(companyId, logger) {
      const token = await qbo.tokens.ensureFreshToken(companyId);
      return createQboGateway({ client: qbo.clientFor(companyId, logger), limiter: qbo.limiter, realmId: token.realmId, limits: options.qbo.limits });
    },
    devposFor: (companyId, logger) => devpos.forCompany(companyId, logger),
  };
}

/** The options the service configuration implies. */
export function syncConnectorsOptionsFromConfig(config: Pick<Config, "qbo" | "devpos">): SyncConnectorsOptions {
  return {
    qbo: qboConnectorOptionsFromConfig(config),
    devpos: devposClientOptionsFromConfig(config),
  };
}

/** The DevPos client's options from the service configuration (needs no QuickBooks app). */
export function devposClientOptionsFromConfig(config: Pick<Config, "devpos">): DevposClientOptions {
  return { baseUrl: config.devpos.baseUrl, clientId: config.devpos.clientId, clientSecret: config.devpos.clientSecret };
}
