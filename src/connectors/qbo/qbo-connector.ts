import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import type { FetchLike, Sleep } from "../http.js";
import { completeConnect, disconnect, startConnect, type CompleteConnectInput, type QboConnectDeps } from "./connect.js";
import { createConnectionEvents, type ConnectionEvents } from "./connection-events.js";
import { runKeepAlive, startKeepAlive, type KeepAliveOptions } from "./keep-alive.js";
import { createQboOAuthClient, type QboOAuthClient, type QboOAuthOptions } from "./oauth.js";
import { createQboClient, type QboClient, type QboClientOptions } from "./qbo-client.js";
import { checkRealm, type RealmCheckApply } from "./realm-check.js";
import { createRateLimiter, type QboRateLimiter, type QboRateLimits } from "./rate-limiter.js";
import { createTokenManager, type QboTokenManager, type TokenManagerOptions } from "./token-manager.js";

export interface QboConnectorDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  fetch?: FetchLike;
  sleep?: Sleep;
  logger?: Logger;
  /** Shared with the scheduler and alerts; created when absent. */
  events?: ConnectionEvents;
}

export interface QboConnectorOptions {
  oauth: QboOAuthOptions;
  environment: "production" | "sandbox";
  client: QboClientOptions;
  tokens?: TokenManagerOptions;
  limits?: QboRateLimits;
}

/**
 * Everything QuickBooks, wired once per process: one OAuth client, one token manager (so
 * every sync in the process shares cached tokens and the in-process single flight), one
 * rate limiter per process (shared by all clients, so two syncs of one realm share its limits).
 */
export interface QboConnector {
  oauth: QboOAuthClient;
  tokens: QboTokenManager;
  limiter: QboRateLimiter;
  events: ConnectionEvents;
  /** `logger` overrides the connector's for this client (a run passes its own, carrying run and company ids). */
  clientFor(companyId: number, logger?: Logger): QboClient;
  startConnect(input: { companyId: number; userId: number | null }): ReturnType<typeof startConnect>;
  completeConnect(input: CompleteConnectInput): ReturnType<typeof completeConnect>;
  disconnect(companyId: number, options?: { force?: boolean }): ReturnType<typeof disconnect>;
  /** Reads the realm's settings, stores them and applies the tax defaults (see realm-check.ts). */
  checkRealm(companyId: number, apply: RealmCheckApply): ReturnType<typeof checkRealm>;
  runKeepAlive(now: Date, options?: KeepAliveOptions): ReturnType<typeof runKeepAlive>;
  startKeepAlive(options?: Parameters<typeof startKeepAlive>[1]): ReturnType<typeof startKeepAlive>;
}

export function createQboConnector(deps: QboConnectorDeps, options: QboConnectorOptions): QboConnector {
  const events = deps.events ?? createConnectionEvents(deps.logger);
  const oauth = createQboOAuthClient({ fetch: deps.fetch, clock: deps.clock }, options.oauth);
  const tokens = createTokenManager({ db: deps.db, box: deps.box, clock: deps.clock, oauth, events, sleep: deps.sleep, logger: deps.logger }, options.tokens);
  const limiter = createRateLimiter(options.limits);
  const clientFor = (companyId: number, logger?: Logger) =>
    createQboClient({ companyId, tokens, limiter, clock: deps.clock, fetch: deps.fetch, sleep: deps.sleep, logger: logger ?? deps.logger }, options.client);
  const realmCheckDeps = { db: deps.db, clock: deps.clock, clientFor, logger: deps.logger };
  const connectDeps: QboConnectDeps = {
    db: deps.db,
    box: deps.box,
    clock: deps.clock,
    oauth,
    events,
    tokens,
    environment: options.environment,
    logger: deps.logger,
    checkRealm: (companyId) => checkRealm(realmCheckDeps, companyId, "unless_chosen"),
  };
  const keepAliveDeps = { db: deps.db, tokens, events, logger: deps.logger };
  return {
    oauth,
    tokens,
    limiter,
    events,
    clientFor,
    startConnect: (input) => startConnect(connectDeps, input),
    completeConnect: (input) => completeConnect(connectDeps, input),
    disconnect: (companyId, opts) => disconnect(connectDeps, companyId, opts),
    checkRealm: (companyId, apply) => checkRealm(realmCheckDeps, companyId, apply),
    runKeepAlive: (now, opts) => runKeepAlive(keepAliveDeps, now, opts),
    startKeepAlive: (opts) => startKeepAlive({ ...keepAliveDeps, clock: deps.clock }, opts),
  };
}

/** The connector options devsync's configuration implies; throws when the Intuit app is not configured. */
export function qboConnectorOptionsFromConfig(config: Pick<Config, "qbo">): QboConnectorOptions {
  const { qbo } = config;
  if (!qbo.clientId || !qbo.clientSecret) {
    throw new Error("QBO_CLIENT_ID and QBO_CLIENT_SECRET must be set to connect companies to QuickBooks");
  }
  return {
    oauth: {
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      authorizeUrl: qbo.authorizeUrl,
      tokenUrl: qbo.tokenUrl,
      revokeUrl: qbo.revokeUrl,
      redirectUri: qbo.redirectUri,
    },
    environment: qbo.environment,
    client: { apiBase: qbo.apiBase },
  };
}
