import { offsetAt } from "./schedule-zone-offset.js";

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;

/**
 * First instant strictly after `afterMs` at which `timezone`'s clocks show `:minute`.
 *
 * Hourly schedules are interval schedules (like croner's interval jobs): a slot is every real
 * instant whose local minute equals `minute`. So across fall-back the repeated hour runs twice
 * (01:30 CEST and 01:30 CET are an hour apart, both real, and skipping one would leave a two-hour
 * hole), and across spring-forward the missing hour simply has no slot: in a 1-hour gap the
 * RFC 5545 shift would land on the next slot anyway, and in Lord Howe's 30-minute gap it would
 * add an off-grid run at :minute+30. Slots are distinct instants, so none can repeat.
 */
export function nextHourlySlot(timezone: string, minute: number, afterMs: number): number {
  // Slots are whole minutes; start at the first whole minute strictly after the reference.
  let from = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (;;) {
    const offset = offsetAt(timezone, from);
    const localMinute = ((((from / MINUTE_MS + offset) % HOUR_MINUTES) + HOUR_MINUTES) % HOUR_MINUTES);
    const candidate = from + ((minute - localMinute + HOUR_MINUTES) % HOUR_MINUTES) * MINUTE_MS;
    // While the offset holds, local minutes advance with real ones, so `candidate` is the first
    // match. If it changes on the way, restart from the transition under the new offset.
    if (offsetAt(timezone, candidate) === offset) return candidate;
    from = firstMinuteWithNewOffset(timezone, from, candidate, offset);
  }
}

/** The first whole minute in (from, to] whose offset differs from `offset` (binary search). */
function firstMinuteWithNewOffset(timezone: string, from: number, to: number, offset: number): number {
  let low = from; // offset holds here
  let high = to; // offset changed by here
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (offsetAt(timezone, middle) === offset) low = middle;
    else high = middle;
  }
  return high;
}
