import { withDbErrors } from "../errors.js";
import { getRun, type SyncRun } from "./sync-runs.js";
import { insertReturningId, toDbInstant, type Db } from "./repo-helpers.js";
import type { JobType } from "../../domain/schedule-rule.js";

/**
 * A run started by `devsync sync` in the foreground: inserted directly as `running`, leased to
 * the command, and holding the company's running slot (`running_company_id` is unique), so no
 * worker claims a second run of the company meanwhile. UniqueViolationError when the company
 * already has a run in progress.
 */
export async function startForegroundRun(
  db: Db,
  input: { companyId: number; jobType: JobType; windowFrom: string; windowTo: string; owner: string; leaseMs: number; now: Date; requestedByUserId?: number | null },
): Promise<SyncRun> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "sync_runs", {
      company_id: input.companyId,
      schedule_id: null,
      trigger: "manual",
      job_type: input.jobType,
      window_from: input.windowFrom,
      window_to: input.windowTo,
      scheduled_for: null,
      status: "running",
      attempt: 1,
      max_attempts: 1,
      available_at: at,
      running_company_id: input.companyId,
      lease_owner: input.owner,
      lease_expires_at: toDbInstant(new Date(input.now.getTime() + input.leaseMs)),
      heartbeat_at: at,
      started_at: at,
      requested_by_user_id: input.requestedByUserId ?? null,
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getRun(db, id))!;
}
