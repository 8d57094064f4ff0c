import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { dialectOf } from "../storage/db.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { syncWindow } from "../domain/sync-window.js";
import {
  endCovering,
  listDueSlots,
  listSuccessfulEnds,
  pauseBrokenSchedule,
  takeSlotsInProcedure,
  type DueSlot,
  type ProcedureSlot,
} from "../storage/repos/scheduler-slots.js";
import { planSlot } from "./plan-slot.js";
import { isTransientDbError, ruleOf, ScheduleRuleError, takeDueSlot, type TakenSlot } from "./take-slot.js";

export interface TickOptions {
  db: Db;
  clock: Clock;
  logger?: Logger;
  /** Due schedules read per batch; default 500. */
  batchSize?: number;
  /**
   * Work in flight at once, each on a pooled connection: on MariaDB slot transactions (default
   * 8); on PostgreSQL calls of the take-slots procedure, each carrying a chunk of slots (default
   * 4); always 1 on SQLite (one writer).
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
  /** Slots that joined their company's queued run. */
  merged: number;
  skipped: number;
  /** Of queued + merged + skipped: slots that collapsed several missed slots. */
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
 * its own transaction (take-slot.ts; on PostgreSQL the same steps in the take-slots procedure,
 * a chunk of slots per round trip). Never throws for one bad row: a rule that cannot be
 * evaluated pauses its schedule with the reason, a database error is logged and counted and
 * the slot stays due for the next tick. Throws only when listing due schedules fails.
 */
export async function tick(options: TickOptions): Promise<TickResult> {
  const { db, clock, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const dialect = dialectOf(db);
  const concurrency = dialect === "sqlite" ? 1 : Math.max(1, options.concurrency ?? (dialect === "postgres" ? 4 : 8));
  const result: TickResult = { due: 0, queued: 0, merged: 0, skipped: 0, catchup: 0, lost: 0, duplicate: 0, broken: 0, errors: 0, slots: [] };
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
    const record = (item: DueSlot, taken: TakenSlot | "broken" | "error") => {
      if (taken === "broken") {
        result.broken += 1;
        failed.add(item.scheduleId);
      } else if (taken === "error") {
        result.errors += 1;
        failed.add(item.scheduleId);
      } else {
        result.slots.push(taken);
        result[taken.outcome] += 1;
        if (taken.trigger === "catchup" && (taken.outcome === "queued" || taken.outcome === "merged" || taken.outcome === "skipped")) result.catchup += 1;
      }
    };
    // The procedure commits each slot itself, so it cannot run inside a caller's transaction.
    if (dialect === "postgres" && !db.isTransaction) {
      await takeInChunks(db, due, clock, options, concurrency, record, logger);
    } else {
      let index = 0;
      const lane = async () => {
        while (index < due.length) {
          const item = due[index++]!;
          record(item, await takeOne(db, item, clock.now(), options, logger));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    }
    if (due.length < batchSize) break;
  }
  return result;
}

/** Slots per call of the PostgreSQL take-slots procedure. */
const PROCEDURE_CHUNK = 100;

/**
 * PostgreSQL: takes a batch of due slots through `devsync_take_slots` (migration 0005), one
 * round trip per chunk, each slot still in its own transaction. The calendar work (next slot,
 * catch-up, windows) is done here by the domain code, as on the per-slot path. The gap-free
 * window start (a new run's, or what a slot adds to the queued run it joins) reads the companies' last successful ends once for the batch, before the slots
 * are taken: a run that succeeds in between only makes the new window start earlier than it
 * needs to (an overlap, never a gap). Slots whose transaction failed transiently (deadlock,
 * serialisation) are retried one by one on the per-slot path.
 */
async function takeInChunks(
  db: Db,
  due: DueSlot[],
  clock: Clock,
  options: TickOptions,
  concurrency: number,
  record: (item: DueSlot, taken: TakenSlot | "broken" | "error") => void,
  logger?: Logger,
): Promise<void> {
  const now = clock.now();
  const ends = await listSuccessfulEnds(db, due.map((d) => d.companyId));
  const planned: { item: DueSlot; slot: ProcedureSlot }[] = [];
  for (const item of due) {
    let slot: ProcedureSlot;
    try {
      const plan = planSlot(ruleOf(item), item.slot, now);
      const lastSuccessfulEnd = endCovering(item.jobType, ends.get(item.companyId) ?? { sales: null, bills: null });
      const idle = syncWindow({ now, timezone: item.timezone, dateRangeDays: item.dateRangeDays, lastSuccessfulEnd });
      const busy = syncWindow({ now, timezone: item.timezone, dateRangeDays: item.dateRangeDays });
      slot = { scheduleId: item.scheduleId, expected: item.slot, next: plan.next, trigger: plan.trigger, jobType: item.jobType, idleFrom: idle.from, busyFrom: busy.from, to: idle.to };
    } catch (error) {
      record(item, await pauseBroken(db, item, now, new ScheduleRuleError(error), logger));
      continue;
    }
    planned.push({ item, slot });
  }

  const chunks: (typeof planned)[] = [];
  for (let i = 0; i < planned.length; i += PROCEDURE_CHUNK) chunks.push(planned.slice(i, i + PROCEDURE_CHUNK));
  let index = 0;
  const lane = async () => {
    while (index < chunks.length) {
      const chunk = chunks[index++]!;
      let outcomes: Awaited<ReturnType<typeof takeSlotsInProcedure>>;
      try {
        outcomes = await takeSlotsInProcedure(db, chunk.map((p) => p.slot), now, options.maxAttempts ?? 3);
      } catch (error) {
        // The call itself failed (connection lost mid-chunk): some slots may be taken, the rest
        // are still due. The per-slot path sorts them out (a taken slot answers `lost`).
        logger?.warn({ err: error, slots: chunk.length }, "take-slots call failed; taking its slots one by one");
        for (const p of chunk) record(p.item, await takeOne(db, p.item, clock.now(), options, logger));
        continue;
      }
      for (const [i, p] of chunk.entries()) {
        const taken = outcomes[i]!;
        const base = { scheduleId: p.item.scheduleId, companyId: p.item.companyId, slot: p.item.slot, trigger: p.slot.trigger, next: p.slot.next };
        switch (taken.outcome) {
          case "queued":
            logger?.debug({ scheduleId: base.scheduleId, companyId: base.companyId, slot: base.slot, runId: taken.runId, trigger: base.trigger }, "run queued");
            record(p.item, { ...base, outcome: "queued", runId: taken.runId });
            break;
          case "skipped":
            logger?.info({ scheduleId: base.scheduleId, companyId: base.companyId, slot: base.slot, runId: taken.runId, reason: taken.reason }, "slot skipped");
            record(p.item, { ...base, outcome: "skipped", runId: taken.runId, reason: taken.reason });
            break;
          case "merged":
            logger?.info({ scheduleId: base.scheduleId, companyId: base.companyId, slot: base.slot, runId: taken.runId, mergedInto: taken.mergedInto }, "slot merged into queued run");
            record(p.item, { ...base, outcome: "merged", runId: taken.runId, mergedInto: taken.mergedInto, reason: taken.reason });
            break;
          case "lost":
          case "duplicate":
            record(p.item, { ...base, outcome: taken.outcome });
            break;
          case "error":
            if (isTransientDbError({ code: taken.sqlState })) {
              record(p.item, await takeOne(db, p.item, clock.now(), options, logger));
            } else {
              logger?.error({ sqlState: taken.sqlState, error: taken.message, scheduleId: base.scheduleId, slot: base.slot }, "could not take slot; will retry next tick");
              record(p.item, "error");
            }
            break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, lane));
}

async function takeOne(db: Db, due: DueSlot, now: Date, options: TickOptions, logger?: Logger): Promise<TakenSlot | "broken" | "error"> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const taken = await takeDueSlot(db, due, now, { maxAttempts: options.maxAttempts });
      if (taken.outcome === "skipped") logger?.info({ scheduleId: due.scheduleId, companyId: due.companyId, slot: due.slot, runId: taken.runId, reason: taken.reason }, "slot skipped");
      else if (taken.outcome === "merged") logger?.info({ scheduleId: due.scheduleId, companyId: due.companyId, slot: due.slot, runId: taken.runId, mergedInto: taken.mergedInto }, "slot merged into queued run");
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
