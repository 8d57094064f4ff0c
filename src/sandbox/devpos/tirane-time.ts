import { DateTime } from "luxon";

/** DevPos works in Albanian local time: list dates filter on it, timestamps carry its offset. */
export const DEVPOS_ZONE = "Europe/Tirane";

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: string): boolean {
  return LOCAL_DATE.test(value) && DateTime.fromISO(value, { zone: DEVPOS_ZONE }).isValid;
}

/** `2025-10-26` + 17:35:12 → `2025-10-26T17:35:12+01:00` (offset of that instant in Tirana). */
export function tiraneTimestamp(localDate: string, hour: number, minute: number, second: number): string {
  const dt = DateTime.fromISO(localDate, { zone: DEVPOS_ZONE }).set({ hour, minute, second, millisecond: 0 });
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

/** The Tirana calendar date of an ISO timestamp, whatever offset it was written with. */
export function localDateOf(iso: string): string | null {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) return null;
  return dt.setZone(DEVPOS_ZONE).toISODate();
}

/** Same wall-clock time `days` later, re-deriving the offset (due dates can cross a DST change). */
export function addLocalDays(iso: string, days: number): string {
  const dt = DateTime.fromISO(iso, { setZone: true }).setZone(DEVPOS_ZONE).plus({ days });
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

/** Whole local days from `from` to `to` (both YYYY-MM-DD), inclusive list. */
export function localDatesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let day = DateTime.fromISO(from, { zone: DEVPOS_ZONE });
  const end = DateTime.fromISO(to, { zone: DEVPOS_ZONE });
  while (day <= end) {
    out.push(day.toISODate() as string);
    day = day.plus({ days: 1 });
  }
  return out;
}

/** Today's Tirana date at the given epoch milliseconds (the sandbox clock's now). */
export function localDateAt(epochMs: number): string {
  return DateTime.fromMillis(epochMs, { zone: DEVPOS_ZONE }).toISODate() as string;
}
