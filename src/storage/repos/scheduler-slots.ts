import { sql } from "kysely";
import type { Frequency, JobType } from "../../domain/schedule-rule.js";
import { dialectOf } from "../db.js";
import { affected, insertUnlessDuplicate, toDbInstant, fromDbInstant, type Db } from "./repo-helpers.js";
import type { RunStatus, RunTrigger } from "./types.js";

/**
 * The SQL of the scheduler tick (src/scheduler/tick.ts), one function per statement, each as
 * lean as the tick needs: it runs thousands of times a second under load, so nothing here
 * reads back a row it just wrote.
 */

/** What the tick needs to take one slot of a due schedule. */
export interface DueSlot {
  scheduleId: number;
  companyId: number;
  jobType: JobType;
  frequency: Frequency;
  hourOfDay: number;
  minute: number;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  cronExpression: string | null;
  /** The schedule's zone, else its company's. */
  timezone: string;
  dateRangeDays: number;
  /** The slot due: the schedule's `next_run_at`. */
  slot: Date;
}

/**
 * Enabled, unpaused schedules of active companies whose next run is due, oldest slot first
 * (served by the (enabled, next_run_at) index).
 */
export async function listDueSlots(db: Db, now: Date, limit: number): Promise<DueSlot[]> {
  const rows = await db
    .selectFrom("schedules as s")
    .innerJoin("companies as c", "c.id", "s.company_id")
    .select([
      "s.id",
      "s.company_id",
      "s.job_type",
      "s.frequency",
      "s.hour_of_day",
      "s.minute",
      "s.day_of_week",
      "s.day_of_month",
      "s.cron_expression",
      "s.timezone",
      "s.date_range_days",
      "s.next_run_at",
      "c.timezone as company_timezone",
    ])
    .where("s.enabled", "=", 1)
    .where("s.next_run_at", "<=", toDbInstant(now))
    .where("s.paused_reason", "is", null)
    .where("c.active", "=", 1)
    .orderBy("s.next_run_at")
    .orderBy("s.id")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    scheduleId: Number(row.id),
    companyId: Number(row.company_id),
    jobType: row.job_type as JobType,
    frequency: row.frequency as Frequency,
    hourOfDay: Number(row.hour_of_day),
    minute: Number(row.minute),
    dayOfWeek: row.day_of_week === null ? null : Number(row.day_of_week),
    dayOfMonth: row.day_of_month === null ? null : Number(row.day_of_month),
    cronExpression: row.cron_expression,
    timezone: row.timezone ?? row.company_timezone,
    dateRangeDays: Number(row.date_range_days),
    slot: fromDbInstant(row.next_run_at!),
  }));
}

/**
 * Compare-and-swap of the slot: moves `next_run_at` from `expected` to `next` and records the
 * slot as taken, only if nobody moved it first. Of several schedulers taking the same slot
 * exactly one gets true; it also holds the schedule's row lock (or SQLite's write lock) until
 * its transaction ends, so it runs first in the tick's transaction.
 */
export async function takeSlot(
  db: Db,
  input: { scheduleId: number; expected: Date; next: Date; takenAt: Date; lastStatus: RunStatus },
): Promise<boolean> {
  const result = await db
    .updateTable("schedules")
    .set({ next_run_at: toDbInstant(input.next), last_run_at: toDbInstant(input.takenAt), last_status: input.lastStatus })
    .where("id", "=", input.scheduleId)
    .where("next_run_at", "=", toDbInstant(input.expected))
    .where("enabled", "=", 1)
    .where("paused_reason", "is", null)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Serialises slot-taking per company across schedulers (row lock until the transaction ends),
 * so two schedules of one company due together cannot both find it idle and both queue.
 * SQLite needs nothing: its transaction already holds the database's write lock.
 */
export async function lockCompanyForSlot(db: Db, companyId: number): Promise<void> {
  if (dialectOf(db) === "sqlite") return;
  await db.selectFrom("companies").select("id").where("id", "=", companyId).forUpdate().execute();
}

/** One queued or running run of the company, if any (index on (company_id, status)). */
export async function findCompanyActiveRun(db: Db, companyId: number): Promise<{ id: number; status: RunStatus } | undefined> {
  const row = await db
    .selectFrom("sync_runs")
    .select(["id", "status"])
    .where("company_id", "=", companyId)
    .where("status", "in", ["queued", "running"])
    .limit(1)
    .executeTakeFirst();
  return row ? { id: Number(row.id), status: row.status as RunStatus } : undefined;
}

/**
 * End date of the company's last successful run covering `jobType` (a `full` run covers both
 * sales and bills; for `full` the earlier of the two ends), in one query. Null when none.
 */
export async function lastSuccessfulEnd(db: Db, companyId: number, jobType: JobType): Promise<string | null> {
  const row = await db
    .selectFrom("sync_runs")
    .select([
      sql<string | null>`max(case when job_type in ('sales', 'full') then window_to end)`.as("sales_end"),
      sql<string | null>`max(case when job_type in ('bills', 'full') then window_to end)`.as("bills_end"),
    ])
    .where("company_id", "=", companyId)
    .where("status", "=", "succeeded")
    .executeTakeFirst();
  const sales = row?.sales_end ?? null;
  const bills = row?.bills_end ?? null;
  if (jobType === "sales") return sales;
  if (jobType === "bills") return bills;
  if (sales === null || bills === null) return null;
  return sales < bills ? sales : bills;
}

export interface SlotRun {
  companyId: number;
  scheduleId: number;
  scheduledFor: Date;
  trigger: RunTrigger;
  jobType: JobType;
  windowFrom: string;
  windowTo: string;
  maxAttempts: number;
  now: Date;
  /** Record the slot as `skipped` with this reason instead of queueing a run. */
  skippedReason?: string;
}

/**
 * Inserts the run row of a slot; undefined when the (schedule, slot) row already exists (the
 * slot was taken before, so it stays taken exactly once). Does not abort a PostgreSQL
 * transaction on that collision.
 */
export async function insertSlotRun(db: Db, run: SlotRun): Promise<number | undefined> {
  const at = toDbInstant(run.now);
  const skipped = run.skippedReason !== undefined;
  return insertUnlessDuplicate(
    db,
    "sync_runs",
    {
      company_id: run.companyId,
      schedule_id: run.scheduleId,
      trigger: run.trigger,
      job_type: run.jobType,
      window_from: run.windowFrom,
      window_to: run.windowTo,
      scheduled_for: toDbInstant(run.scheduledFor),
      status: skipped ? "skipped" : "queued",
      attempt: 0,
      max_attempts: run.maxAttempts,
      available_at: at,
      running_company_id: null,
      error_code: skipped ? "skipped" : null,
      error_message: skipped ? run.skippedReason!.slice(0, 1000) : null,
      finished_at: skipped ? at : null,
      created_at: at,
      updated_at: at,
    },
    ["schedule_id", "scheduled_for"],
  );
}

export async function setScheduleLastStatus(db: Db, scheduleId: number, status: RunStatus): Promise<void> {
  await db.updateTable("schedules").set({ last_status: status }).where("id", "=", scheduleId).execute();
}

/**
 * Pauses one schedule whose rule cannot be evaluated (a row validation would have refused),
 * so the tick stops selecting it; guarded by its current slot like `takeSlot`.
 */
export async function pauseBrokenSchedule(db: Db, scheduleId: number, expected: Date, reason: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("schedules")
    .set({ paused_reason: reason.slice(0, 200), updated_at: toDbInstant(now) })
    .where("id", "=", scheduleId)
    .where("next_run_at", "=", toDbInstant(expected))
    .where("paused_reason", "is", null)
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Clears one schedule's pause (only if still paused for `reason`, when given) and sets its next run. */
export async function resumeScheduleAt(db: Db, scheduleId: number, nextRunAt: Date | null, now: Date, reason?: string): Promise<boolean> {
  let query = db
    .updateTable("schedules")
    .set({ paused_reason: null, next_run_at: nextRunAt === null ? null : toDbInstant(nextRunAt), updated_at: toDbInstant(now) })
    .where("id", "=", scheduleId)
    .where("paused_reason", "is not", null);
  if (reason !== undefined) query = query.where("paused_reason", "=", reason.slice(0, 200));
  return affected(await query.executeTakeFirst()) === 1;
}
