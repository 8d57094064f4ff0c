import type { Db } from "./repo-helpers.js";
import { chunk, fromDbInstantOrNull, IN_LIST_CHUNK, toFlag } from "./repo-helpers.js";
import { runFromRow, type SyncRun } from "./sync-runs.js";
import type { QboConnectionStatus } from "./qbo-connections.js";

/** What the companies overview shows per company, fetched for a whole page in four queries. */
export interface CompanyHealth {
  devpos: { configured: boolean; lastOkAt: Date | null; lastError: string | null };
  qbo: { status: QboConnectionStatus | "not_connected"; refreshHardExpiresAt: Date | null; lastError: string | null };
  lastRun: SyncRun | null;
  nextRunAt: Date | null;
  scheduleCount: number;
}

export async function companyHealth(db: Db, companyIds: readonly number[]): Promise<Map<number, CompanyHealth>> {
  const health = new Map<number, CompanyHealth>(
    companyIds.map((id) => [
      id,
      {
        devpos: { configured: false, lastOkAt: null, lastError: null },
        qbo: { status: "not_connected", refreshHardExpiresAt: null, lastError: null },
        lastRun: null,
        nextRunAt: null,
        scheduleCount: 0,
      },
    ]),
  );
  for (const ids of chunk([...companyIds], IN_LIST_CHUNK)) {
    if (ids.length === 0) continue;
    const devpos = await db.selectFrom("devpos_credentials").select(["company_id", "last_ok_at", "last_error"]).where("company_id", "in", ids).execute();
    for (const row of devpos) {
      health.get(Number(row.company_id))!.devpos = { configured: true, lastOkAt: fromDbInstantOrNull(row.last_ok_at), lastError: row.last_error };
    }
    const qbo = await db
      .selectFrom("qbo_connections")
      .select(["company_id", "status", "refresh_hard_expires_at", "last_error"])
      .where("company_id", "in", ids)
      .execute();
    for (const row of qbo) {
      health.get(Number(row.company_id))!.qbo = {
        status: row.status as QboConnectionStatus,
        refreshHardExpiresAt: fromDbInstantOrNull(row.refresh_hard_expires_at),
        lastError: row.last_error,
      };
    }
    const lastRuns = await db
      .selectFrom("sync_runs")
      .selectAll()
      .where("id", "in", (eb) =>
        eb.selectFrom("sync_runs").select((e) => e.fn.max("id").as("id")).where("company_id", "in", ids).groupBy("company_id"),
      )
      .execute();
    for (const row of lastRuns) health.get(Number(row.company_id))!.lastRun = runFromRow(row);
    const schedules = await db
      .selectFrom("schedules")
      .select((eb) => [
        "company_id",
        eb.fn.countAll<number | string>().as("n"),
        eb.fn
          .min(eb.case().when(eb.and([eb("enabled", "=", toFlag(true)), eb("paused_reason", "is", null)])).then(eb.ref("next_run_at")).end())
          .as("next_run_at"),
      ])
      .where("company_id", "in", ids)
      .groupBy("company_id")
      .execute();
    for (const row of schedules) {
      const entry = health.get(Number(row.company_id))!;
      entry.scheduleCount = Number(row.n);
      entry.nextRunAt = fromDbInstantOrNull(row.next_run_at as string | null);
    }
  }
  return health;
}
