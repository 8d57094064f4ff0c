import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { dialectOf } from "../storage/db.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { listDueSlots, pauseBrokenSchedule, type DueSlot } from "../storage/repos/scheduler-slots.js";
import { isTransientDbError, ScheduleRuleError, takeDueSlot, type TakenSlot } from "./take-slot.js";

export interface TickOptions {
  db: Db;
  clock: Clock;
  logger?: Logger;
  /** Due schedules read per batch; default 500. */
  batchSize?: number;
  /**
   * Slot transactions in flight at once; default 8 on PostgreSQL and MariaDB (each holds a
   * pooled connection), always 1 on SQLite (one writer).
   */
  concurrency?: number;
  /** Attempts a queued run gets; default 3. */
  maxAttempts?: number;
  /** Stop after this many batches (a tick drains what is due, bounded); default 100. */
  maxBatches?: number;
}

export interface TickResult {
  /** Due slots examined. */
  due: number;
  queued: number;
  skipped: number;
  /** Of queued + skipped: runs that collapsed several missed slots. */
  catchup: number;
  /** Taken by another scheduler first. */
  lost: number;
  duplicate: number;
  /** Schedules paused because their rule cannot be evaluated. */
  broken: number;
  /** Slots that hit a database error (left due; the next tick tries again). */
  errors: number;
  slots: TakenSlot[];
}

const TRANSIENT_RETRIES = 3;

/**
 * One scheduler pass: takes every slot due at the clock's now, batch by batch, each slot in
 * its own transaction (take-slot.ts). Never throws for one bad row: a rule that cannot be
 * evaluated pauses its schedule with the reason, a database error is logged and counted and
 * the slot stays due for the next tick. Throws only when listing due schedules fails.
 */
export async function tick(options: TickOptions): Promise<TickResult> {
  const { db, clock, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const concurrency = dialectOf(db) === "sqlite" ? 1 : Math.max(1, options.concurrency ?? 8);
  const result: TickResult = { due: 0, queued: 0, skipped: 0, catchup: 0, lost: 0, duplicate: 0, broken: 0, errors: 0, slots: [] };
  const failed = new Set<number>();

  for (let batch = 0; batch < (options.maxBatches ?? 100); batch += 1) {
    const now = clock.now();
    // Slots that failed this tick are left for the next one instead of being retried at once.
    const due = (await listDueSlots(db, now, batchSize + failed.size)).filter((d) => !failed.has(d.scheduleId)).slice(0, batchSize);
    if (due.length === 0) break;
    result.due += due.length;
    // Schedulers reading the same batch at once would otherwise queue behind each other's row
    // locks slot after slot; in a random order each mostly takes different slots.
    if (concurrency > 1) shuffle(due);
    let index = 0;
    const lane = async () => {
      while (index < due.length) {
        const item = due[index++]!;
        const taken = await takeOne(db, item, clock.now(), options, logger);
        if (taken === "broken") {
          result.broken += 1;
          failed.add(item.scheduleId);
        } else if (taken === "error") {
          result.errors += 1;
          failed.add(item.scheduleId);
        } else {
          result.slots.push(taken);
          result[taken.outcome] += 1;
          if (taken.trigger === "catchup" && (taken.outcome === "queued" || taken.outcome === "skipped")) result.catchup += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    if (due.length < batchSize) break;
  }
  return result;
}

async function takeOne(db: Db, due: DueSlot, now: Date, options: TickOptions, logger?: Logger): Promise<TakenSlot | "broken" | "error"> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const taken = await takeDueSlot(db, due, now, { maxAttempts: options.maxAttempts });
      if (taken.outcome === "skipped") logger?.info({ scheduleId: due.scheduleId, companyId: due.companyId, slot: due.slot, runId: taken.runId, reason: taken.reason }, "slot skipped");
      else if (taken.outcome === "queued") logger?.debug({ scheduleId: due.scheduleId, companyId: due.companyId, slot: due.slot, runId: taken.runId, trigger: taken.trigger }, "run queued");
      return taken;
    } catch (error) {
      if (error instanceof ScheduleRuleError) return pauseBroken(db, due, now, error, logger);
      if (isTransientDbError(error) && attempt < TRANSIENT_RETRIES) continue;
      logger?.error({ err: error, scheduleId: due.scheduleId, slot: due.slot }, "could not take slot; will retry next tick");
      return "error";
    }
  }
}

async function pauseBroken(db: Db, due: DueSlot, now: Date, error: unknown, logger?: Logger): Promise<"broken" | "error"> {
  const message = error instanceof Error ? error.message : String(error);
  logger?.error({ err: error, scheduleId: due.scheduleId }, "schedule rule cannot be evaluated: pausing it");
  try {
    await pauseBrokenSchedule(db, due.scheduleId, due.slot, `invalid schedule: ${message}`, now);
    return "broken";
  } catch (pauseError) {
    logger?.error({ err: pauseError, scheduleId: due.scheduleId }, "could not pause broken schedule");
    return "error";
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
