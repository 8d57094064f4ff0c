import type { Kysely } from "kysely";
import type { Database } from "../../../src/storage/schema.js";

const TABLES: (keyof Database)[] = [
  "companies",
  "devpos_credentials",
  "qbo_connections",
  "users",
  "user_company_access",
  "sessions",
  "api_keys",
  "api_key_company_access",
  "oauth_states",
  "schedules",
  "sync_runs",
  "run_events",
  "run_items",
  "document_links",
  "party_links",
  "notification_channels",
  "alert_incidents",
  "audit_log",
];

/**
 * Columns that reads are allowed to move (sliding session expiry, key last-used), and audit
 * entries that rejections are supposed to write (failed logins are recorded by design).
 */
const VOLATILE: Partial<Record<keyof Database, string[]>> = {
  sessions: ["last_seen_at", "expires_at"],
  api_keys: ["last_used_at"],
};

/** Every row of every table, as comparable text. */
export async function snapshotDatabase(db: Kysely<Database>): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const table of TABLES) {
    let rows = (await (db as unknown as Kysely<any>).selectFrom(table).selectAll().orderBy("id").execute()) as Record<string, unknown>[];
    if (table === "audit_log") rows = rows.filter((r) => r.action !== "auth.login_failed");
    const drop = VOLATILE[table] ?? [];
    snapshot[table] = JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k)).map(([k, v]) => [k, v === null ? null : String(v)]))));
  }
  return snapshot;
}
