import { z } from "zod";
import { parseCursor } from "../../storage/repos/repo-helpers.js";

/**
 * Building blocks of the route schemas. JSON bodies are strict (unknown fields are named in
 * the 400) and never coerce ("9" is not a number); query strings are text by nature, so their
 * numbers and booleans are parsed.
 */

const MAX_ID = 2_147_483_647;
// NUL and other C0 controls (except tab/newline) are refused: PostgreSQL cannot store NUL,
// and no name, email or search a person types contains them.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Text of at most `max` characters without control characters. */
export function text(field: string, max: number, min = 0) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text`) })
    .min(min, min <= 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters long`)
    .max(max, `${field} must be at most ${max} characters long`)
    .refine((value) => !CONTROL_CHARS.test(value), `${field} must not contain control characters`);
}

/** A trimmed, non-empty line of text. */
export function line(field: string, max: number) {
  return text(field, max)
    .transform((v) => v.trim())
    .refine((v) => v.length > 0, `${field} must not be empty`);
}

export function bool(field: string) {
  return z.boolean({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be true or false`) });
}

export function positiveId(field: string) {
  const error = (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be a positive whole number`);
  return z.int({ error }).min(1, { error }).max(MAX_ID, { error });
}

/** An id in the address: digits only, within the database's integer range. */
export function idParam(field = "id") {
  const message = `${field} in the address must be a positive whole number`;
  return z
    .string()
    .regex(/^[1-9]\d{0,9}$/, message)
    .transform(Number)
    .refine((n) => n <= MAX_ID, message);
}

export const idParams = z.object({ id: idParam() });

export function queryInt(field: string, min: number, max: number) {
  const message = `${field} must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

export function queryBool(field: string) {
  return z.enum(["true", "false"], `${field} must be true or false`).transform((v) => v === "true");
}

export function queryDate(field: string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date YYYY-MM-DD`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), `${field} is not a real date`);
}

export function queryInstant(field: string) {
  return z
    .string()
    .max(40, `${field} must be an ISO date or date-time`)
    .refine((v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), `${field} must be an ISO date or date-time`)
    .transform((v) => new Date(v));
}

/**
 * A page cursor as lists hand them out. Checked here, for every list at once, so a forged one
 * (`[1.5]`, `[2147483648]`, text with NUL) is a 400 naming the cursor and never reaches a
 * database that would refuse the value; each list still checks the cursor's shape.
 */
export function cursorParam(field = "cursor") {
  return z.string().refine((v) => parseCursor(v) !== undefined, `${field} is invalid`);
}

/** `limit` and `cursor` of every paged list. */
export const pageQuery = {
  limit: queryInt("limit", 1, 200).optional(),
  cursor: cursorParam().optional(),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null when this is the last page."),
  });
}

export const instant = z.string().describe("UTC instant, ISO 8601");
export const nullableInstant = instant.nullable();

export function iso(date: Date): string;
export function iso(date: Date | null | undefined): string | null;
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .describe("Every error: a code for programs, a message for people, and for validation one message per bad field.");

/** Error responses every route may give; routes add their success shapes. */
export const errorResponses = {
  "4xx": errorEnvelopeSchema,
  "5xx": errorEnvelopeSchema,
};

export const permissionsSchema = z.object({
  view: z.boolean(),
  run: z.boolean(),
  manage_schedules: z.boolean(),
  edit_connections: z.boolean(),
});

export const permissionsInput = z.strictObject({
  view: bool("view").optional(),
  run: bool("run").optional(),
  manage_schedules: bool("manage_schedules").optional(),
  edit_connections: bool("edit_connections").optional(),
});

export function permissionsOut(p: { view: boolean; run: boolean; manageSchedules: boolean; editConnections: boolean }) {
  return { view: p.view, run: p.run, manage_schedules: p.manageSchedules, edit_connections: p.editConnections };
}

export function permissionsIn(p: z.output<typeof permissionsInput>) {
  return { view: p.view ?? true, run: p.run ?? false, manageSchedules: p.manage_schedules ?? false, editConnections: p.edit_connections ?? false };
}

/** A body that must be a JSON object; the message every strict body gives for `5` or `[]`. */
export const OBJECT_BODY = { error: () => "the request body must be a JSON object" };

export const emptyBody = z.strictObject({}, OBJECT_BODY).nullish();
