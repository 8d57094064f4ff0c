import { z } from "zod";
import { cronExpressionProblem } from "./schedule-cron.js";
import { FREQUENCIES, JOB_TYPES, type Frequency, type JobType, type ScheduleRule } from "./schedule-rule.js";
import { canonicalTimeZone } from "./schedule-timezone.js";

/**
 * Validation of a schedule as the API receives it (snake_case, docs/scheduling.md "Fields and
 * validation"). Every message names its field in plain words, because the dashboard shows them
 * next to the inputs and accountants read them, not developers.
 *
 * Null: accepted as "not given" where docs/scheduling.md allows null (day_of_week, day_of_month,
 * cron_expression, timezone) and for hour_of_day, which forms send empty for hourly schedules.
 * Elsewhere a field must be absent or hold a value of its type; nothing is coerced, so "9" for
 * an hour or "true" for enabled is refused.
 */

const DEFAULT_HOUR_OF_DAY = 9;
const DEFAULT_MINUTE = 0;
const DEFAULT_DATE_RANGE_DAYS = 30;
const MAX_DATE_RANGE_DAYS = 366;

/** One message for every way a field can be wrong, except being required and missing. */
function fieldError(field: string, message: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : message) };
}

function wholeNumber(field: string, min: number, max: number, range = `from ${min} to ${max}`) {
  const error = fieldError(field, `${field} must be a whole number ${range}`);
  return z.int(error).min(min, error).max(max, error);
}

const jobTypeField = z
  .enum([...JOB_TYPES, "purchases"], fieldError("job_type", "job_type must be sales, bills or full"))
  // "purchases" is what DevPos calls the documents that become bills in QuickBooks.
  .transform((value): JobType => (value === "purchases" ? "bills" : value));

const timezoneField = z.string(fieldError("timezone", "timezone must be text")).transform((name, ctx) => {
  const canonical = canonicalTimeZone(name);
  if (canonical === null) {
    ctx.addIssue({ code: "custom", message: `timezone "${name}" is not a known IANA time zone (such as Europe/Tirane)` });
    return z.NEVER;
  }
  return canonical;
});

const cronExpressionField = z
  .string(fieldError("cron_expression", "cron_expression must be text"))
  .superRefine((expression, ctx) => {
    const problem = cronExpressionProblem(expression);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((expression) => expression.trim().split(/\s+/).join(" "));

/** Which frequency needs which field; every other frequency must leave it empty. */
const FIELD_ONLY_FOR: ReadonlyArray<readonly ["day_of_week" | "day_of_month" | "cron_expression", Frequency]> = [
  ["day_of_week", "weekly"],
  ["day_of_month", "monthly"],
  ["cron_expression", "cron"],
];

export const scheduleInputSchema = z
  .strictObject(
    {
      id: z.int(fieldError("id", "id must be a positive whole number")).positive(fieldError("id", "id must be a positive whole number")).optional(),
      job_type: jobTypeField,
      frequency: z.enum(FREQUENCIES, fieldError("frequency", `frequency must be one of ${FREQUENCIES.join(", ")}`)),
      hour_of_day: wholeNumber("hour_of_day", 0, 23).nullable().optional(),
      minute: wholeNumber("minute", 0, 59).optional(),
      day_of_week: wholeNumber("day_of_week", 0, 6, "from 0 (Sunday) to 6 (Saturday)").nullable().optional(),
      day_of_month: wholeNumber("day_of_month", 1, 31).nullable().optional(),
      cron_expression: cronExpressionField.nullable().optional(),
      timezone: timezoneField.nullable().optional(),
      date_range_days: wholeNumber("date_range_days", 1, MAX_DATE_RANGE_DAYS).optional(),
      enabled: z.boolean(fieldError("enabled", "enabled must be true or false")).optional(),
    },
    { error: () => "the request body must be a JSON object" },
  )
  .superRefine(
    (body, ctx) => {
      // Runs even when other fields failed, so one response lists every bad field.
      const frequency: unknown = body.frequency;
      if (!(FREQUENCIES as readonly unknown[]).includes(frequency)) return;
      for (const [field, owner] of FIELD_ONLY_FOR) {
        const given = body[field] !== undefined && body[field] !== null;
        if (frequency === owner && !given) {
          ctx.addIssue({ code: "custom", path: [field], message: `${field} is required for ${owner} schedules` });
        } else if (frequency !== owner && given) {
          ctx.addIssue({ code: "custom", path: [field], message: `${field} must be empty unless the schedule is ${owner}` });
        }
      }
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value) },
  )
  .transform(
    (body): ScheduleInput => ({
      ...(body.id === undefined ? {} : { id: body.id }),
      jobType: body.job_type,
      frequency: body.frequency,
      hourOfDay: body.hour_of_day ?? DEFAULT_HOUR_OF_DAY,
      minute: body.minute ?? DEFAULT_MINUTE,
      dayOfWeek: body.day_of_week ?? null,
      dayOfMonth: body.day_of_month ?? null,
      cronExpression: body.cron_expression ?? null,
      timezone: body.timezone ?? null,
      dateRangeDays: body.date_range_days ?? DEFAULT_DATE_RANGE_DAYS,
      enabled: body.enabled ?? true,
    }),
  );

/**
 * A validated schedule, camelCase, defaults applied. `timezone: null` means "the company's
 * zone", resolved by `toScheduleRule` so a company changing its zone moves such schedules too.
 * `hourOfDay` is kept for hourly and cron schedules (default 9) but ignored by `nextRunAt`.
 */
export interface ScheduleInput {
  id?: number;
  jobType: JobType;
  frequency: Frequency;
  hourOfDay: number;
  minute: number;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  cronExpression: string | null;
  timezone: string | null;
  dateRangeDays: number;
  enabled: boolean;
}

export type ScheduleInputResult = { ok: true; value: ScheduleInput } | { ok: false; fields: Record<string, string> };

/**
 * Validates an API body. On failure, `fields` maps each bad field (snake_case, as sent) to one
 * message; unknown fields are reported under their own name, and a body that is not an object
 * under `body`.
 */
export function parseScheduleInput(body: unknown): ScheduleInputResult {
  const result = scheduleInputSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };

  const fields: Record<string, string> = {};
  const report = (field: string, message: string) => {
    // The first issue is the most basic one (type before range before cross-field rules).
    fields[field] ??= message;
  };
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) report(key, `${key} is not a known field`);
    } else {
      const field = issue.path[0];
      report(typeof field === "string" ? field : "body", issue.message);
    }
  }
  return { ok: false, fields };
}

/** The rule `nextRunAt` needs, with a null timezone meaning the company's. */
export function toScheduleRule(input: ScheduleInput, companyTimezone: string): ScheduleRule {
  return {
    frequency: input.frequency,
    hourOfDay: input.hourOfDay,
    minute: input.minute,
    dayOfWeek: input.dayOfWeek,
    dayOfMonth: input.dayOfMonth,
    cronExpression: input.cronExpression,
    timezone: input.timezone ?? companyTimezone,
  };
}
