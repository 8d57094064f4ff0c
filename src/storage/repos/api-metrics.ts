import { fromDbInstantOrNull, toDbInstant, toFlag, type Db } from "./repo-helpers.js";

/** Figures /metrics reads from the database at scrape time, so every process reports the same. */
export interface MetricsSnapshot {
  runsByStatus: { status: string; trigger: string; count: number }[];
  documentsSynced: { kind: string; qboType: string; count: number }[];
  connectionsByStatus: { status: string; count: number }[];
  /** Oldest due slot that no scheduler has taken yet (null: none due). */
  oldestDueSlot: Date | null;
  /** Oldest queued run available to workers (null: none waiting). */
  oldestQueuedRun: Date | null;
}

export async function readMetricsSnapshot(db: Db, now: Date): Promise<MetricsSnapshot> {
  const at = toDbInstant(now);
  const runs = await db
    .selectFrom("sync_runs")
    .select((eb) => ["status", "trigger", eb.fn.countAll<number | string>().as("n")])
    .groupBy(["status", "trigger"])
    .execute();
  const documents = await db
    .selectFrom("document_links")
    .select((eb) => ["kind", "qbo_type", eb.fn.countAll<number | string>().as("n")])
    .where("state", "=", "synced")
    .groupBy(["kind", "qbo_type"])
    .execute();
  const connections = await db
    .selectFrom("qbo_connections")
    .select((eb) => ["status", eb.fn.countAll<number | string>().as("n")])
    .groupBy("status")
    .execute();
  const due = await db
    .selectFrom("schedules")
    .select((eb) => eb.fn.min("next_run_at").as("at"))
    .where("enabled", "=", toFlag(true))
    .where("paused_reason", "is", null)
    .where("next_run_at", "<=", at)
    .executeTakeFirst();
  const queued = await db
    .selectFrom("sync_runs")
    .select((eb) => eb.fn.min("available_at").as("at"))
    .where("status", "=", "queued")
    .where("available_at", "<=", at)
    .executeTakeFirst();
  return {
    runsByStatus: runs.map((r) => ({ status: r.status, trigger: r.trigger, count: Number(r.n) })),
    documentsSynced: documents.map((r) => ({ kind: r.kind, qboType: r.qbo_type, count: Number(r.n) })),
    connectionsByStatus: connections.map((r) => ({ status: r.status, count: Number(r.n) })),
    oldestDueSlot: fromDbInstantOrNull(due?.at ?? null),
    oldestQueuedRun: fromDbInstantOrNull(queued?.at ?? null),
  };
}
