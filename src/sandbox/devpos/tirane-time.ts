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

const WRITTEN_IN_TIRANA = /^(\d{4}-\d{2}-\d{2})T(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?([+-]\d{2}:\d{2})$/;
/** Noon offsets per local date: list requests test every row, and luxon is slow per call. */
const noonOffsets = new Map<string, string>();

/** The Tirana calendar date of an ISO timestamp, whatever offset it was written with. */
export function localDateOf(iso: string): string | null {
  // Fast path: written with Tirana's own offset for that day, from 04:00 on (after any DST switch).
  const m = WRITTEN_IN_TIRANA.exec(iso);
  if (m && Number(m[2]) >= 4 && Number(m[2]) <= 23) {
    let offset = noonOffsets.get(m[1]!);
    if (offset === undefined && isLocalDate(m[1]!)) {
      offset = tiraneTimestamp(m[1]!, 12, 0, 0).slice(19);
      noonOffsets.set(m[1]!, offset);
    }
    if (offset === m[3]) return m[1]!;
  }
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

/**
 * A fast tiraneTimestamp for generating many rows. Tirana changes offset only between 02:00 and
 * 03:00 local time, so every time from 04:00 on shares the offset of noon that day; the offset is
 * looked up once per date. Earlier hours fall back to the exact computation.
 */
export function createTiraneStamper(): (localDate: string, hour: number, minute: number, second: number) => string {
  const offsets = new Map<string, string>();
  return (localDate, hour, minute, second) => {
    if (hour < 4) return tiraneTimestamp(localDate, hour, minute, second);
    let offset = offsets.get(localDate);
    if (offset === undefined) {
      offset = tiraneTimestamp(localDate, 12, 0, 0).slice(19);
      offsets.set(localDate, offset);
    }
    return `${localDate}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`;
  };
}

/** Calendar arithmetic on YYYY-MM-DD, independent of any zone. */
export function plusDays(localDate: string, days: number): string {
  const d = new Date(`${localDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
