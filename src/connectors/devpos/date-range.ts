/**
 * Local calendar dates (`YYYY-MM-DD`, Europe/Tirane as DevPos means them) as plain day numbers:
 * splitting a range never touches time zones.
 */
export interface DateWindow {
  /** First day, inclusive. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

const DAY_MS = 86_400_000;

export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(match[3]) || back.getUTCMonth() !== Number(match[2]) - 1) throw new RangeError(`not a calendar date: ${date}`);
  return Math.round(ms / DAY_MS);
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function assertWindow(window: DateWindow): void {
  if (dayNumber(window.from) > dayNumber(window.to)) throw new RangeError(`window starts after it ends: ${window.from} > ${window.to}`);
}

export function daysIn(window: DateWindow): number {
  return dayNumber(window.to) - dayNumber(window.from) + 1;
}

/** Two halves, the first one day longer on odd lengths. Only for windows of two days or more. */
export function splitWindow(window: DateWindow): [DateWindow, DateWindow] {
  const from = dayNumber(window.from);
  const to = dayNumber(window.to);
  if (to <= from) throw new RangeError("a single day cannot be split");
  const mid = from + Math.floor((to - from) / 2);
  return [
    { from: window.from, to: dateOfDayNumber(mid) },
    { from: dateOfDayNumber(mid + 1), to: window.to },
  ];
}
