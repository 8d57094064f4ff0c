import type { Frequency, JobType, Schedule } from "../../api/types";
import { formatClock, ordinal, WEEKDAYS } from "../../lib/format";

const JOB_NOUN: Record<JobType, string> = { sales: "Sales sync", bills: "Bills sync", full: "Full sync" };

interface ScheduleShape {
  job_type: JobType;
  frequency: Frequency;
  hour_of_day: number | null;
  minute?: number | null;
  day_of_week: number | null;
  day_of_month: number | null;
  date_range_days: number;
  cron_expression?: string | null;
}

/** "Every Monday at 8:00 AM", "Every hour at :00", "Monthly on the 1st at 6:00 AM". */
export function describeWhen(s: ScheduleShape): string {
  const minute = s.minute ?? 0;
  const time = formatClock(s.hour_of_day ?? 9, minute);
  switch (s.frequency) {
    case "hourly":
      return minute === 0 ? "Every hour, on the hour" : `Every hour at ${minute} minutes past`;
    case "daily":
      return `Every day at ${time}`;
    case "weekly":
      return `Every ${WEEKDAYS[s.day_of_week ?? 1]} at ${time}`;
    case "monthly":
      return `Monthly on the ${ordinal(s.day_of_month ?? 1)} at ${time}`;
    case "cron":
      return `Custom timing (${s.cron_expression ?? "cron"})`;
  }
}

export function describeRange(days: number): string {
  return days === 1 ? "the last day" : `the last ${days} days`;
}

/** The headline of a schedule in the list: "Full sync · Every day at 9:00 AM". */
export function scheduleTitle(s: ScheduleShape): string {
  return `${JOB_NOUN[s.job_type]} · ${describeWhen(s)}`;
}

export function scheduleSentence(s: ScheduleShape, zone: string | null): string {
  return `${describeWhen(s)}${s.frequency === "hourly" ? "" : zone ? ` (${zone} time)` : ""}, syncing ${JOB_NOUN[s.job_type].replace(" sync", "").toLowerCase()} documents from ${describeRange(s.date_range_days)}.`;
}

/** Disabled and paused schedules say so instead of a next time (docs/scheduling.md "Display"). */
export function isPausedOrOff(s: Schedule): boolean {
  return !s.enabled || s.paused_reason !== null || s.next_run_at === null;
}
