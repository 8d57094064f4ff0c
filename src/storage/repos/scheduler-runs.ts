import { fromFlag, type Db } from "./repo-helpers.js";

/**
 * Small reads the worker needs beside sync-runs.ts. Kept in the scheduler's own file so the
 * queue repository stays one owner's.
 */

/** True when someone asked to cancel the run (requestCancel sets the flag on a running run). */
export async function isRunCancelRequested(db: Db, runId: number): Promise<boolean> {
  const row = await db.selectFrom("sync_runs").select("cancel_requested").where("id", "=", runId).executeTakeFirst();
  return row !== undefined && fromFlag(row.cancel_requested);
}
