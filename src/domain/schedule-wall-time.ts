import { offsetAt } from "./schedule-zone-offset.js";

/**
 * Wall-clock arithmetic in IANA zones, done on UTC milliseconds so DST gaps and overlaps are
 * decided here, explicitly, rather than by whatever a date library guesses.
 *
 * Why not `DateTime.fromObject({...}, { zone })`: luxon 3.7 resolves a gap time as RFC 5545
 * wants (02:30 → 03:30), but picks an ambiguous time's occurrence by its own offset guess —
 * in Europe/Tirane it returns the *second* 02:30 on fall-back day, in Australia/Lord_Howe the
 * first. docs/scheduling.md wants the first occurrence everywhere, so we resolve wall times ourselves
 * and use luxon only as the tz database (./schedule-zone-offset.ts).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A calendar date in some zone; month 1–12, day 1–31. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The local calendar date at instant `ms` in `timezone`. */
export function localDateAt(timezone: string, ms: number): LocalDate {
  const local = new Date(ms + offsetAt(timezone, ms) * MINUTE_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Weekday of a calendar date, 0 = Sunday, as schedules and cron count it. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** The calendar date `days` after `date` (negative to go back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/**
 * The instant at which `timezone`'s clocks show `hour:minute` on `date`, RFC 5545 style:
 * - a time that happens twice (fall back) resolves to its first occurrence;
 * - a time that does not exist (spring forward) is read with the offset in force before the
 *   gap, i.e. shifted forward by the gap's length (02:30 in a 1-hour gap → 03:30, in
 *   Lord Howe's 30-minute gap 02:15 → 02:45), on the same day.
 *
 * Offsets are sampled a day either side of the naive time, which assumes a zone never changes
 * offset twice within two days — true of every zone in the tz database since 1970.
 */
export function wallTimeToInstant(timezone: string, date: LocalDate, hour: number, minute: number): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const before = offsetAt(timezone, naive - DAY_MS);
  const after = offsetAt(timezone, naive + DAY_MS);
  const withBefore = naive - before * MINUTE_MS;
  if (before === after) return withBefore;

  const withAfter = naive - after * MINUTE_MS;
  const beforeFits = offsetAt(timezone, withBefore) === before;
  const afterFits = offsetAt(timezone, withAfter) === after;
  if (beforeFits && afterFits) return Math.min(withBefore, withAfter); // overlap: first occurrence
  if (afterFits) return withAfter;
  // Either only the pre-transition offset fits, or neither does (a gap): both mean the offset
  // before the transition, which for a gap shifts the wall time forward by the gap.
  return withBefore;
}
