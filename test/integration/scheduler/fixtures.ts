import { createManualClock } from "../../../src/clock.js";
import { nextRunAt } from "../../../src/domain/next-run-at.js";
import { createCompany, type Company } from "../../../src/storage/repos/companies.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { createSchedule, type ScheduleFields, type ScheduleWithCompany } from "../../../src/storage/repos/schedules.js";
import { pino } from "pino";

/** Silent unless DEVSYNC_TEST_LOG is set. */
export const testLogger = pino({ level: process.env.DEVSYNC_TEST_LOG ?? "silent" });

/** 2026-11-28 08:00 UTC = 09:00 in Tirana (a Saturday). */
export const T0 = new Date("2026-11-28T08:00:00.000Z");

export const minutes = (n: number) => n * 60_000;
export const at = (iso: string) => new Date(iso);
export const manualClock = (start: Date = T0) => createManualClock(start);

let seq = 0;
export async function makeCompany(db: Db, overrides: { timezone?: string; name?: string } = {}): Promise<Company> {
  seq += 1;
  return createCompany(
    db,
    { code: `K${String(seq).padStart(8, "0")}A`, name: overrides.name ?? `Company ${seq}`, timezone: overrides.timezone },
    T0,
  );
}

export const DAILY_9: ScheduleFields = {
  jobType: "full",
  frequency: "daily",
  hourOfDay: 9,
  minute: 0,
  dayOfWeek: null,
  dayOfMonth: null,
  cronExpression: null,
  timezone: null,
  dateRangeDays: 30,
  enabled: true,
};

/** Creates a schedule whose next run is the first slot after `after` (or the given instant). */
export async function makeSchedule(
  db: Db,
  company: Company,
  fields: Partial<ScheduleFields> = {},
  options: { after?: Date; nextRunAt?: Date } = {},
): Promise<ScheduleWithCompany> {
  const f = { ...DAILY_9, ...fields };
  const next =
    options.nextRunAt ??
    nextRunAt(
      { frequency: f.frequency, hourOfDay: f.hourOfDay, minute: f.minute, dayOfWeek: f.dayOfWeek, dayOfMonth: f.dayOfMonth, cronExpression: f.cronExpression, timezone: f.timezone ?? company.timezone },
      options.after ?? new Date(T0.getTime() - 1),
    );
  return createSchedule(db, { ...f, companyId: company.id, nextRunAt: next, now: T0 });
}

export async function runsOf(db: Db, scheduleId?: number) {
  let query = db.selectFrom("sync_runs").selectAll().orderBy("id");
  if (scheduleId !== undefined) query = query.where("schedule_id", "=", scheduleId);
  return query.execute();
}
