import type { Selectable } from "kysely";
import type { Frequency, JobType } from "../../domain/schedule-rule.js";
import { NotFoundError, withDbErrors } from "../errors.js";
import type { SchedulesTable } from "../schema.js";
import {
  affected,
  decodeCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  fromFlag,
  insertReturningId,
  keysetPage,
  pageLimit,
  toDbInstant,
  toDbInstantOrNull,
  toFlag,
  type Db,
} from "./repo-helpers.js";
import type { Page, PageOptions, RunStatus } from "./types.js";

export interface Schedule extends ScheduleFields {
  id: number;
  companyId: number;
  /** Set while paused by the system (e.g. "reconnect QuickBooks"); null otherwise. */
  pausedReason: string | null;
  lastRunAt: Date | null;
  lastStatus: RunStatus | null;
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A schedule with what monitoring and the tick need from its company. */
export interface ScheduleWithCompany extends Schedule {
  companyName: string;
  companyCode: string;
  companyTimezone: string;
  /** The zone the schedule's wall times are read in: its own, else the company's. */
  effectiveTimezone: string;
}

/** The rule fields a user sets (full replace on update). */
export interface ScheduleFields {
  jobType: JobType;
  frequency: Frequency;
  hourOfDay: number;
  minute: number;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  cronExpression: string | null;
  /** Null: the company's zone (see `effectiveTimezone` on joined reads). */
  timezone: string | null;
  dateRangeDays: number;
  enabled: boolean;
}

type ScheduleRow = Selectable<SchedulesTable>;
type JoinedRow = ScheduleRow & { company_name: string; company_code: string; company_timezone: string };

type RuleColumns = Pick<ScheduleRow, "job_type" | "frequency" | "hour_of_day" | "minute" | "day_of_week" | "day_of_month" | "cron_expression" | "date_range_days">;

/** The rule columns of a schedule row as domain values (drivers may return numbers as strings). */
export function ruleFieldsFromRow(row: RuleColumns): Omit<ScheduleFields, "timezone" | "enabled"> {
  return {
    jobType: row.job_type as JobType,
    frequency: row.frequency as Frequency,
    hourOfDay: Number(row.hour_of_day),
    minute: Number(row.minute),
    dayOfWeek: row.day_of_week === null ? null : Number(row.day_of_week),
    dayOfMonth: row.day_of_month === null ? null : Number(row.day_of_month),
    cronExpression: row.cron_expression,
    dateRangeDays: Number(row.date_range_days),
  };
}

function scheduleFromRow(row: ScheduleRow): Schedule {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    ...ruleFieldsFromRow(row),
    timezone: row.timezone,
    enabled: fromFlag(row.enabled),
    pausedReason: row.paused_reason,
    lastRunAt: fromDbInstantOrNull(row.last_run_at),
    lastStatus: row.last_status as RunStatus | null,
    nextRunAt: fromDbInstantOrNull(row.next_run_at),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

function joinedFromRow(row: JoinedRow): ScheduleWithCompany {
  return {
    ...scheduleFromRow(row),
    companyName: row.company_name,
    companyCode: row.company_code,
    companyTimezone: row.company_timezone,
    effectiveTimezone: row.timezone ?? row.company_timezone,
  };
}

function fieldsToRow(f: ScheduleFields) {
  return {
    job_type: f.jobType,
    frequency: f.frequency,
    hour_of_day: f.hourOfDay,
    minute: f.minute,
    day_of_week: f.dayOfWeek,
    day_of_month: f.dayOfMonth,
    cron_expression: f.cronExpression,
    timezone: f.timezone,
    date_range_days: f.dateRangeDays,
    enabled: toFlag(f.enabled),
  };
}

function selectJoined(db: Db) {
  return db
    .selectFrom("schedules as s")
    .innerJoin("companies as c", "c.id", "s.company_id")
    .selectAll("s")
    .select(["c.name as company_name", "c.code as company_code", "c.timezone as company_timezone"]);
}

/** `nextRunAt` is computed by the caller (domain/next-run-at.ts). ForeignKeyViolationError for an unknown company. */
export async function createSchedule(
  db: Db,
  input: ScheduleFields & { companyId: number; nextRunAt: Date | null; now: Date },
): Promise<ScheduleWithCompany> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "schedules", {
      company_id: input.companyId,
      ...fieldsToRow(input),
      next_run_at: toDbInstantOrNull(input.nextRunAt),
      paused_reason: null,
      last_run_at: null,
      last_status: null,
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getSchedule(db, id))!;
}

export async function getSchedule(db: Db, id: number): Promise<ScheduleWithCompany | undefined> {
  const row = await selectJoined(db).where("s.id", "=", id).executeTakeFirst();
  return row ? joinedFromRow(row) : undefined;
}

/** A company's schedules, oldest first. */
export async function listCompanySchedules(db: Db, companyId: number): Promise<ScheduleWithCompany[]> {
  const rows = await selectJoined(db).where("s.company_id", "=", companyId).orderBy("s.id").execute();
  return rows.map(joinedFromRow);
}

export interface ListSchedulesOptions extends PageOptions {
  /** Restrict to these companies (what the caller may see); undefined = all. */
  companyIds?: readonly number[];
  enabled?: boolean;
  paused?: boolean;
}

/** Every schedule for the monitoring table, by company name then id (keyset paging). */
export async function listSchedules(db: Db, options: ListSchedulesOptions = {}): Promise<Page<ScheduleWithCompany>> {
  return keysetPage(
    pageLimit(options),
    (n) => {
      if (options.companyIds && options.companyIds.length === 0) return Promise.resolve([]);
      let query = selectJoined(db);
      if (options.companyIds) query = query.where("s.company_id", "in", [...options.companyIds]);
      if (options.enabled !== undefined) query = query.where("s.enabled", "=", toFlag(options.enabled));
      if (options.paused !== undefined) query = query.where("s.paused_reason", options.paused ? "is not" : "is", null);
      if (options.cursor) {
        const [name, id] = decodeCursor(options.cursor, ["string", "number"]) as [string, number];
        query = query.where((eb) => eb.or([eb("c.name", ">", name), eb.and([eb("c.name", "=", name), eb("s.id", ">", id)])]));
      }
      return query.orderBy("c.name").orderBy("s.id").limit(n).execute();
    },
    joinedFromRow,
    (row) => [row.company_name, Number(row.id)],
  );
}

/** Replaces the rule fields and the next run. Throws NotFoundError. */
export async function updateSchedule(db: Db, id: number, fields: ScheduleFields & { nextRunAt: Date | null }, now: Date): Promise<ScheduleWithCompany> {
  const result = await withDbErrors(() =>
    db
      .updateTable("schedules")
      .set({ ...fieldsToRow(fields), next_run_at: toDbInstantOrNull(fields.nextRunAt), updated_at: toDbInstant(now) })
      .where("id", "=", id)
      .executeTakeFirst(),
  );
  if (affected(result) === 0) throw new NotFoundError("schedule", id);
  return (await getSchedule(db, id))!;
}

/** Enables or disables; re-enabling takes the next run computed after now. Throws NotFoundError. */
export async function setScheduleEnabled(db: Db, id: number, enabled: boolean, nextRunAt: Date | null, now: Date): Promise<ScheduleWithCompany> {
  const result = await db
    .updateTable("schedules")
    .set({ enabled: toFlag(enabled), next_run_at: toDbInstantOrNull(nextRunAt), updated_at: toDbInstant(now) })
    .where("id", "=", id)
    .executeTakeFirst();
  if (affected(result) === 0) throw new NotFoundError("schedule", id);
  return (await getSchedule(db, id))!;
}

export async function deleteSchedule(db: Db, id: number): Promise<boolean> {
  return affected(await db.deleteFrom("schedules").where("id", "=", id).executeTakeFirst()) > 0;
}

/**
 * Enabled, unpaused schedules whose next run is due, oldest slot first; served by the
 * (enabled, next_run_at) index.
 */
export async function listDueSchedules(db: Db, now: Date, limit: number): Promise<ScheduleWithCompany[]> {
  const rows = await selectJoined(db)
    .where("s.enabled", "=", 1)
    .where("s.next_run_at", "<=", toDbInstant(now))
    .where("s.paused_reason", "is", null)
    .orderBy("s.next_run_at")
    .orderBy("s.id")
    .limit(limit)
    .execute();
  return rows.map(joinedFromRow);
}

/**
 * Moves the next run from `expectedNextRunAt` to `newNextRunAt` only if nobody moved it first:
 * of several schedulers taking the same slot, exactly one gets true. Leaves `updated_at` (the
 * last change by a person) alone.
 */
export async function advanceScheduleIfNextRunAt(db: Db, id: number, expectedNextRunAt: Date, newNextRunAt: Date | null): Promise<boolean> {
  const result = await db
    .updateTable("schedules")
    .set({ next_run_at: toDbInstantOrNull(newNextRunAt) })
    .where("id", "=", id)
    .where("next_run_at", "=", toDbInstant(expectedNextRunAt))
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Records the last slot taken and/or the outcome of its run, for monitoring. */
export async function setScheduleLastRun(db: Db, id: number, update: { lastRunAt?: Date; lastStatus?: RunStatus | null }): Promise<void> {
  const set: { last_run_at?: string; last_status?: string | null } = {};
  if (update.lastRunAt) set.last_run_at = toDbInstant(update.lastRunAt);
  if (update.lastStatus !== undefined) set.last_status = update.lastStatus;
  if (Object.keys(set).length === 0) return;
  await db.updateTable("schedules").set(set).where("id", "=", id).execute();
}

/** Pauses every schedule of the company with the reason (already paused ones keep theirs). Returns how many. */
export async function pauseCompanySchedules(db: Db, companyId: number, reason: string, now: Date): Promise<number> {
  const result = await db
    .updateTable("schedules")
    .set({ paused_reason: reason.slice(0, 200), updated_at: toDbInstant(now) })
    .where("company_id", "=", companyId)
    .where("paused_reason", "is", null)
    .executeTakeFirst();
  return affected(result);
}

/**
 * Clears the pause of the company's schedules: only those paused for `reason` when given (so
 * a reconnect does not lift an unrelated pause). Returns how many. Their `next_run_at` may be
 * in the past: the tick then takes it as a missed slot (one catch-up run).
 */
export async function resumeCompanySchedules(db: Db, companyId: number, now: Date, reason?: string): Promise<number> {
  let query = db
    .updateTable("schedules")
    .set({ paused_reason: null, updated_at: toDbInstant(now) })
    .where("company_id", "=", companyId)
    .where("paused_reason", "is not", null);
  if (reason !== undefined) query = query.where("paused_reason", "=", reason.slice(0, 200));
  return affected(await query.executeTakeFirst());
}
