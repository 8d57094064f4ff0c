import { affected, toDbInstant, type Db } from "./repo-helpers.js";

/**
 * Deletes up to `limit` run events and `limit` run items recorded before `before`, oldest
 * first. Small batches keep each transaction and its locks short on a busy PostgreSQL or
 * MariaDB; call until both counts are below `limit`. (MariaDB refuses LIMIT inside IN
 * subqueries, so ids are selected first.) Document links are never touched.
 */
export async function pruneRunLogBatch(db: Db, before: Date, limit: number): Promise<{ events: number; items: number }> {
  const at = toDbInstant(before);
  const eventIds = (await db.selectFrom("run_events").select("id").where("at", "<", at).orderBy("id").limit(limit).execute()).map((r) => Number(r.id));
  const events = eventIds.length === 0 ? 0 : affected(await db.deleteFrom("run_events").where("id", "in", eventIds).executeTakeFirst());
  const itemIds = (await db.selectFrom("run_items").select("id").where("created_at", "<", at).orderBy("id").limit(limit).execute()).map((r) => Number(r.id));
  const items = itemIds.length === 0 ? 0 : affected(await db.deleteFrom("run_items").where("id", "in", itemIds).executeTakeFirst());
  return { events, items };
}
