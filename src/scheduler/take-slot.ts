import type { ScheduleRule } from "../domain/schedule-rule.js";
import { syncWindow } from "../domain/sync-window.js";
import { dialectOf } from "../storage/db.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import {
  busyReason,
  insertSlotRun,
  markSlotRunSkipped,
  mergedReason,
  mergeIntoQueuedRun,
  readSlotContext,
  setScheduleLastStatus,
  takeSlot,
  type DueSlot,
} from "../storage/repos/scheduler-slots.js";
import { planSlot } from "./plan-slot.js";

export type SlotOutcome =
  /** A run was queued for the slot. */
  | "queued"
  /** The company's run was still queued: the slot joined it (`mergedInto`) and was recorded as a `skipped` row saying so. */
  | "merged"
  /** A run of the company was executing: the slot was recorded as a `skipped` run. */
  | "skipped"
  /** Another scheduler took the slot first (CAS lost); nothing was written. */
  | "lost"
  /** The slot's run row already existed; the schedule was advanced past it. */
  | "duplicate";

export interface TakenSlot {
  scheduleId: number;
  companyId: number;
  slot: Date;
  outcome: SlotOutcome;
  trigger: "schedule" | "catchup";
  next: Date;
  /** The run queued, or the slot's own `skipped` row (skipped, merged). */
  runId?: number;
  /** merged: the queued run the slot joined. */
  mergedInto?: number;
  reason?: string;
}

export interface TakeSlotOptions {
  /** Attempts a queued run gets (docs/scheduling.md "Retries"); default 3. */
  maxAttempts?: number;
}

export function ruleOf(due: DueSlot): ScheduleRule {
  return {
    frequency: due.frequency,
    hourOfDay: due.hourOfDay,
    minute: due.minute,
    dayOfWeek: due.dayOfWeek,
    dayOfMonth: due.dayOfMonth,
    cronExpression: due.cronExpression,
    timezone: due.timezone,
  };
}

/**
 * Takes one due slot in ONE transaction (docs/scheduling.md "Taking a slot"):
 * 1. compare-and-swap `next_run_at` from the slot to the next one; a loser writes nothing;
 * 2. lock the company, so schedules of one company due together are decided one at a time;
 * 3. if the company has a queued run, the slot joins it (job types united, window widened to
 *    cover both) and is recorded as a `skipped` row "merged into run N"; if it only has a
 *    running run, the slot is recorded as `skipped` (the next run's gap-free window covers its
 *    dates); else queue a run whose window is gap-free after the last successful one.
 *    The take-slots procedure (migration 0005) does the same on PostgreSQL.
 * The CAS comes first because it is a write: it takes SQLite's write lock before anything is
 * read (no stale snapshot to upgrade) and the schedule's row lock elsewhere, so concurrent
 * schedulers queue behind the winner and then see the slot moved.
 * Throws ScheduleRuleError for a rule that cannot be evaluated (before any write), and database
 * errors as they come (the caller retries or logs).
 */
export async function takeDueSlot(db: Db, due: DueSlot, now: Date, options: TakeSlotOptions = {}): Promise<TakenSlot> {
  let plan: ReturnType<typeof planSlot>;
  try {
    plan = planSlot(ruleOf(due), due.slot, now);
    syncWindow({ now, timezone: due.timezone, dateRangeDays: due.dateRangeDays });
  } catch (error) {
    throw new ScheduleRuleError(error);
  }
  const base = { scheduleId: due.scheduleId, companyId: due.companyId, slot: due.slot, trigger: plan.trigger, next: plan.next };

  const work = async (trx: Db): Promise<TakenSlot> => {
    const won = await takeSlot(trx, {
      scheduleId: due.scheduleId,
      companyId: due.companyId,
      expected: due.slot,
      next: plan.next,
      takenAt: now,
      lastStatus: "queued",
    });
    if (!won) return { ...base, outcome: "lost" };
    const { activeRun: active, lastSuccessfulEnd: lastEnd } = await readSlotContext(trx, due.companyId, due.jobType);
    const runBase = {
      companyId: due.companyId,
      scheduleId: due.scheduleId,
      scheduledFor: due.slot,
      trigger: plan.trigger,
      jobType: due.jobType,
      maxAttempts: options.maxAttempts ?? 3,
      now,
    };
    const window = syncWindow({ now, timezone: due.timezone, dateRangeDays: due.dateRangeDays, lastSuccessfulEnd: lastEnd });
    if (active) {
      const busyWindow = syncWindow({ now, timezone: due.timezone, dateRangeDays: due.dateRangeDays });
      const merging = active.status === "queued";
      // The slot's row is written first: if it exists already (slot taken before) nothing is merged.
      const reason = merging ? mergedReason(active.id) : busyReason(active.id, active.status);
      const runId = await insertSlotRun(trx, {
        ...runBase,
        windowFrom: merging ? window.from : busyWindow.from,
        windowTo: window.to,
        skipped: { code: merging ? "merged" : "skipped", reason },
      });
      await setScheduleLastStatus(trx, due.scheduleId, "skipped");
      if (runId === undefined) return { ...base, outcome: "duplicate" };
      if (!merging) return { ...base, outcome: "skipped", runId, reason };
      const merged = await mergeIntoQueuedRun(trx, active.id, { jobType: due.jobType, windowFrom: window.from, windowTo: window.to, now });
      if (merged === true) return { ...base, outcome: "merged", runId, mergedInto: active.id, reason };
      // A worker claimed the run between our read and the update: give way as to any running run.
      const busy = busyReason(active.id, merged);
      await markSlotRunSkipped(trx, runId, busy, busyWindow.from);
      return { ...base, outcome: "skipped", runId, reason: busy };
    }
    const runId = await insertSlotRun(trx, { ...runBase, windowFrom: window.from, windowTo: window.to });
    return runId === undefined ? { ...base, outcome: "duplicate" } : { ...base, outcome: "queued", runId };
  };

  if (db.isTransaction) return work(db);
  // READ COMMITTED on MariaDB (its default is REPEATABLE READ) so the busy check after the
  // company lock sees runs committed by others meanwhile, as PostgreSQL's default does, and the
  // merge's guarded update re-reads a run row a claim changed meanwhile.
  const transaction = dialectOf(db) === "mysql" ? db.transaction().setIsolationLevel("read committed") : db.transaction();
  return transaction.execute(work);
}

/** The schedule's row holds a rule the pure code cannot evaluate (validation would refuse it). */
export class ScheduleRuleError extends Error {
  override readonly name = "ScheduleRuleError";
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Deadlocks, serialisation failures, lock timeouts and SQLite's busy: worth one more try. */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.code === "40P01" || e.code === "40001" || e.code === "55P03") return true;
  if (e.errno === 1213 || e.errno === 1205) return true;
  if (typeof e.code === "string" && e.code.startsWith("SQLITE_BUSY")) return true;
  return e.cause !== undefined && e.cause !== error ? isTransientDbError(e.cause) : false;
}
