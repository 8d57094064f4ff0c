/** The scheduler role: finds due schedules and enqueues exactly one run per slot. */
export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.js";
export { tick, type TickOptions, type TickResult } from "./tick.js";
export { takeDueSlot, ruleOf, ScheduleRuleError, isTransientDbError, type TakenSlot, type SlotOutcome } from "./take-slot.js";
export { planSlot, type SlotPlan } from "./plan-slot.js";
export {
  pauseSchedulesForReconnect,
  resumeCompanySchedulesFromNow,
  resumeSchedulesAfterReconnect,
  ruleOfSchedule,
} from "./resume-schedules.js";
