import { IANAZone } from "luxon";

/**
 * UTC offsets of IANA zones, memoised per UTC day.
 *
 * Asking Intl for an offset costs about 10 µs, and a daily `nextRunAt` needs several; the
 * scheduler advances thousands of schedules per tick and the property tests millions of times.
 * Zones change offset at most once a day (true of every zone in the tz database since 1970), so
 * each UTC day is stored as "offset at its start, and — when it changes that day — the minute it
 * changes and the offset after", found once by binary search.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Bounds memory (a zone needs about 5,500 days for 15 years); cleared, not evicted, when full. */
const MAX_CACHED_DAYS = 200_000;

interface DayOffsets {
  start: number;
  /** First instant (whole minute) of the new offset, or null when the day has one offset. */
  changesAt: number | null;
  end: number;
}

interface ZoneOffsets {
  zone: IANAZone;
  days: Map<number, DayOffsets>;
}

const zones = new Map<string, ZoneOffsets>();
let cachedDays = 0;

/** UTC offset in minutes in force at instant `ms` in `timezone`. Throws on an unknown zone. */
export function offsetAt(timezone: string, ms: number): number {
  const entry = zoneOffsetsOf(timezone);
  const dayIndex = Math.floor(ms / DAY_MS);
  let day = entry.days.get(dayIndex);
  if (day === undefined) {
    if (cachedDays >= MAX_CACHED_DAYS) clearDays();
    day = computeDay(entry.zone, dayIndex * DAY_MS);
    entry.days.set(dayIndex, day);
    cachedDays += 1;
  }
  return day.changesAt === null || ms < day.changesAt ? day.start : day.end;
}

function zoneOffsetsOf(timezone: string): ZoneOffsets {
  let entry = zones.get(timezone);
  if (entry === undefined) {
    const zone = IANAZone.create(timezone);
    // An invalid zone would make every offset NaN and every slot silently wrong.
    if (!zone.isValid) throw new Error(`Unknown time zone: ${timezone}`);
    entry = { zone, days: new Map() };
    zones.set(timezone, entry);
  }
  return entry;
}

function computeDay(zone: IANAZone, dayStart: number): DayOffsets {
  const start = zone.offset(dayStart);
  const lastMinute = dayStart + DAY_MS - MINUTE_MS;
  const end = zone.offset(lastMinute);
  if (start === end) return { start, changesAt: null, end };
  let low = dayStart; // still `start`
  let high = lastMinute; // already `end`
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (zone.offset(middle) === start) low = middle;
    else high = middle;
  }
  return { start, changesAt: high, end };
}

function clearDays(): void {
  for (const entry of zones.values()) entry.days.clear();
  cachedDays = 0;
}
