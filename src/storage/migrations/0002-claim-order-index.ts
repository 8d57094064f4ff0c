import type { Kysely } from "kysely";

/**
 * The worker's claim takes the oldest queued run: `status = 'queued' … order by available_at,
 * id limit 1`. With only (status, available_at) PostgreSQL must sort every queued row to find
 * it (and with many queued runs chooses a hash anti-join over the whole table: ~10 ms a claim
 * at 10,000 queued). With `id` in the index the order comes from the index and the claim
 * reads a handful of rows. (issue 6 benchmark)
 */
export function createClaimOrderIndexMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex("sync_runs_claim_order_idx").on("sync_runs").columns(["status", "available_at", "id"]).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex("sync_runs_claim_order_idx").on("sync_runs").execute();
    },
  };
}
