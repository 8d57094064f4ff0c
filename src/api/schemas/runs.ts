import { z } from "zod";
import type { RunEvent, RunItem } from "../../storage/repos/run-log.js";
import type { SyncRun } from "../../storage/repos/sync-runs.js";
import { instant, iso, nullableInstant } from "./common.js";

export const RUN_STATUSES = ["queued", "running", "succeeded", "partial", "failed", "cancelled", "skipped"] as const;
export const RUN_TRIGGERS = ["schedule", "manual", "api", "catchup"] as const;

export const runSchema = z.object({
  id: z.number().int(),
  company_id: z.number().int(),
  company_name: z.string().nullable(),
  schedule_id: z.number().int().nullable(),
  trigger: z.enum(RUN_TRIGGERS),
  job_type: z.enum(["sales", "bills", "full"]),
  window_from: z.string().describe("First local date synced, YYYY-MM-DD."),
  window_to: z.string().describe("Last local date synced, YYYY-MM-DD."),
  scheduled_for: nullableInstant,
  status: z.enum(RUN_STATUSES),
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  cancel_requested: z.boolean(),
  summary: z.record(z.string(), z.unknown()).nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  started_at: nullableInstant,
  finished_at: nullableInstant,
  created_at: instant,
  updated_at: instant,
});

export function runOut(run: SyncRun, companyName: string | null): z.infer<typeof runSchema> {
  return {
    id: run.id,
    company_id: run.companyId,
    company_name: companyName,
    schedule_id: run.scheduleId,
    trigger: run.trigger,
    job_type: run.jobType,
    window_from: run.windowFrom,
    window_to: run.windowTo,
    scheduled_for: iso(run.scheduledFor),
    status: run.status,
    attempt: run.attempt,
    max_attempts: run.maxAttempts,
    cancel_requested: run.cancelRequested,
    summary: run.summary,
    error_code: run.errorCode,
    error_message: run.errorMessage,
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
  };
}

export const runItemSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  source_key: z.string().describe("The EIC of the DevPos document."),
  doc_number: z.string().nullable(),
  action: z.string(),
  qbo_type: z.string().nullable(),
  qbo_id: z.string().nullable(),
  amount_minor: z.number().int().nullable(),
  currency: z.string().nullable(),
  message: z.string().nullable(),
  created_at: instant,
});

export function runItemOut(i: RunItem): z.infer<typeof runItemSchema> {
  return {
    id: i.id,
    kind: i.kind,
    source_key: i.sourceKey,
    doc_number: i.docNumber,
    action: i.action,
    qbo_type: i.qboType,
    qbo_id: i.qboId,
    amount_minor: i.amountMinor,
    currency: i.currency,
    message: i.message,
    created_at: iso(i.createdAt),
  };
}

export const runEventSchema = z.object({
  id: z.number().int(),
  at: instant,
  level: z.string(),
  message: z.string(),
  data: z.unknown().nullable(),
});

export function runEventOut(e: RunEvent): z.infer<typeof runEventSchema> {
  return { id: e.id, at: iso(e.at), level: e.level, message: e.message, data: e.data ?? null };
}

/** `status=failed,partial`: one or more values of an enum, comma-separated. */
export function queryEnumList<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z
    .string()
    .max(200, `${field} is too long`)
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((s) => (values as readonly string[]).includes(s)), `${field} must be one or more of ${values.join(", ")}, comma-separated`)
    .transform((list) => list as unknown as T[number][]);
}
