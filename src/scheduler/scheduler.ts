import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../clock.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { tick, type TickResult } from "./tick.js";

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Pause between ticks; default 15 s (docs/architecture.md: every 15–30 s). */
  intervalMs?: number;
  /** Longest pause after repeated failures (doubling from `intervalMs`); default 5 min. */
  maxBackoffMs?: number;
  /** Due schedules per batch (default 500), slot transactions in flight (default 8), see tick.ts. */
  batchSize?: number;
  concurrency?: number;
  /** Attempts each queued run gets; default 3. */
  maxAttempts?: number;
  /** Called after every tick that succeeded (metrics, tests). */
  onTick?: (result: TickResult) => void;
}

export interface Scheduler {
  /** Starts ticking in the background (first tick at once); a no-op when started. */
  start(): void;
  /** Stops ticking and waits for the tick in progress; safe to call twice. */
  stop(): Promise<void>;
  /** One tick now, independent of the loop (run-due, tests). */
  tickOnce(): Promise<TickResult>;
}

/**
 * The scheduler role: enqueues one run per due slot, never executes work. Any number may run
 * against one database. The loop never dies from a failure: a failed tick is logged and the
 * next one waits longer (doubling up to `maxBackoffMs`), then it carries on.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 15_000;
  const maxBackoffMs = Math.max(intervalMs, options.maxBackoffMs ?? 300_000);
  const logger = options.logger.child({ role: "scheduler" });
  let stopper: AbortController | undefined;
  let loop: Promise<void> | undefined;

  const tickOnce = () =>
    tick({
      db: options.db,
      clock,
      logger,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
    });

  const run = async (signal: AbortSignal) => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const result = await tickOnce();
        failures = 0;
        if (result.queued + result.merged + result.skipped + result.broken + result.errors > 0) {
          const { slots: _slots, ...counts } = result;
          logger.info(counts, "tick");
        }
        options.onTick?.(result);
      } catch (error) {
        failures += 1;
        logger.error({ err: error, failures }, "tick failed; backing off");
      }
      const wait = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(failures, 20));
      await delay(wait, undefined, { signal }).catch(() => {});
    }
  };

  return {
    start() {
      if (loop) return;
      stopper = new AbortController();
      logger.info({ intervalMs }, "scheduler started");
      loop = run(stopper.signal);
    },
    async stop() {
      if (!loop) return;
      stopper!.abort();
      await loop;
      loop = undefined;
      logger.info("scheduler stopped");
    },
    tickOnce,
  };
}
