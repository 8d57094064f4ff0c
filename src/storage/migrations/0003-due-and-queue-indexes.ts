import type { Kysely } from "kysely";
import type { SchemaDialect } from "./schema-helpers.js";

/**
 * Two indexes widened to the exact lookups of the hot paths, so no planner can pick a prefix
 * that walks many rows to find one:
 *
 * - schedules (enabled, next_run_at) → (enabled, next_run_at, id): the order the tick lists due
 *   slots in (`order by next_run_at, id`), and one entry for taking a slot
 *   (`where id = ? and next_run_at = ?`). On the old index PostgreSQL (without statistics)
 *   planned that compare-and-swap as a walk over every schedule due at the same instant:
 *   with 10,000 due at 08:00 a tick was quadratic. npm run bench:scheduler on PostgreSQL
 *   (2-core machine) went from 1,350–1,570 to 6,000–8,400 slots/s.
 * - sync_runs (company_id, status) → (company_id, status, available_at, id): a claim takes a
 *   run only if its company has no older available run (sync-runs.ts claimNextRun). On the old
 *   index SQLite answered that through the claim index, reading the whole queue per claim
 *   (1,550 → 750 runs/s); on the new one it reads the company's few runs.
 *
 * Each new index is built before the old one is dropped, both guarded, so a migration that
 * stopped half-way on MariaDB (whose DDL commits on its own) can simply run again.
 */
export function createDueAndQueueIndexesMigration(dialect: SchemaDialect) {
  const replace = async (db: Kysely<any>, table: string, from: string, to: { name: string; columns: string[] }) => {
    await db.schema.createIndex(to.name).ifNotExists().on(table).columns(to.columns).execute();
    const drop = db.schema.dropIndex(from).ifExists();
    // Only MariaDB names the table in DROP INDEX.
    await (dialect === "mysql" ? drop.on(table) : drop).execute();
  };
  return {
    async up(db: Kysely<any>): Promise<void> {
      await replace(db, "schedules", "schedules_due_idx", { name: "schedules_due_slot_idx", columns: ["enabled", "next_run_at", "id"] });
      await replace(db, "sync_runs", "sync_runs_company_idx", { name: "sync_runs_company_queue_idx", columns: ["company_id", "status", "available_at", "id"] });
    },
    async down(db: Kysely<any>): Promise<void> {
      await replace(db, "sync_runs", "sync_runs_company_queue_idx", { name: "sync_runs_company_idx", columns: ["company_id", "status"] });
      await replace(db, "schedules", "schedules_due_slot_idx", { name: "schedules_due_idx", columns: ["enabled", "next_run_at"] });
    },
  };
}
