import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { pruneRunLogBatch } from "../storage/repos/notify-retention.js";
import type { Db } from "../storage/repos/repo-helpers.js";

const DAY = 86_400_000;

export interface PruneResult {
  /** Rows recorded before this instant were deleted. */
  before: Date;
  events: number;
  items: number;
}

/**
 * Deletes run events and run items older than `retentionDays` (in batches of `batchSize`);
 * `retentionDays` 0 keeps everything. Runs, their summaries and document links (the
 * idempotency ledger) are kept for ever.
 */
export async function pruneRunLogOlderThan(db: Db, now: Date, retentionDays: number, batchSize = 5_000): Promise<PruneResult | undefined> {
  if (retentionDays <= 0) return undefined;
  const before = new Date(now.getTime() - retentionDays * DAY);
  const total = { before, events: 0, items: 0 };
  for (;;) {
    const { events, items } = await pruneRunLogBatch(db, before, batchSize);
    total.events += events;
    total.items += items;
    if (events < batchSize && items < batchSize) return total;
  }
}

export interface RetentionTaskOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  /** Real time between passes (default 6 h). */
  intervalMs?: number;
  /** Run a pass right away (default true). */
  runAtStart?: boolean;
  batchSize?: number;
}

export interface RetentionTask {
  /** One pass now (passes never overlap); undefined when retention is off or the pass failed. */
  runNow(): Promise<PruneResult | undefined>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/** The periodic pruning `serve` runs; any number of processes may run it (deletes are idempotent). */
export function startRetention(options: RetentionTaskOptions): RetentionTask {
  const logger = options.logger.child({ component: "retention" });
  let running: Promise<PruneResult | undefined> | undefined;
  let stopped = false;

  const runNow = (): Promise<PruneResult | undefined> => {
    if (running) return running;
    running = pruneRunLogOlderThan(options.db, options.clock.now(), options.retentionDays, options.batchSize)
      .then((result) => {
        if (result && (result.events > 0 || result.items > 0)) {
          logger.info({ before: result.before.toISOString(), events: result.events, items: result.items }, "pruned old run log");
        }
        return result;
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "run log pruning failed; will try again at the next pass");
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = options.retentionDays > 0 ? setInterval(() => !stopped && void runNow(), options.intervalMs ?? 6 * 3_600_000) : undefined;
  timer?.unref();
  if (options.retentionDays > 0 && (options.runAtStart ?? true)) void runNow();

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
