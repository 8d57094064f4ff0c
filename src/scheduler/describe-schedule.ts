import { DateTime } from "luxon";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "hourly at :15", "daily 09:00", "weekly Mon 08:00", "monthly day 31 06:00", "cron 0 9 * * 1-5". */
export function describeFrequency(s: {
  frequency: string;
  hourOfDay: number;
  minute: number;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  cronExpression: string | null;
}): string {
  const time = `${String(s.hourOfDay).padStart(2, "0")}:${String(s.minute).padStart(2, "0")}`;
  switch (s.frequency) {
    case "hourly":
      return `hourly at :${String(s.minute).padStart(2, "0")}`;
    case "daily":
      return `daily ${time}`;
    case "weekly":
      return `weekly ${WEEKDAYS[s.dayOfWeek ?? 0] ?? "?"} ${time}`;
    case "monthly":
      return `monthly day ${s.dayOfMonth ?? "?"} ${time}`;
    case "cron":
      return `cron ${s.cronExpression ?? "?"}`;
    default:
      return s.frequency;
  }
}

/** An instant as local wall time with its offset, e.g. "2026-11-29 09:00 +01:00"; "-" for none. */
export function formatLocalShort(at: Date | null, timezone: string): string {
  if (at === null) return "-";
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat("yyyy-LL-dd HH:mm ZZ");
}
