import { DateTime } from "luxon";
import { formatLocal } from "../../../src/domain/next-run-text.js";
import type { ScheduleRule } from "../../../src/domain/schedule.js";

/** An instant given as unambiguous local wall time, e.g. local("2026-11-28T08:59", "Europe/Tirane"). */
export function local(wallTime: string, timezone: string): Date {
  const dt = DateTime.fromISO(wallTime, { zone: timezone });
  if (!dt.isValid) throw new Error(`bad test time ${wallTime}`);
  return dt.toJSDate();
}

export { formatLocal };

export function rule(overrides: Partial<ScheduleRule>): ScheduleRule {
  return {
    frequency: "daily",
    hourOfDay: 9,
    minute: 0,
    dayOfWeek: null,
    dayOfMonth: null,
    cronExpression: null,
    timezone: "Europe/Tirane",
    ...overrides,
  };
}
