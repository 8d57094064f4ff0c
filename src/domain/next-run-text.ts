import { DateTime } from "luxon";

/**
 * The dashboard's "next run" line (docs/scheduling.md "Display"), in the schedule's zone, relative
 * where that is shorter. Pure: `now` is passed in. English only, fixed to en-US so the server's
 * locale never changes what users read.
 */

const LOCALE = "en-US";
const DAY_MS = 86_400_000;
/** Up to this many days ahead a weekday name is unambiguous; a week out it would name today. */
const LAST_WEEKDAY_NAME_DAY = 6;

export interface ScheduleDisplayState {
  enabled: boolean;
  pausedReason: string | null;
}

/**
 * "Next sync: Today at 3:00 PM", "Next sync: Tomorrow at 9:00 AM", "Next sync: Monday at 8:00 AM"
 * (2–6 days ahead), "Next sync: Dec 1 at 6:00 AM" (later; "Jan 5, 2028 at …" in another year).
 * A disabled schedule says "Disabled" and a paused one "Paused: <reason>", whatever `next` is
 * (disabled wins: it is the user's own choice and nothing will run either way).
 * `next` at or before `now` (the tick has not taken it yet) reads "Next sync: due now";
 * no next run at all reads "Next sync: not scheduled".
 */
export function nextRunText(next: Date | null, now: Date, timezone: string, state?: ScheduleDisplayState): string {
  if (state?.enabled === false) return "Disabled";
  if (state?.pausedReason) return `Paused: ${state.pausedReason}`;
  if (next === null) return "Next sync: not scheduled";
  if (next.getTime() <= now.getTime()) return "Next sync: due now";

  const local = DateTime.fromJSDate(next, { zone: timezone }).setLocale(LOCALE);
  const today = DateTime.fromJSDate(now, { zone: timezone });
  const time = local.toFormat("h:mm a");
  const daysAhead = calendarDaysBetween(today, local);
  if (daysAhead === 0) return `Next sync: Today at ${time}`;
  if (daysAhead === 1) return `Next sync: Tomorrow at ${time}`;
  if (daysAhead <= LAST_WEEKDAY_NAME_DAY) return `Next sync: ${local.toFormat("cccc")} at ${time}`;
  const date = local.year === today.year ? local.toFormat("LLL d") : local.toFormat("LLL d, yyyy");
  return `Next sync: ${date} at ${time}`;
}

/** `next` as local ISO time with its offset, e.g. "2026-11-29T09:00:00+01:00" (for APIs and CLIs). */
export function formatLocal(next: Date, timezone: string): string {
  return DateTime.fromJSDate(next, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** Whole local calendar days from `from`'s date to `to`'s date (both already in the same zone). */
function calendarDaysBetween(from: DateTime, to: DateTime): number {
  const fromDay = Date.UTC(from.year, from.month - 1, from.day);
  const toDay = Date.UTC(to.year, to.month - 1, to.day);
  return Math.round((toDay - fromDay) / DAY_MS);
}
