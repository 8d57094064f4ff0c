import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextRunAt } from "../../../src/domain/next-run-at.js";
import type { ScheduleRule } from "../../../src/domain/schedule.js";
import { offsetAt } from "../../../src/domain/schedule-zone-offset.js";

/**
 * Zones chosen for their awkward clocks: DST at 02:00/03:00 (Europe), at midnight (Santiago,
 * Havana), 30-minute shifts (Lord Howe), :30 and :45 offsets (Kolkata, Kathmandu, Chatham,
 * St Johns, Adelaide), southern-hemisphere DST, Casablanca's Ramadan reversals, and no DST.
 */
const ZONES = [
  "Europe/Tirane",
  "America/New_York",
  "Asia/Tokyo",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/Havana",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "America/St_Johns",
  "Australia/Adelaide",
  "Africa/Casablanca",
  "Europe/London",
  "UTC",
] as const;

const RUNS = { numRuns: 1000 };
/** Generous: a loaded CI machine should not turn a slow pass into a failure. */
const SLOW = 120_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const zone = fc.constantFrom(...ZONES);
const hour = fc.integer({ min: 0, max: 23 });
const minute = fc.integer({ min: 0, max: 59 });
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  .map((ms) => new Date(ms));

const base = { hourOfDay: 9, minute: 0, dayOfWeek: null, dayOfMonth: null, cronExpression: null } as const;
const hourlyRule = fc.record({ timezone: zone, minute }).map((r): ScheduleRule => ({ ...base, ...r, frequency: "hourly" }));
const dailyRule = fc.record({ timezone: zone, hourOfDay: hour, minute }).map((r): ScheduleRule => ({ ...base, ...r, frequency: "daily" }));
const weeklyRule = fc
  .record({ timezone: zone, hourOfDay: hour, minute, dayOfWeek: fc.integer({ min: 0, max: 6 }) })
  .map((r): ScheduleRule => ({ ...base, ...r, frequency: "weekly" }));
const monthlyRule = fc
  .record({ timezone: zone, hourOfDay: hour, minute, dayOfMonth: fc.integer({ min: 1, max: 31 }) })
  .map((r): ScheduleRule => ({ ...base, ...r, frequency: "monthly" }));
const cronRule = fc
  .record({
    timezone: zone,
    cronExpression: fc.constantFrom("*/15 * * * *", "0 9 * * 1-5", "30 2 * * *", "0 0 1 * *", "5 4 * * 0", "0 */6 * * *", "45 1,2 * * *"),
  })
  .map((r): ScheduleRule => ({ ...base, ...r, frequency: "cron" }));
const anyRule = fc.oneof(hourlyRule, dailyRule, weeklyRule, monthlyRule, cronRule);

/**
 * Local wall-clock fields without luxon in the hot loop (a DateTime costs ~20 µs and the daily
 * property checks 366,000 runs). `offsetAt` is checked against luxon/Intl in its own test.
 */
interface Local {
  year: number;
  month: number;
  day: number;
  weekday: number; // 0 = Sunday
  minuteOfDay: number;
  stamp: string;
}

function localOf(at: Date | number, timezone: string): Local {
  const ms = typeof at === "number" ? at : at.getTime();
  const shifted = new Date(ms + offsetAt(timezone, ms) * MINUTE_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    stamp: shifted.toISOString().slice(0, 16),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The slot shows the rule's wall time; on a spring-forward day it may instead show the wall
 * time shifted by exactly the gap; on a fall-back day it is the first occurrence.
 */
function expectOnWallTime(r: ScheduleRule, at: Date): void {
  const ms = at.getTime();
  const wanted = r.hourOfDay * 60 + r.minute;
  const before = offsetAt(r.timezone, ms - DAY_MS);
  const after = offsetAt(r.timezone, ms + DAY_MS);
  const shown = localOf(ms, r.timezone);
  if (shown.minuteOfDay !== wanted) {
    check(after > before && shown.minuteOfDay === wanted + (after - before), `${shown.stamp} is off the wall time without a gap`);
  }
  if (before > after) {
    const earlier = localOf(ms - (before - after) * MINUTE_MS, r.timezone);
    check(earlier.stamp !== shown.stamp, `${shown.stamp} is the second occurrence`);
  }
}

/** `expect` costs microseconds; loops over 366,000 runs use this and fail with the same detail. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function iterate(r: ScheduleRule, from: Date, count: number): Date[] {
  const result: Date[] = [];
  let at = from;
  for (let i = 0; i < count; i += 1) {
    at = nextRunAt(r, at);
    result.push(at);
  }
  return result;
}

function calendarDay(dt: Local): number {
  return Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS;
}

describe("nextRunAt properties", () => {
  it("is strictly after the reference, on a whole minute", () => {
    fc.assert(
      fc.property(anyRule, instant, (r, at) => {
        const next = nextRunAt(r, at);
        expect(next.getTime()).toBeGreaterThan(at.getTime());
        expect(next.getTime() % MINUTE_MS).toBe(0);
      }),
      RUNS,
    );
  }, SLOW);

  it("iterating from a slot is strictly increasing, so no slot repeats", () => {
    fc.assert(
      fc.property(anyRule, instant, (r, at) => {
        const runs = iterate(r, at, 30);
        for (let i = 1; i < runs.length; i += 1) expect(runs[i]!.getTime()).toBeGreaterThan(runs[i - 1]!.getTime());
      }),
      RUNS,
    );
  }, SLOW);

  it("daily: exactly one run per local calendar day over a year, at the wall time (gap-shifted, first occurrence)", () => {
    fc.assert(
      fc.property(dailyRule, instant, (r, at) => {
        const runs = iterate(r, at, 366);
        let previousDay = calendarDay(localOf(at, r.timezone));
        // The first run is today or tomorrow; every later one exactly one calendar day on.
        const firstDay = calendarDay(localOf(runs[0]!, r.timezone));
        expect(firstDay - previousDay === 0 || firstDay - previousDay === 1).toBe(true);
        previousDay = firstDay - 1;
        for (const run of runs) {
          const day = calendarDay(localOf(run, r.timezone));
          check(day === previousDay + 1, `${localOf(run, r.timezone).stamp} is not the day after the previous run`);
          previousDay = day;
          expectOnWallTime(r, run);
        }
      }),
      RUNS,
    );
  }, SLOW);

  it("weekly: every run is on day_of_week, seven local days apart", () => {
    fc.assert(
      fc.property(weeklyRule, instant, (r, at) => {
        const runs = iterate(r, at, 10);
        for (const [i, run] of runs.entries()) {
          const dt = localOf(run, r.timezone);
          expect(dt.weekday).toBe(r.dayOfWeek);
          expectOnWallTime(r, run);
          if (i > 0) expect(calendarDay(dt) - calendarDay(localOf(runs[i - 1]!, r.timezone))).toBe(7);
        }
        expect(runs[0]!.getTime() - at.getTime()).toBeLessThanOrEqual(8 * DAY_MS);
      }),
      RUNS,
    );
  }, SLOW);

  it("monthly: local day = min(day_of_month, days in month), one run per month, never spilling", () => {
    fc.assert(
      fc.property(monthlyRule, instant, (r, at) => {
        const runs = iterate(r, at, 14);
        let previous = localOf(at, r.timezone);
        for (const [i, run] of runs.entries()) {
          const dt = localOf(run, r.timezone);
          expect(dt.day).toBe(Math.min(r.dayOfMonth!, daysInMonth(dt.year, dt.month)));
          const monthsOn = (dt.year - previous.year) * 12 + dt.month - previous.month;
          // The first run may still be this month; then one month at a time, none skipped.
          expect(i === 0 ? monthsOn === 0 || monthsOn === 1 : monthsOn === 1).toBe(true);
          expectOnWallTime(r, run);
          previous = dt;
        }
      }),
      RUNS,
    );
  }, SLOW);

  it("hourly: every run shows :minute locally, with no real hour skipped beyond a DST gap", () => {
    fc.assert(
      fc.property(hourlyRule, instant, (r, at) => {
        const runs = iterate(r, at, 30);
        expect(runs[0]!.getTime() - at.getTime()).toBeLessThanOrEqual(90 * MINUTE_MS);
        for (const [i, run] of runs.entries()) {
          expect(localOf(run, r.timezone).minuteOfDay % 60).toBe(r.minute);
          if (i > 0) {
            const gap = run.getTime() - runs[i - 1]!.getTime();
            // 60 minutes, or 30/90 across Lord Howe's half-hour shifts.
            expect(gap).toBeGreaterThanOrEqual(30 * MINUTE_MS);
            expect(gap).toBeLessThanOrEqual(120 * MINUTE_MS);
          }
        }
      }),
      RUNS,
    );
  }, SLOW);
});
