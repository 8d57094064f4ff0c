import { addDays, localDateAt, type LocalDate } from "./schedule-wall-time.js";

/**
 * The local dates a scheduled run syncs (docs/scheduling.md "Window"): `[today − dateRangeDays, today]`
 * in the schedule's zone, both ends inclusive, as YYYY-MM-DD.
 *
 * To stay gap-free after downtime or failed runs, the start moves back to the end date of the
 * company's last successful run of that job type when that is earlier — the day is synced again
 * rather than risk missing documents issued late that day (duplicates are caught downstream).
 * It never reaches further back than 366 days, so a company idle for years does not trigger an
 * unbounded backfill.
 */

export interface SyncWindowOptions {
  now: Date;
  timezone: string;
  dateRangeDays: number;
  /** End date (YYYY-MM-DD) of the last successful run of this job type, if any. */
  lastSuccessfulEnd?: string | null;
}

export interface SyncWindow {
  from: string;
  to: string;
}

export const MAX_SYNC_WINDOW_DAYS = 366;

export function syncWindow({ now, timezone, dateRangeDays, lastSuccessfulEnd }: SyncWindowOptions): SyncWindow {
  if (!Number.isInteger(dateRangeDays) || dateRangeDays < 1 || dateRangeDays > MAX_SYNC_WINDOW_DAYS) {
    throw new Error(`syncWindow: dateRangeDays must be an integer from 1 to ${MAX_SYNC_WINDOW_DAYS}, got ${dateRangeDays}`);
  }
  const today = localDateAt(timezone, now.getTime());
  const to = isoDate(today);
  let from = isoDate(addDays(today, -dateRangeDays));
  if (lastSuccessfulEnd !== undefined && lastSuccessfulEnd !== null) {
    const earliest = isoDate(addDays(today, -MAX_SYNC_WINDOW_DAYS));
    // ISO dates compare correctly as strings.
    if (checkIsoDate(lastSuccessfulEnd) < from) from = lastSuccessfulEnd < earliest ? earliest : lastSuccessfulEnd;
  }
  return { from, to };
}

function isoDate({ year, month, day }: LocalDate): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Stored dates come from our own runs; a malformed one is a bug, and comparing it would lie. */
function checkIsoDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const valid =
    match !== null && isoDate(addDays({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, 0)) === value;
  if (!valid) throw new Error(`syncWindow: lastSuccessfulEnd must be a YYYY-MM-DD date, got ${value}`);
  return value;
}
