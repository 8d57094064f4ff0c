import type { Logger } from "../logger.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { DbHandle } from "../storage/db.js";
import type { RealmProfile } from "../domain/realm-profile.js";
import type { TaxDefaults } from "../domain/tax-defaults.js";

/**
 * What the HTTP app needs from the rest of devsync, as small structural interfaces: `serve`
 * plugs in the real connectors, tests plug in the sandbox-backed ones or tiny fakes. The API
 * never speaks QuickBooks or DevPos HTTP itself (docs/architecture.md: connectors/ does).
 */

import type { Clock } from "../clock.js";
import type { LoginThrottleOptions } from "./auth/login-throttle.js";

/** A QuickBooks item, account or tax code offered as a company setting. */
export interface QboCandidate {
  id: string;
  name: string;
  /** Extra words shown next to the name (account type, tax rate…). */
  detail?: string | null;
}

/** Expected failures of the connectors are values, not exceptions (docs/style.md "Errors"). */
export type ConnectorFailure = {
  ok: false;
  /**
   * `not_connected`: the company has no usable QuickBooks connection (→ 409);
   * `invalid_state`: unknown, used or expired OAuth state (→ 400);
   * `realm_in_use`: that QuickBooks company belongs to another devsync company (→ 409);
   * `rejected`: the remote side refused (bad DevPos login, OAuth code refused) (→ 422 / 400);
   * `unavailable`: network or remote outage (→ 502).
   */
  reason: "not_connected" | "invalid_state" | "realm_in_use" | "rejected" | "unavailable" | "not_configured";
  /** Plain words for the user; never a token or a password. */
  message: string;
};

export type ConnectorResult<T> = ({ ok: true } & T) | ConnectorFailure;

/** QuickBooks OAuth: connect, callback, disconnect (connectors/qbo). */
export interface QboConnectService {
  /** Creates a one-time state bound to the company and user and returns Intuit's authorize URL. */
  startConnect(input: { companyId: number; userId: number | null }): Promise<ConnectorResult<{ authorizeUrl: string }>>;
  /**
   * Handles the redirect back from Intuit: consumes the state (also when Intuit reports an
   * `error`, so a cancelled link cannot be reused), exchanges the code, stores the tokens.
   * `userId` is the signed-in user handling the callback, when there is one.
   */
  completeConnect(input: {
    state: string;
    code: string | null;
    realmId: string | null;
    error: string | null;
    userId: number | null;
  }): Promise<ConnectorResult<{ companyId: number; realmId: string }>>;
  /** Revokes the grant at Intuit (best effort) and forgets the tokens. */
  disconnect(input: { companyId: number }): Promise<ConnectorResult<Record<never, never>>>;
}

/** Logs in to DevPos with the company's stored credentials (connectors/devpos). */
export interface DevposTester {
  testCredentials(input: { companyId: number }): Promise<ConnectorResult<Record<never, never>>>;
}

/** Candidate lists for company settings, read live from QuickBooks (connectors/qbo). */
export interface QboCatalog {
  listIncomeItems(companyId: number): Promise<ConnectorResult<{ items: QboCandidate[] }>>;
  listExpenseAccounts(companyId: number): Promise<ConnectorResult<{ items: QboCandidate[] }>>;
  listTaxCodes(companyId: number): Promise<ConnectorResult<{ items: QboCandidate[] }>>;
}

/** What a re-check of the QuickBooks company's settings found and did (connectors/qbo/realm-check.ts). */
export interface QboRealmCheckResult {
  profile: RealmProfile;
  defaults: TaxDefaults;
  /** Whether the detected tax settings were written to the company. */
  applied: boolean;
}

/** Reads the connected QuickBooks company's settings again (connectors/qbo). */
export interface QboRealmCheckService {
  /** `apply`: write the detected tax settings even when a person chose others. */
  recheck(input: { companyId: number; apply: boolean }): Promise<ConnectorResult<{ check: QboRealmCheckResult }>>;
}

/** Optional nudge to the local worker that a manual run was queued (the row is the queue). */
export interface RunQueue {
  notifyQueued(runId: number): void;
}

export interface SessionOptions {
  /** A session ends after this long without requests (sliding); default 12 hours. */
  idleMs?: number;
  /** And never lives longer than this after login; default 7 days. */
  absoluteMs?: number;
}


export interface AppDeps {
  db: DbHandle;
  logger: Logger;
  /** Seals DevPos passwords at rest; required for the credential routes. */
  secrets?: SecretBox;
  clock?: Clock;
  /** Where users reach devsync; `https:` makes the session cookie `Secure`. */
  publicUrl?: string;
  /** Upper bound for request bodies; larger ones get 413. */
  bodyLimitBytes?: number;
  qboConnect?: QboConnectService;
  devposTester?: DevposTester;
  qboCatalog?: QboCatalog;
  qboRealmCheck?: QboRealmCheckService;
  runQueue?: RunQueue;
  session?: SessionOptions;
  /** Delays after failed logins (auth/login-throttle.ts); defaults suit production. */
  loginThrottle?: LoginThrottleOptions;
  /**
   * Fastify's `trustProxy` (TRUST_PROXY): a hop count or proxy addresses make `request.ip` the
   * client address from X-Forwarded-For; false (default) uses the connection's address.
   */
  trustProxy?: false | number | readonly string[];
  /** Serve Swagger UI at /api/docs; default true. */
  docs?: boolean;
}
