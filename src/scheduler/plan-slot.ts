import { nextRunAt } from "../domain/next-run-at.js";
import type { ScheduleRule } from "../domain/schedule-rule.js";

export interface SlotPlan {
  /** `catchup` when more than one slot was missed: they collapse into this one run. */
  trigger: "schedule" | "catchup";
  /** Where `next_run_at` moves once the slot is taken. */
  next: Date;
}

/**
 * Decides what taking the due `slot` means at `now` (docs/scheduling.md "Taking a slot"): normally
 * the next run is the rule's slot after this one, so runs never drift with how long a tick or
 * a sync took; when that following slot is also already due, every missed slot collapses into
 * one `catchup` run and the next run is the first slot after now. Pure.
 */
export function planSlot(rule: ScheduleRule, slot: Date, now: Date): SlotPlan {
  const following = nextRunAt(rule, slot);
  if (following.getTime() <= now.getTime()) return { trigger: "catchup", next: nextRunAt(rule, now) };
  return { trigger: "schedule", next: following };
}
