import { fromDbInstant, fromJson, type Db } from "./repo-helpers.js";
import type { RunEvent, RunEventLevel } from "./run-log.js";

export interface RunEventFilter {
  companyId?: number;
  runId?: number;
}

/** Run events after `afterId` (oldest first), optionally of one company and/or run: `logs --follow`. */
export async function listRunEventsFiltered(db: Db, filter: RunEventFilter & { afterId?: number; limit?: number }): Promise<RunEvent[]> {
  let query = db.selectFrom("run_events").selectAll().where("id", ">", filter.afterId ?? 0);
  if (filter.companyId !== undefined) query = query.where("company_id", "=", filter.companyId);
  if (filter.runId !== undefined) query = query.where("run_id", "=", filter.runId);
  const rows = await query.orderBy("id").limit(filter.limit ?? 500).execute();
  return rows.map(toEvent);
}

/** The last `limit` events matching the filter, oldest first (what `logs` prints before following). */
export async function listRecentRunEvents(db: Db, filter: RunEventFilter & { limit: number }): Promise<RunEvent[]> {
  let query = db.selectFrom("run_events").selectAll();
  if (filter.companyId !== undefined) query = query.where("company_id", "=", filter.companyId);
  if (filter.runId !== undefined) query = query.where("run_id", "=", filter.runId);
  const rows = await query.orderBy("id", "desc").limit(filter.limit).execute();
  return rows.reverse().map(toEvent);
}

function toEvent(row: { id: number; run_id: number; company_id: number; at: string; level: string; message: string; data: string | null }): RunEvent {
  return {
    id: Number(row.id),
    runId: Number(row.run_id),
    companyId: Number(row.company_id),
    at: fromDbInstant(row.at),
    level: row.level as RunEventLevel,
    message: row.message,
    data: fromJson(row.data),
  };
}
