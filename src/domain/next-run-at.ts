import { nextCronMatch } from "./schedule-cron.js";
import { nextHourlySlot } from "./schedule-hourly.js";
import type { ScheduleRule } from "./schedule-rule.js";
import {
  addDays,
  daysInMonth,
  localDateAt,
  wallTimeToInstant,
  weekdayOf,
  type LocalDate,
} from "./schedule-wall-time.js";

/**
 * The first slot of `rule` strictly after `after` (docs/scheduling.md "Next run").
 *
 * The scheduler passes "now" when a schedule is created, changed or re-enabled, and the slot
 * it just took when advancing, so runs never drift with how long a sync took. Pure: the
 * reference instant is always an argument.
 *
 * Daily, weekly and monthly slots are wall times in the rule's zone, resolved RFC 5545 style by
 * `wallTimeToInstant` (gap → shifted forward by the gap, overlap → first occurrence), one per
 * qualifying local date, so no slot repeats and no day is skipped. Hourly: see
 * `nextHourlySlot`. Cron: croner in the zone, see ./schedule-cron.ts.
 *
 * Throws on a rule that validation would have refused (a bug, not an expected outcome).
 */
export function nextRunAt(rule: ScheduleRule, after: Date): Date {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new Error("nextRunAt: invalid reference date");
  const { timezone } = rule;
  switch (rule.frequency) {
    case "hourly":
      return new Date(nextHourlySlot(timezone, checkRange("minute", rule.minute, 0, 59), afterMs));
    case "daily":
      return new Date(nextOnDates(rule, afterMs, () => true));
    case "weekly": {
      const dayOfWeek = checkRange("dayOfWeek", rule.dayOfWeek, 0, 6);
      return new Date(nextOnDates(rule, afterMs, (date) => weekdayOf(date) === dayOfWeek));
    }
    case "monthly":
      return new Date(nextMonthly(rule, checkRange("dayOfMonth", rule.dayOfMonth, 1, 31), afterMs));
    case "cron":
      if (rule.cronExpression === null) throw new Error("nextRunAt: cron rule without an expression");
      return nextCronMatch(rule.cronExpression, timezone, after);
  }
}

/** Slot on the first qualifying local date whose slot is strictly after `afterMs`. */
function nextOnDates(rule: ScheduleRule, afterMs: number, qualifies: (date: LocalDate) => boolean): number {
  const { hour, minute } = timeOfDay(rule);
  // Start the day before: a slot shifted forward by a gap that spans midnight (zones that
  // change clocks at 00:00) can fall on the next local date.
  let date = addDays(localDateAt(rule.timezone, afterMs), -1);
  for (;;) {
    if (qualifies(date)) {
      const slot = wallTimeToInstant(rule.timezone, date, hour, minute);
      if (slot > afterMs) return slot;
    }
    date = addDays(date, 1);
  }
}

/** Monthly: `dayOfMonth`, or the month's last day when it is shorter — never the next month. */
function nextMonthly(rule: ScheduleRule, dayOfMonth: number, afterMs: number): number {
  const { hour, minute } = timeOfDay(rule);
  const today = localDateAt(rule.timezone, afterMs);
  // Start a month back for the same reason daily starts a day back.
  let year = today.month === 1 ? today.year - 1 : today.year;
  let month = today.month === 1 ? 12 : today.month - 1;
  for (;;) {
    const day = Math.min(dayOfMonth, daysInMonth(year, month));
    const slot = wallTimeToInstant(rule.timezone, { year, month, day }, hour, minute);
    if (slot > afterMs) return slot;
    if (month === 12) {
      year += 1;
      month = 1;
    } else {
      month += 1;
    }
  }
}

function timeOfDay(rule: ScheduleRule): { hour: number; minute: number } {
  return { hour: checkRange("hourOfDay", rule.hourOfDay, 0, 23), minute: checkRange("minute", rule.minute, 0, 59) };
}

/** Guards the loops above: an out-of-range field would make them spin forever. */
function checkRange(field: string, value: number | null, min: number, max: number): number {
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`nextRunAt: ${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
