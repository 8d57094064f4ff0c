import { dialectOf } from "../db.js";
import { inTransaction, type Db } from "./repo-helpers.js";
import { enqueueRun, findActiveRun, type NewRun, type SyncRun } from "./sync-runs.js";

/** The company already has a queued or running sync. */
export class CompanyBusyError extends Error {
  override readonly name = "CompanyBusyError";
  constructor(readonly activeRun: SyncRun) {
    super(`company ${activeRun.companyId} already has run ${activeRun.id} ${activeRun.status}`);
  }
}

/**
 * Queues a manual run unless the company has one queued or running. The check and the insert
 * happen under a lock on the company's row (PostgreSQL, MariaDB; SQLite has a single writer),
 * so two "Run now" clicks at the same instant queue one run and get one 409.
 */
export async function enqueueManualRun(db: Db, input: NewRun): Promise<SyncRun> {
  return inTransaction(db, async (trx) => {
    if (dialectOf(trx) !== "sqlite") {
      await trx.selectFrom("companies").select("id").where("id", "=", input.companyId).forUpdate().executeTakeFirst();
    }
    const active = await findActiveRun(trx, input.companyId);
    if (active) throw new CompanyBusyError(active);
    return enqueueRun(trx, input);
  });
}
