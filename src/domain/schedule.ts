/**
 * Public entry point for schedule rules: the vocabulary, validation of API bodies, and the
 * conversion to the rule `nextRunAt` (./next-run-at.ts) computes slots from.
 */
export { DEFAULT_TIMEZONE, FREQUENCIES, JOB_TYPES, type Frequency, type JobType, type ScheduleRule } from "./schedule-rule.js";
export {
  parseScheduleInput,
  scheduleInputSchema,
  toScheduleRule,
  type ScheduleInput,
  type ScheduleInputResult,
} from "./schedule-input.js";
