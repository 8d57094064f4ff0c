import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import {
  markReauthRequired,
  readQboTokens,
  recordQboConnectionError,
  releaseRefreshLock,
  tryAcquireRefreshLock,
  updateTokensIfVersion,
  type QboConnection,
  type QboTokens,
} from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { pauseSchedulesForReconnect } from "../../scheduler/resume-schedules.js";
import { realSleep, type Sleep } from "../http.js";
import type { ConnectionEvents } from "./connection-events.js";
import { processMetrics } from "../../process-metrics.js";
import { QboGrantRevokedError, QboNotConnectedError, QboRefreshBusyError } from "./errors.js";
import type { QboOAuthClient } from "./oauth.js";


export interface TokenManagerOptions {
  /** Refresh when fewer than this many ms of access-token life remain (default 10 min). */
  refreshThresholdMs?: number;
  /** How long a refresher may hold the company's lock (default 30 s; must exceed the token call's deadline). */
  lockTtlMs?: number;
  /** How long to wait for another process's refresh before giving up (default 45 s). */
  maxWaitMs?: number;
  /** First poll interval while another process refreshes, grown ×1.5 up to `pollMaxMs` (default 50 ms). */
  pollInitialMs?: number;
  /** Default 500 ms. */
  pollMaxMs?: number;
  /** Lock owner id (default host:pid:random): unique per manager instance. */
  owner?: string;
}

export interface TokenManagerDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  oauth: QboOAuthClient;
  events: ConnectionEvents;
  sleep?: Sleep;
  logger?: Logger;
}

export interface FreshToken {
  companyId: number;
  realmId: string;
  accessToken: string;
  accessExpiresAt: Date;
  /** True when this call refreshed the token at Intuit. */
  refreshed: boolean;
}

export interface EnsureFreshTokenOptions {
  /**
   * Refresh even though the token looks fresh (QuickBooks answered 401). With
   * `rejectedAccessToken`, a token that differs from the rejected one (another process already
   * refreshed) is accepted instead of refreshing again.
   */
  force?: boolean;
  rejectedAccessToken?: string;
  /** Keep-alive: refresh unless someone refreshed at or after this instant. */
  refreshedBefore?: Date;
}

export interface QboTokenManager {
  ensureFreshToken(companyId: number, options?: EnsureFreshTokenOptions): Promise<FreshToken>;
  /** Drops the in-memory copy (after a disconnect or reconnect in this process). */
  forget(companyId: number): void;
  readonly owner: string;
}

type Stored = { connection: QboConnection; tokens: QboTokens | null };

/**
 * The self-healing token lifecycle (docs/product.md promise 2). An access token with more than the
 * threshold left is used as is (from memory, no database read). Otherwise exactly one process
 * refreshes: it takes the company's refresh lock in the database, re-reads the row (someone may
 * have refreshed while it waited), calls Intuit, and stores the result with a compare-and-swap
 * on the row's version. Everyone else polls the row until the new token appears or the lock
 * expires. Intuit rotates refresh tokens and the old one may die at once, so two concurrent
 * refreshes would disconnect the company: the lock is what prevents that.
 *
 * `invalid_grant` moves the connection to `reauth_required` (once), pauses the company's
 * schedules and emits one `reauth_required` event; later calls fail fast without calling Intuit.
 */
export function createTokenManager(deps: TokenManagerDeps, options: TokenManagerOptions = {}): QboTokenManager {
  const thresholdMs = options.refreshThresholdMs ?? 10 * 60_000;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const maxWaitMs = options.maxWaitMs ?? 45_000;
  const pollInitialMs = options.pollInitialMs ?? 50;
  const pollMaxMs = options.pollMaxMs ?? 500;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const sleep = deps.sleep ?? realSleep;
  const cache = new Map<number, Omit<FreshToken, "refreshed">>();
  const inflight = new Map<number, Promise<FreshToken>>();

  const isFresh = (expiresAt: Date) => expiresAt.getTime() - deps.clock.now().getTime() > thresholdMs;

  const isUsable = (stored: Stored, opts: EnsureFreshTokenOptions): boolean => {
    const tokens = stored.tokens!;
    if (!isFresh(tokens.accessExpiresAt)) return false;
    if (opts.refreshedBefore) {
      const last = stored.connection.lastRefreshedAt;
      return last !== null && last.getTime() >= opts.refreshedBefore.getTime();
    }
    if (opts.force) return opts.rejectedAccessToken !== undefined && tokens.accessToken !== opts.rejectedAccessToken;
    return true;
  };

  const readConnected = async (companyId: number): Promise<Stored & { tokens: QboTokens; realmId: string }> => {
    const stored = await readQboTokens(deps.db, deps.box, companyId);
    if (!stored) throw new QboNotConnectedError(companyId, "missing");
    const { connection, tokens } = stored;
    if (connection.status === "reauth_required") throw new QboNotConnectedError(companyId, "reauth_required", connection.lastError);
    if (connection.status !== "connected" || !tokens || !connection.realmId) throw new QboNotConnectedError(companyId, "disconnected");
    return { connection, tokens, realmId: connection.realmId };
  };

  const remember = (companyId: number, realmId: string, tokens: QboTokens, refreshed: boolean): FreshToken => {
    const entry = { companyId, realmId, accessToken: tokens.accessToken, accessExpiresAt: tokens.accessExpiresAt };
    cache.set(companyId, entry);
    return { ...entry, refreshed };
  };

  const grantRevoked = async (companyId: number, reason: string): Promise<never> => {
    const now = deps.clock.now();
    cache.delete(companyId);
    const first = await markReauthRequired(deps.db, companyId, reason, now);
    if (first) {
      const paused = await pauseSchedulesForReconnect(deps.db, companyId, now);
      deps.logger?.warn({ companyId, reason, pausedSchedules: paused }, "quickbooks grant refused: reconnect required");
      deps.events.emit({ type: "reauth_required", companyId, reason });
    }
    throw new QboGrantRevokedError(companyId, reason);
  };

  /** Holding the lock: re-read, refresh if still needed. Undefined = the row changed under us, look again. */
  const refreshHoldingLock = async (companyId: number, opts: EnsureFreshTokenOptions): Promise<FreshToken | undefined> => {
    const current = await readConnected(companyId);
    if (isUsable(current, opts)) return remember(companyId, current.realmId, current.tokens, false);
    let tokens: QboTokens;
    try {
      tokens = await deps.oauth.refresh(current.tokens.refreshToken);
      processMetrics.tokenRefreshes.inc({ outcome: "ok" });
    } catch (error) {
      processMetrics.tokenRefreshes.inc({ outcome: error instanceof QboGrantRevokedError ? "invalid_grant" : "error" });
      if (error instanceof QboGrantRevokedError) {
        // Refused a value that is no longer current (the row changed while we asked)? Then it
        // was rotated by someone else, not revoked: look again instead of disconnecting.
        const after = await readQboTokens(deps.db, deps.box, companyId);
        if (after && after.connection.version !== current.connection.version) return undefined;
        return grantRevoked(companyId, error.reason);
      }
      await recordQboConnectionError(deps.db, companyId, `token refresh failed: ${(error as Error).message}`, deps.clock.now()).catch(() => {});
      throw error;
    }
    const stored = await updateTokensIfVersion(deps.db, deps.box, companyId, current.connection.version, tokens, deps.clock.now());
    if (!stored) {
      // Reconnected or disconnected while we refreshed: the row's tokens win, ours are dropped.
      deps.logger?.warn({ companyId }, "connection changed during a token refresh; refreshed tokens discarded");
      return undefined;
    }
    deps.logger?.info({ companyId, accessExpiresAt: tokens.accessExpiresAt.toISOString() }, "quickbooks token refreshed");
    return remember(companyId, current.realmId, tokens, true);
  };

  const ensure = async (companyId: number, opts: EnsureFreshTokenOptions): Promise<FreshToken> => {
    let waited = 0;
    let pollMs = pollInitialMs;
    for (;;) {
      const current = await readConnected(companyId);
      if (isUsable(current, opts)) return remember(companyId, current.realmId, current.tokens, false);
      if (await tryAcquireRefreshLock(deps.db, companyId, owner, deps.clock.now(), lockTtlMs)) {
        let result: FreshToken | undefined;
        try {
          result = await refreshHoldingLock(companyId, opts);
        } finally {
          await releaseRefreshLock(deps.db, companyId, owner).catch((error: unknown) =>
            deps.logger?.error({ err: error, companyId }, "could not release the refresh lock (it expires on its own)"),
          );
        }
        if (result) return result;
        continue;
      }
      // Counted in time slept, not by the clock, so a frozen test clock cannot wait forever.
      if (waited >= maxWaitMs) throw new QboRefreshBusyError(companyId, waited);
      await sleep(pollMs);
      waited += pollMs;
      pollMs = Math.min(pollMaxMs, Math.round(pollMs * 1.5));
    }
  };

  const manager: QboTokenManager = {
    owner,
    async ensureFreshToken(companyId, opts = {}) {
      const cached = cache.get(companyId);
      if (cached && isFresh(cached.accessExpiresAt) && !opts.refreshedBefore) {
        if (!opts.force) return { ...cached, refreshed: false };
        if (opts.rejectedAccessToken !== undefined && cached.accessToken !== opts.rejectedAccessToken) return { ...cached, refreshed: false };
      }
      // One refresher per company inside this process too; later callers look again afterwards.
      const running = inflight.get(companyId);
      if (running) {
        await running.catch(() => undefined);
        return manager.ensureFreshToken(companyId, opts);
      }
      const promise = ensure(companyId, opts).finally(() => inflight.delete(companyId));
      inflight.set(companyId, promise);
      return promise;
    },
    forget(companyId) {
      cache.delete(companyId);
    },
  };
  return manager;
}
