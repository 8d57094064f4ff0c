/**
 * Time-zone names accepted for schedules: IANA names only (`Europe/Tirane`, `UTC`), returned
 * in their canonical spelling so `europe/tirane` and `Europe/Tirane` store the same value.
 * Fixed offsets such as `+01:00` are refused: they ignore DST, which is exactly what a
 * schedule's zone exists to get right.
 */

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Canonical IANA name for `name`, or null when the runtime's tz database doesn't know it. */
export function canonicalTimeZone(name: string): string | null {
  if (!IANA_NAME.test(name)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
