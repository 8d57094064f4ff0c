import { z } from "zod";
import { formatLocal, nextRunText } from "../../domain/next-run-text.js";
import type { Frequency, JobType } from "../../domain/schedule-rule.js";
import type { Schedule, ScheduleFields, ScheduleWithCompany } from "../../storage/repos/schedules.js";
import { instant, iso, nullableInstant } from "../schemas/common.js";

export function toScheduleFields(s: Schedule): ScheduleFields {
  return {
    jobType: s.jobType,
    frequency: s.frequency,
    hourOfDay: s.hourOfDay,
    minute: s.minute,
    dayOfWeek: s.dayOfWeek,
    dayOfMonth: s.dayOfMonth,
    cronExpression: s.cronExpression,
    timezone: s.timezone,
    dateRangeDays: s.dateRangeDays,
    enabled: s.enabled,
  };
}

export const scheduleSchema = z.object({
  id: z.number().int(),
  company_id: z.number().int(),
  company_name: z.string(),
  job_type: z.enum(["sales", "bills", "full"] satisfies JobType[]),
  frequency: z.enum(["hourly", "daily", "weekly", "monthly", "cron"] satisfies Frequency[]),
  hour_of_day: z.number().int(),
  minute: z.number().int(),
  day_of_week: z.number().int().nullable(),
  day_of_month: z.number().int().nullable(),
  cron_expression: z.string().nullable(),
  timezone: z.string().nullable().describe("The schedule's own zone; null means the company's."),
  effective_timezone: z.string().describe("The zone wall times are read in."),
  date_range_days: z.number().int(),
  enabled: z.boolean(),
  paused_reason: z.string().nullable(),
  last_run_at: nullableInstant,
  last_status: z.string().nullable(),
  next_run_at: nullableInstant.describe("UTC."),
  next_run_local: z.string().nullable().describe("The next run in the schedule's zone, ISO 8601 with offset."),
  next_run_text: z.string().describe('For people: "Next sync: Tomorrow at 9:00 AM", "Disabled", "Paused: reconnect QuickBooks".'),
  created_at: instant,
  updated_at: instant,
});

export type ScheduleOut = z.infer<typeof scheduleSchema>;

export function scheduleOut(s: ScheduleWithCompany, now: Date): ScheduleOut {
  const zone = s.effectiveTimezone;
  return {
    id: s.id,
    company_id: s.companyId,
    company_name: s.companyName,
    job_type: s.jobType,
    frequency: s.frequency,
    hour_of_day: s.hourOfDay,
    minute: s.minute,
    day_of_week: s.dayOfWeek,
    day_of_month: s.dayOfMonth,
    cron_expression: s.cronExpression,
    timezone: s.timezone,
    effective_timezone: zone,
    date_range_days: s.dateRangeDays,
    enabled: s.enabled,
    paused_reason: s.pausedReason,
    last_run_at: iso(s.lastRunAt),
    last_status: s.lastStatus,
    next_run_at: iso(s.nextRunAt),
    next_run_local: s.nextRunAt ? formatLocal(s.nextRunAt, zone) : null,
    next_run_text: nextRunText(s.nextRunAt, now, zone, { enabled: s.enabled, pausedReason: s.pausedReason }),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}
