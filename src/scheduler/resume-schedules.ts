import { nextRunAt } from "../domain/next-run-at.js";
import { RECONNECT_QUICKBOOKS } from "../domain/pause-reasons.js";
import type { ScheduleRule } from "../domain/schedule-rule.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { listCompanySchedules, pauseCompanySchedules, type ScheduleWithCompany } from "../storage/repos/schedules.js";
import { resumeScheduleAt } from "../storage/repos/scheduler-slots.js";

/** Pauses every schedule of the company until it is reconnected. Returns how many were paused. */
export function pauseSchedulesForReconnect(db: Db, companyId: number, now: Date): Promise<number> {
  return pauseCompanySchedules(db, companyId, RECONNECT_QUICKBOOKS, now);
}

/**
 * Lifts the pause of the company's schedules (only those paused for `reason` when given, so a
 * reconnect does not lift an unrelated pause) and moves each enabled one's next run to the
 * first slot after `now`: slots missed while paused are not run late (the next run's window
 * is gap-free anyway, see syncWindow). Call after the company reconnected QuickBooks.
 * Returns how many schedules resumed.
 */
export async function resumeCompanySchedulesFromNow(db: Db, companyId: number, now: Date, reason?: string): Promise<number> {
  let resumed = 0;
  for (const schedule of await listCompanySchedules(db, companyId)) {
    if (schedule.pausedReason === null) continue;
    if (reason !== undefined && schedule.pausedReason !== reason) continue;
    const next = schedule.enabled ? nextRunAt(ruleOfSchedule(schedule), now) : schedule.nextRunAt;
    if (await resumeScheduleAt(db, schedule.id, next, now, schedule.pausedReason)) resumed += 1;
  }
  return resumed;
}

/** Resumes the schedules a revoked QuickBooks grant paused; call once reconnected. */
export function resumeSchedulesAfterReconnect(db: Db, companyId: number, now: Date): Promise<number> {
  return resumeCompanySchedulesFromNow(db, companyId, now, RECONNECT_QUICKBOOKS);
}

export function ruleOfSchedule(schedule: ScheduleWithCompany): ScheduleRule {
  return {
    frequency: schedule.frequency,
    hourOfDay: schedule.hourOfDay,
    minute: schedule.minute,
    dayOfWeek: schedule.dayOfWeek,
    dayOfMonth: schedule.dayOfMonth,
    cronExpression: schedule.cronExpression,
    timezone: schedule.effectiveTimezone,
  };
}
