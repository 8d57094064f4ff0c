import { sql } from "kysely";
import type { Frequency, JobType } from "../../domain/schedule-rule.js";
import { dialectOf } from "../db.js";
import { affected, chunk, IN_LIST_CHUNK, toDbInstant, fromDbInstant, type Db } from "./repo-helpers.js";
import { ruleFieldsFromRow } from "./schedules.js";
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
    ...ruleFieldsFromRow(row),
    timezone: row.timezone ?? row.company_timezone,
    slot: fromDbInstant(row.next_run_at!),
  }));
}

/**
 * Compare-and-swap of the slot: moves `next_run_at` from `expected` to `next` and records the
 * slot as taken, only if nobody moved it first. Of several schedulers taking the same slot
 * exactly one gets true. The winner then also holds, until its transaction ends, the
 * schedule's row lock (or SQLite's write lock: it runs first, as a write, so no stale read
 * snapshot has to be upgraded) and the company's row lock, which serialises slot-taking per
 * company so two schedules of one company due together cannot both find it idle.
 * PostgreSQL does both in one statement; MariaDB needs two.
 */
export async function takeSlot(
  db: Db,
  input: { scheduleId: number; companyId: number; expected: Date; next: Date; takenAt: Date; lastStatus: RunStatus },
): Promise<boolean> {
  const set = sql`next_run_at = ${toDbInstant(input.next)}, last_run_at = ${toDbInstant(input.takenAt)}, last_status = ${input.lastStatus}`;
  const guard = sql`id = ${input.scheduleId} and next_run_at = ${toDbInstant(input.expected)} and enabled = 1 and paused_reason is null`;
  switch (dialectOf(db)) {
    case "postgres": {
      const { rows } = await sql<{ id: number }>`
        with cas as (update schedules set ${set} where ${guard} returning company_id)
        select c.id from companies c join cas on c.id = cas.company_id for update of c`.execute(db);
      return rows.length === 1;
    }
    case "mysql": {
      const result = await sql`update schedules set ${set} where ${guard}`.execute(db);
      if (Number(result.numAffectedRows ?? 0n) !== 1) return false;
      await sql`select id from companies where id = ${input.companyId} for update`.execute(db);
      return true;
    }
    case "sqlite": {
      const result = await sql`update schedules set ${set} where ${guard}`.execute(db);
      return Number(result.numAffectedRows ?? 0n) === 1;
    }
  }
}

export interface SlotContext {
  /**
   * A queued run of the company if it has one (the slot can join it), else a running one, else
   * undefined (index on (company_id, status, available_at, id)).
   */
  activeRun: { id: number; status: RunStatus } | undefined;
  /** End date of the last successful run covering the job type (see endCovering). */
  lastSuccessfulEnd: string | null;
}

/**
 * What deciding a slot needs to know about the company, in one round trip: whether it has a run
 * the slot can join (queued) or must give way to (running), and where its last successful sync
 * of this job type ended (a `full` run covers both sales and bills; for `full`, the earlier of
 * the two ends).
 */
export async function readSlotContext(db: Db, companyId: number, jobType: JobType): Promise<SlotContext> {
  // Queued first: a slot joins a waiting run even while another run of the company executes.
  const active = sql`from sync_runs where company_id = ${companyId} and status in ('queued', 'running')
    order by case when status = 'queued' then 0 else 1 end, id limit 1`;
  const succeeded = sql`from sync_runs where company_id = ${companyId} and status = 'succeeded'`;
  const { rows } = await sql<{ active_id: number | string | null; active_status: string | null; sales_end: string | null; bills_end: string | null }>`
    select
      (select id ${active}) as active_id,
      (select status ${active}) as active_status,
      (select max(window_to) ${succeeded} and job_type in ('sales', 'full')) as sales_end,
      (select max(window_to) ${succeeded} and job_type in ('bills', 'full')) as bills_end`.execute(db);
  const row = rows[0]!;
  return {
    activeRun: row.active_id === null ? undefined : { id: Number(row.active_id), status: row.active_status as RunStatus },
    lastSuccessfulEnd: endCovering(jobType, { sales: row.sales_end ?? null, bills: row.bills_end ?? null }),
  };
}

/** Where a company's successful runs of each kind ended (YYYY-MM-DD), null when none. */
export interface SuccessfulEnds {
  sales: string | null;
  bills: string | null;
}

/** The end covering `jobType`: a `full` run needs both kinds, so it takes the earlier end. */
export function endCovering(jobType: JobType, ends: SuccessfulEnds): string | null {
  const { sales, bills } = ends;
  if (jobType === "sales") return sales;
  if (jobType === "bills") return bills;
  return sales === null || bills === null ? null : sales < bills ? sales : bills;
}

/**
 * The successful ends of many companies in one query (the PostgreSQL tick reads them for a whole
 * batch of due slots before taking them). Companies without a successful run are absent.
 */
export async function listSuccessfulEnds(db: Db, companyIds: readonly number[]): Promise<Map<number, SuccessfulEnds>> {
  const ends = new Map<number, SuccessfulEnds>();
  for (const ids of chunk([...new Set(companyIds)], IN_LIST_CHUNK)) {
    const { rows } = await sql<{ company_id: number | string; sales_end: string | null; bills_end: string | null }>`
      select company_id,
        max(case when job_type in ('sales', 'full') then window_to end) as sales_end,
        max(case when job_type in ('bills', 'full') then window_to end) as bills_end
      from sync_runs
      where company_id in (${sql.join(ids)}) and status = 'succeeded'
      group by company_id`.execute(db);
    for (const row of rows) ends.set(Number(row.company_id), { sales: row.sales_end ?? null, bills: row.bills_end ?? null });
  }
  return ends;
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
  /**
   * Record the slot as a finished `skipped` row instead of queueing a run: `skipped` when the
   * company was busy, `merged` when the slot joined a queued run (the reason names the run).
   */
  skipped?: { code: SlotSkipCode; reason: string };
}

export type SlotSkipCode = "skipped" | "merged";

/** Longest reason a slot row keeps; the take-slots procedure (migration 0005) cuts at the same. */
export const SLOT_REASON_MAX = 1000;

/** The reason of a slot that joined queued run `runId` (the procedure writes the same words). */
export function mergedReason(runId: number): string {
  return `merged into run ${runId}`.slice(0, SLOT_REASON_MAX);
}

/** The reason of a slot that gave way to run `runId`; `status` null when the row is gone. */
export function busyReason(runId: number, status: string | null): string {
  return `company busy: run ${runId} is ${status ?? "gone"}`.slice(0, SLOT_REASON_MAX);
}

/**
 * Inserts the run row of a slot; undefined when the (schedule, slot) row already exists (the
 * slot was taken before, so it stays taken exactly once). Does not abort a PostgreSQL
 * transaction on that collision (ON CONFLICT DO NOTHING; MariaDB keeps a transaction usable
 * after a duplicate-key error).
 */
export async function insertSlotRun(db: Db, run: SlotRun): Promise<number | undefined> {
  const at = toDbInstant(run.now);
  const skipped = run.skipped;
  const values = sql`(${run.companyId}, ${run.scheduleId}, ${run.trigger}, ${run.jobType}, ${run.windowFrom}, ${run.windowTo},
    ${toDbInstant(run.scheduledFor)}, ${skipped ? "skipped" : "queued"}, 0, ${run.maxAttempts}, ${at},
    ${skipped?.code ?? null}, ${skipped ? skipped.reason.slice(0, SLOT_REASON_MAX) : null}, ${skipped ? at : null}, ${at}, ${at})`;
  const insert = sql`insert into sync_runs (company_id, schedule_id, ${sql.ref("trigger")}, job_type, window_from, window_to,
    scheduled_for, status, attempt, max_attempts, available_at, error_code, error_message, finished_at, created_at, updated_at)
    values ${values}`;
  if (dialectOf(db) === "mysql") {
    try {
      const result = await insert.execute(db);
      return Number(result.insertId);
    } catch (error) {
      if ((error as { errno?: unknown }).errno === 1062) return undefined;
      throw error;
    }
  }
  const { rows } = await sql<{ id: number | string }>`${insert} on conflict (schedule_id, scheduled_for) do nothing returning id`.execute(db);
  return rows[0] === undefined ? undefined : Number(rows[0].id);
}

/**
 * Joins a slot to the company's queued run `runId`: the job types are united (sales + bills, or
 * anything + full, is full) and the window widens to cover both. Guarded by `status = 'queued'`
 * on the run row, which a worker's claim also updates under its row lock: whichever comes
 * second waits for the first and re-reads the row, so a run that was claimed meanwhile is never
 * changed. (On MariaDB the claim's update also waits for the company row the slot holds: the
 * two then deadlock and one side is rolled back and retried, with the same result.)
 * Returns true when merged, else the run's current status (null if the row is gone).
 */
export async function mergeIntoQueuedRun(
  db: Db,
  runId: number,
  slot: { jobType: JobType; windowFrom: string; windowTo: string; now: Date },
): Promise<true | string | null> {
  // CASE rather than least/greatest: the same SQL on all three databases (YYYY-MM-DD compares as text).
  const result = await sql`update sync_runs set
      job_type = case when job_type = ${slot.jobType} then job_type else 'full' end,
      window_from = case when window_from < ${slot.windowFrom} then window_from else ${slot.windowFrom} end,
      window_to = case when window_to > ${slot.windowTo} then window_to else ${slot.windowTo} end,
      updated_at = ${toDbInstant(slot.now)}
    where id = ${runId} and status = 'queued'`.execute(db);
  if (Number(result.numAffectedRows ?? 0n) === 1) return true;
  const row = await db.selectFrom("sync_runs").select("status").where("id", "=", runId).executeTakeFirst();
  return row?.status ?? null;
}

/** Turns a slot row written as merged into a skipped one, when the run it meant to join was claimed first. */
export async function markSlotRunSkipped(db: Db, slotRunId: number, reason: string, windowFrom: string): Promise<void> {
  await db
    .updateTable("sync_runs")
    .set({ error_code: "skipped", error_message: reason.slice(0, SLOT_REASON_MAX), window_from: windowFrom })
    .where("id", "=", slotRunId)
    .execute();
}

/** One due slot for `takeSlotsInProcedure`, decided by the domain code beforehand. */
export interface ProcedureSlot {
  scheduleId: number;
  /** The slot: the schedule's `next_run_at` as read. */
  expected: Date;
  next: Date;
  trigger: "schedule" | "catchup";
  jobType: JobType;
  /**
   * The run's window start when the company is idle or the slot joins its queued run (gap-free
   * start), and when the slot is skipped because a run is executing.
   */
  idleFrom: string;
  busyFrom: string;
  to: string;
}

export type ProcedureOutcome =
  | { outcome: "queued"; runId: number }
  | { outcome: "skipped"; runId: number; reason: string }
  /** The slot joined the queued run `mergedInto`; `runId` is the slot's own (skipped) row. */
  | { outcome: "merged"; runId: number; mergedInto: number; reason: string }
  | { outcome: "lost" | "duplicate" }
  /** The slot's own transaction failed and was rolled back; `sqlState` says why. */
  | { outcome: "error"; sqlState: string; message: string };

/**
 * PostgreSQL: takes `slots` through the `devsync_take_slots` procedure (migration 0005), one
 * round trip for all of them, each slot in its own transaction. Outcomes come back in order.
 * Call it on the root handle: the procedure commits, so it cannot run inside a transaction.
 */
export async function takeSlotsInProcedure(db: Db, slots: readonly ProcedureSlot[], now: Date, maxAttempts: number): Promise<ProcedureOutcome[]> {
  if (slots.length === 0) return [];
  const column = <T>(pick: (slot: ProcedureSlot) => T) => slots.map(pick);
  const { rows } = await sql<{ o_outcomes: string[]; o_run_ids: (number | null)[]; o_reasons: (string | null)[] }>`call devsync_take_slots(
    ${column((s) => s.scheduleId)}::integer[], ${column((s) => toDbInstant(s.expected))}::text[], ${column((s) => toDbInstant(s.next))}::text[],
    ${column((s) => s.trigger)}::text[], ${column((s) => s.jobType)}::text[], ${column((s) => s.idleFrom)}::text[],
    ${column((s) => s.busyFrom)}::text[], ${column((s) => s.to)}::text[], ${toDbInstant(now)}, ${maxAttempts})`.execute(db);
  const { o_outcomes: outcomes, o_run_ids: runIds, o_reasons: reasons } = rows[0]!;
  if (outcomes.length !== slots.length) throw new Error(`devsync_take_slots answered ${outcomes.length} outcomes for ${slots.length} slots`);
  return outcomes.map((outcome, i): ProcedureOutcome => {
    switch (outcome) {
      case "queued":
        return { outcome, runId: Number(runIds[i]) };
      case "skipped":
        return { outcome, runId: Number(runIds[i]), reason: reasons[i]! };
      case "merged": {
        const into = /^merged into run (\d+)$/.exec(reasons[i] ?? "");
        if (!into) throw new Error(`devsync_take_slots answered a merge without its run: ${reasons[i]}`);
        return { outcome, runId: Number(runIds[i]), mergedInto: Number(into[1]), reason: reasons[i]! };
      }
      case "lost":
      case "duplicate":
        return { outcome };
      case "error": {
        const [sqlState = "", ...rest] = (reasons[i] ?? "").split(": ");
        return { outcome, sqlState, message: rest.join(": ") };
      }
      default:
        throw new Error(`devsync_take_slots answered an unknown outcome: ${outcome}`);
    }
  });
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
