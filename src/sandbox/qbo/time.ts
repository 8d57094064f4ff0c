import { DateTime } from "luxon";

/**
 * Intuit stamps responses in Pacific time with milliseconds ("2026-11-28T09:17:31.892-08:00")
 * and entity MetaData without them. Both derive from the sandbox clock, never the wall clock.
 */
const INTUIT_ZONE = "America/Los_Angeles";

export function intuitTime(ms: number): string {
  return DateTime.fromMillis(ms, { zone: INTUIT_ZONE }).toISO() ?? new Date(ms).toISOString();
}

export function intuitMetaTime(ms: number): string {
  return (
    DateTime.fromMillis(ms, { zone: INTUIT_ZONE }).toISO({ suppressMilliseconds: true, includeOffset: true }) ??
    new Date(ms).toISOString()
  ).replace(/\.\d{3}/, "");
}

/** The calendar date in the company's zone; QBO defaults TxnDate to "today" there. */
export function intuitDate(ms: number): string {
  return DateTime.fromMillis(ms, { zone: INTUIT_ZONE }).toISODate() ?? new Date(ms).toISOString().slice(0, 10);
}
