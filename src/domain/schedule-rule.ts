/**
 * The vocabulary of schedules, shared by validation, next-run computation, storage and the API.
 * Kept free of imports so every layer can depend on it without cycles.
 */

export const JOB_TYPES = ["sales", "bills", "full"] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const FREQUENCIES = ["hourly", "daily", "weekly", "monthly", "cron"] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** The time zone a company gets when nobody chose one (docs/scheduling.md). */
export const DEFAULT_TIMEZONE = "Europe/Tirane";

/**
 * Everything `nextRunAt` needs to know about a schedule. Wall-clock fields are read in
 * `timezone` (an IANA name); `hourOfDay` is ignored for hourly and cron schedules.
 * `dayOfWeek` uses 0 = Sunday … 6 = Saturday, like cron.
 */
export interface ScheduleRule {
  frequency: Frequency;
  hourOfDay: number;
  minute: number;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  cronExpression: string | null;
  timezone: string;
}
