import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { deleteExpiredOAuthStates } from "../storage/repos/oauth-states.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { deleteExpiredSessions } from "../storage/repos/sessions.js";

export interface LoginHousekeepingResult {
  sessions: number;
  oauthStates: number;
}

/** Deletes sessions and QuickBooks OAuth states that have expired: they can never be used again. */
export async function pruneExpiredLogins(db: Db, now: Date): Promise<LoginHousekeepingResult> {
  return { sessions: await deleteExpiredSessions(db, now), oauthStates: await deleteExpiredOAuthStates(db, now) };
}

export interface LoginHousekeepingOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Real time between passes; default 1 h. */
  intervalMs?: number;
}

export interface LoginHousekeeping {
  /** One pass now (passes never overlap); undefined when it failed (logged). */
  runNow(): Promise<LoginHousekeepingResult | undefined>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/**
 * The periodic pass `serve` runs, at start and then every `intervalMs`, so the session and
 * OAuth-state tables hold only live rows; any number of processes may run it.
 */
export function startLoginHousekeeping(options: LoginHousekeepingOptions): LoginHousekeeping {
  const logger = options.logger.child({ component: "login-housekeeping" });
  let running: Promise<LoginHousekeepingResult | undefined> | undefined;
  const runNow = () =>
    (running ??= pruneExpiredLogins(options.db, options.clock.now())
      .then((result) => {
        if (result.sessions > 0 || result.oauthStates > 0) logger.info({ sessions: result.sessions, oauth_states: result.oauthStates }, "pruned expired sessions and OAuth states");
        return result;
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "pruning expired sessions failed; will try again at the next pass");
        return undefined;
      })
      .finally(() => {
        running = undefined;
      }));
  const timer = setInterval(() => void runNow(), options.intervalMs ?? 3_600_000);
  timer.unref();
  void runNow();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
