import { createSchedule } from "../../../src/storage/repos/schedules.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";

/** Test-only: pretend the stored access token expires at `at` (as if it was issued long ago). */
export async function setAccessExpiry(db: Db, companyId: number, at: Date): Promise<void> {
  await db.updateTable("qbo_connections").set({ access_expires_at: at.toISOString() }).where("company_id", "=", companyId).execute();
}

export async function setLastRefreshedAt(db: Db, companyId: number, at: Date): Promise<void> {
  await db.updateTable("qbo_connections").set({ last_refreshed_at: at.toISOString() }).where("company_id", "=", companyId).execute();
}

export async function setHardExpiry(db: Db, companyId: number, at: Date): Promise<void> {
  await db.updateTable("qbo_connections").set({ refresh_hard_expires_at: at.toISOString() }).where("company_id", "=", companyId).execute();
}

export async function rawConnectionRow(db: Db, companyId: number) {
  return db.selectFrom("qbo_connections").selectAll().where("company_id", "=", companyId).executeTakeFirstOrThrow();
}

export async function addDailySchedule(db: Db, companyId: number, now = new Date()) {
  return createSchedule(db, {
    companyId,
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
    nextRunAt: new Date(now.getTime() + 3_600_000),
    now,
  });
}
