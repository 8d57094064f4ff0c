import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { listConnectionsDueForKeepAlive, listConnectionsNearHardExpiry } from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { classifyError } from "../retry-policy.js";
import type { ConnectionEvents } from "./connection-events.js";
import { QboGrantRevokedError, QboNotConnectedError } from "./errors.js";
import type { QboTokenManager } from "./token-manager.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface KeepAliveDeps {
  db: Db;
  tokens: Pick<QboTokenManager, "ensureFreshToken">;
  events: ConnectionEvents;
  logger?: Logger;
}

export interface KeepAliveOptions {
  /** Refresh connections not refreshed for this long (default 24 h). */
  refreshAfterMs?: number;
  /** Flag grants whose hard expiry is closer than this (default 30 days). */
  hardExpiryWarningMs?: number;
  /** Connections per database page (default 100). */
  pageSize?: number;
  /**
   * Companies already told about their hard expiry, with when: a company is told again only
   * after `hardExpiryNoticeEveryMs` (the interval wrapper keeps this map). Absent: every pass.
   */
  hardExpiryNotices?: Map<number, number>;
  /** Default 24 h. */
  hardExpiryNoticeEveryMs?: number;
}

export interface KeepAliveResult {
  refreshed: number[];
  /** Someone else refreshed it first: nothing to do. */
  alreadyFresh: number[];
  reauthRequired: number[];
  failed: { companyId: number; code: string; message: string }[];
  nearHardExpiry: { companyId: number; realmId: string | null; hardExpiresAt: Date; daysLeft: number }[];
}

/**
 * One keep-alive pass: refreshes every connected company whose token was not refreshed for
 * `refreshAfterMs` (so a refresh token never idles out while no sync runs; Intuit's idle
 * expiry is 100 days), through the same lock as every other refresh, and flags grants nearing
 * their 5-year hard expiry with a `hard_expiry_near` event. One failing company never stops
 * the pass.
 */
export async function runKeepAlive(deps: KeepAliveDeps, now: Date, options: KeepAliveOptions = {}): Promise<KeepAliveResult> {
  const refreshAfterMs = options.refreshAfterMs ?? DAY;
  const pageSize = options.pageSize ?? 100;
  const refreshedBefore = new Date(now.getTime() - refreshAfterMs);
  const result: KeepAliveResult = { refreshed: [], alreadyFresh: [], reauthRequired: [], failed: [], nearHardExpiry: [] };

  const attempted = new Set<number>();
  for (;;) {
    const due = (await listConnectionsDueForKeepAlive(deps.db, { refreshedBefore, limit: pageSize })).filter((c) => !attempted.has(c.companyId));
    if (due.length === 0) break;
    for (const connection of due) {
      attempted.add(connection.companyId);
      try {
        const token = await deps.tokens.ensureFreshToken(connection.companyId, { refreshedBefore });
        (token.refreshed ? result.refreshed : result.alreadyFresh).push(connection.companyId);
      } catch (error) {
        if (error instanceof QboGrantRevokedError || (error instanceof QboNotConnectedError && error.status === "reauth_required")) {
          result.reauthRequired.push(connection.companyId);
        } else {
          result.failed.push({ companyId: connection.companyId, code: classifyError(error).code, message: (error as Error).message });
        }
        deps.logger?.warn({ companyId: connection.companyId, err: (error as Error).message }, "keep-alive refresh failed");
      }
    }
  }

  const warnBefore = new Date(now.getTime() + (options.hardExpiryWarningMs ?? 30 * DAY));
  const noticeEvery = options.hardExpiryNoticeEveryMs ?? DAY;
  for (const connection of await listConnectionsNearHardExpiry(deps.db, { hardExpiresBefore: warnBefore, limit: 10_000 })) {
    const hardExpiresAt = connection.refreshHardExpiresAt!;
    const daysLeft = Math.max(0, Math.floor((hardExpiresAt.getTime() - now.getTime()) / DAY));
    result.nearHardExpiry.push({ companyId: connection.companyId, realmId: connection.realmId, hardExpiresAt, daysLeft });
    const lastNotice = options.hardExpiryNotices?.get(connection.companyId);
    if (lastNotice !== undefined && now.getTime() - lastNotice < noticeEvery) continue;
    options.hardExpiryNotices?.set(connection.companyId, now.getTime());
    deps.events.emit({ type: "hard_expiry_near", companyId: connection.companyId, realmId: connection.realmId, hardExpiresAt, daysLeft });
  }
  return result;
}

export interface KeepAliveTask {
  /** Runs a pass now (also what the timer calls). Passes never overlap. */
  runNow(): Promise<KeepAliveResult | undefined>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/** Runs `runKeepAlive` every `intervalMs` (default 1 h) until stopped; errors are logged, never thrown. */
export function startKeepAlive(deps: KeepAliveDeps & { clock: Clock }, options: KeepAliveOptions & { intervalMs?: number; runAtStart?: boolean } = {}): KeepAliveTask {
  const intervalMs = options.intervalMs ?? HOUR;
  const notices = options.hardExpiryNotices ?? new Map<number, number>();
  let running: Promise<KeepAliveResult | undefined> | undefined;
  let stopped = false;

  const runNow = (): Promise<KeepAliveResult | undefined> => {
    if (running) return running;
    running = runKeepAlive(deps, deps.clock.now(), { ...options, hardExpiryNotices: notices })
      .then((result) => {
        deps.logger?.info(
          { refreshed: result.refreshed.length, failed: result.failed.length, reauthRequired: result.reauthRequired.length, nearHardExpiry: result.nearHardExpiry.length },
          "quickbooks keep-alive pass",
        );
        return result;
      })
      .catch((error: unknown) => {
        deps.logger?.error({ err: error }, "quickbooks keep-alive pass failed");
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, intervalMs);
  timer.unref();
  if (options.runAtStart) void runNow();

  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
