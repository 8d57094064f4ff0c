import type { Kysely } from "kysely";
import { createTableFor, type SchemaDialect } from "./schema-helpers.js";

/**
 * The whole data model of docs/architecture.md. Conventions, chosen so the same SQL behaves the
 * same on SQLite, PostgreSQL and MariaDB:
 * - instants are UTC ISO-8601 strings with milliseconds (`2026-11-28T08:00:00.000Z`, column
 *   suffix `_at`): fixed width, so they sort and compare as text, and no driver converts them
 *   through a session time zone; local dates are `YYYY-MM-DD`;
 * - money is integer minor units (`*_minor`), never floating point;
 * - flags are integers 0/1 (better-sqlite3 cannot bind booleans);
 * - secrets are sealed envelopes from src/secrets (`*_enc`), carrying their key id;
 * - "at most one X" rules that a check-then-insert could race are unique keys, some on
 *   nullable "claim" columns that hold a value only while the rule applies.
 */
export function createInitialMigration(dialect: SchemaDialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const t = createTableFor(db, dialect);

      await t("companies", (c) =>
        c
          .addColumn("code", "varchar(20)", (col) => col.notNull().unique())
          .addColumn("name", "varchar(200)", (col) => col.notNull())
          .addColumn("timezone", "varchar(64)", (col) => col.notNull().defaultTo("Europe/Tirane"))
          .addColumn("home_currency", "varchar(3)", (col) => col.notNull().defaultTo("ALL"))
          .addColumn("tax_mode", "varchar(16)", (col) => col.notNull().defaultTo("none"))
          .addColumn("vat_tax_code_id", "varchar(32)")
          .addColumn("vat_rate_codes", "text")
          .addColumn("income_item_id", "varchar(32)")
          .addColumn("expense_account_id", "varchar(32)")
          .addColumn("on_deleted_in_qbo", "varchar(16)", (col) => col.notNull().defaultTo("report"))
          .addColumn("active", "integer", (col) => col.notNull().defaultTo(1))
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull()),
      );

      await t("devpos_credentials",
        (c) =>
          c
            .addColumn("company_id", "integer", (col) => col.notNull().unique())
            .addColumn("tenant", "varchar(20)", (col) => col.notNull())
            .addColumn("username", "varchar(200)", (col) => col.notNull())
            .addColumn("password_enc", "text", (col) => col.notNull())
            .addColumn("token_enc", "text")
            .addColumn("token_expires_at", "varchar(30)")
            .addColumn("last_ok_at", "varchar(30)")
            .addColumn("last_error", "text")
            .addColumn("created_at", "varchar(30)", (col) => col.notNull())
            .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("devpos_credentials_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("qbo_connections", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col.notNull().unique())
          // NULL once disconnected, so the realm may be connected to another company later.
          .addColumn("realm_id", "varchar(32)", (col) => col.unique())
          .addColumn("environment", "varchar(16)", (col) => col.notNull().defaultTo("production"))
          .addColumn("access_token_enc", "text")
          .addColumn("refresh_token_enc", "text")
          .addColumn("access_expires_at", "varchar(30)")
          .addColumn("refresh_expires_at", "varchar(30)")
          .addColumn("refresh_hard_expires_at", "varchar(30)")
          .addColumn("status", "varchar(24)", (col) => col.notNull().defaultTo("disconnected"))
          .addColumn("version", "integer", (col) => col.notNull().defaultTo(1))
          // Cross-process refresh lock: owner + expiry, taken by compare-and-swap.
          .addColumn("refresh_lock_owner", "varchar(100)")
          .addColumn("refresh_lock_expires_at", "varchar(30)")
          .addColumn("last_refreshed_at", "varchar(30)")
          .addColumn("last_error", "text")
          .addColumn("connected_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("qbo_connections_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("users", (c) =>
        c
          .addColumn("email", "varchar(254)", (col) => col.notNull().unique())
          .addColumn("name", "varchar(200)", (col) => col.notNull())
          .addColumn("password_hash", "text", (col) => col.notNull())
          .addColumn("role", "varchar(16)", (col) => col.notNull().defaultTo("member"))
          .addColumn("active", "integer", (col) => col.notNull().defaultTo(1))
          .addColumn("last_login_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull()),
      );

      await t("user_company_access",
        (c) =>
          c
            .addColumn("user_id", "integer", (col) => col.notNull())
            .addColumn("company_id", "integer", (col) => col.notNull())
            .addColumn("can_view", "integer", (col) => col.notNull().defaultTo(1))
            .addColumn("can_run", "integer", (col) => col.notNull().defaultTo(0))
            .addColumn("can_manage_schedules", "integer", (col) => col.notNull().defaultTo(0))
            .addColumn("can_edit_connections", "integer", (col) => col.notNull().defaultTo(0))
            .addUniqueConstraint("user_company_access_user_company_uq", ["user_id", "company_id"])
          .addForeignKeyConstraint("user_company_access_user_id_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade"))
          .addForeignKeyConstraint("user_company_access_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("sessions", (c) =>
        c
          .addColumn("token_hash", "varchar(64)", (col) => col.notNull().unique())
          .addColumn("csrf_hash", "varchar(64)", (col) => col.notNull())
          .addColumn("user_id", "integer", (col) => col.notNull())
          .addColumn("expires_at", "varchar(30)", (col) => col.notNull())
          .addColumn("last_seen_at", "varchar(30)", (col) => col.notNull())
          .addColumn("ip", "varchar(64)")
          .addColumn("user_agent", "varchar(300)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("sessions_user_id_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("api_keys", (c) =>
        c
          .addColumn("name", "varchar(200)", (col) => col.notNull())
          .addColumn("token_hash", "varchar(64)", (col) => col.notNull().unique())
          // The first characters of the key, shown in lists so people can tell keys apart.
          .addColumn("prefix", "varchar(16)", (col) => col.notNull())
          .addColumn("created_by_user_id", "integer", (col) => col)
          .addColumn("expires_at", "varchar(30)")
          .addColumn("revoked_at", "varchar(30)")
          .addColumn("last_used_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("api_keys_created_by_user_id_fk", ["created_by_user_id"], "users", ["id"], (fk) => fk.onDelete("set null")),
      );

      await t("api_key_company_access",
        (c) =>
          c
            .addColumn("api_key_id", "integer", (col) => col.notNull())
            .addColumn("company_id", "integer", (col) => col.notNull())
            .addColumn("can_view", "integer", (col) => col.notNull().defaultTo(1))
            .addColumn("can_run", "integer", (col) => col.notNull().defaultTo(0))
            .addColumn("can_manage_schedules", "integer", (col) => col.notNull().defaultTo(0))
            .addColumn("can_edit_connections", "integer", (col) => col.notNull().defaultTo(0))
            .addUniqueConstraint("api_key_company_access_key_company_uq", ["api_key_id", "company_id"])
          .addForeignKeyConstraint("api_key_company_access_api_key_id_fk", ["api_key_id"], "api_keys", ["id"], (fk) => fk.onDelete("cascade"))
          .addForeignKeyConstraint("api_key_company_access_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("oauth_states", (c) =>
        c
          .addColumn("state_hash", "varchar(64)", (col) => col.notNull().unique())
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("user_id", "integer", (col) => col)
          .addColumn("expires_at", "varchar(30)", (col) => col.notNull())
          .addColumn("used_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("oauth_states_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade"))
          .addForeignKeyConstraint("oauth_states_user_id_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("schedules", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("job_type", "varchar(8)", (col) => col.notNull())
          .addColumn("frequency", "varchar(8)", (col) => col.notNull())
          .addColumn("hour_of_day", "integer", (col) => col.notNull().defaultTo(9))
          .addColumn("minute", "integer", (col) => col.notNull().defaultTo(0))
          .addColumn("day_of_week", "integer")
          .addColumn("day_of_month", "integer")
          .addColumn("cron_expression", "varchar(120)")
          .addColumn("timezone", "varchar(64)")
          .addColumn("date_range_days", "integer", (col) => col.notNull().defaultTo(30))
          .addColumn("enabled", "integer", (col) => col.notNull().defaultTo(1))
          .addColumn("paused_reason", "varchar(200)")
          .addColumn("last_run_at", "varchar(30)")
          .addColumn("last_status", "varchar(16)")
          .addColumn("next_run_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("schedules_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );
      await db.schema.createIndex("schedules_due_idx").on("schedules").columns(["enabled", "next_run_at"]).execute();
      await db.schema.createIndex("schedules_company_idx").on("schedules").column("company_id").execute();

      await t("sync_runs", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("schedule_id", "integer", (col) => col)
          .addColumn("trigger", "varchar(12)", (col) => col.notNull())
          .addColumn("job_type", "varchar(8)", (col) => col.notNull())
          .addColumn("window_from", "varchar(10)", (col) => col.notNull())
          .addColumn("window_to", "varchar(10)", (col) => col.notNull())
          .addColumn("scheduled_for", "varchar(30)")
          .addColumn("status", "varchar(12)", (col) => col.notNull())
          .addColumn("attempt", "integer", (col) => col.notNull().defaultTo(0))
          .addColumn("max_attempts", "integer", (col) => col.notNull().defaultTo(3))
          .addColumn("available_at", "varchar(30)", (col) => col.notNull())
          // Holds company_id while the run is running, NULL otherwise: the unique key makes
          // "at most one running sync per company" hold however many workers race.
          .addColumn("running_company_id", "integer", (col) => col.unique())
          .addColumn("lease_owner", "varchar(100)")
          .addColumn("lease_expires_at", "varchar(30)")
          .addColumn("heartbeat_at", "varchar(30)")
          .addColumn("cancel_requested", "integer", (col) => col.notNull().defaultTo(0))
          .addColumn("requested_by_user_id", "integer", (col) => col)
          .addColumn("summary", "text")
          .addColumn("error_code", "varchar(64)")
          .addColumn("error_message", "text")
          .addColumn("started_at", "varchar(30)")
          .addColumn("finished_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addUniqueConstraint("sync_runs_schedule_slot_uq", ["schedule_id", "scheduled_for"])
          .addForeignKeyConstraint("sync_runs_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade"))
          .addForeignKeyConstraint("sync_runs_schedule_id_fk", ["schedule_id"], "schedules", ["id"], (fk) => fk.onDelete("set null"))
          .addForeignKeyConstraint("sync_runs_requested_by_user_id_fk", ["requested_by_user_id"], "users", ["id"], (fk) => fk.onDelete("set null")),
      );
      // The claim takes the oldest runnable run (`status = 'queued' and available_at <= now order
      // by available_at, id limit 1`); with `id` in the index the order comes from the index
      // instead of a sort over every queued row (~10 ms a claim at 10,000 queued otherwise).
      // The lease reclaim (`status = 'running' and lease_expires_at <= now`) uses it too: only
      // a few runs are running at once. No index on lease_expires_at, so a heartbeat changes no
      // indexed column and PostgreSQL can update the row in place (HOT).
      await db.schema.createIndex("sync_runs_claim_idx").on("sync_runs").columns(["status", "available_at", "id"]).execute();
      await db.schema.createIndex("sync_runs_company_idx").on("sync_runs").columns(["company_id", "status"]).execute();

      await t("run_events", (c) =>
        c
          .addColumn("run_id", "integer", (col) => col.notNull())
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("at", "varchar(30)", (col) => col.notNull())
          .addColumn("level", "varchar(8)", (col) => col.notNull())
          .addColumn("message", "text", (col) => col.notNull())
          .addColumn("data", "text")
          .addForeignKeyConstraint("run_events_run_id_fk", ["run_id"], "sync_runs", ["id"], (fk) => fk.onDelete("cascade")),
      );
      await db.schema.createIndex("run_events_run_idx").on("run_events").columns(["run_id", "id"]).execute();
      await db.schema.createIndex("run_events_at_idx").on("run_events").column("at").execute();

      await t("run_items", (c) =>
        c
          .addColumn("run_id", "integer", (col) => col.notNull())
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("kind", "varchar(16)", (col) => col.notNull())
          .addColumn("source_key", "varchar(64)", (col) => col.notNull())
          .addColumn("doc_number", "varchar(64)")
          .addColumn("action", "varchar(16)", (col) => col.notNull())
          .addColumn("qbo_type", "varchar(16)")
          .addColumn("qbo_id", "varchar(32)")
          .addColumn("amount_minor", "bigint")
          .addColumn("currency", "varchar(3)")
          .addColumn("message", "text")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("run_items_run_id_fk", ["run_id"], "sync_runs", ["id"], (fk) => fk.onDelete("cascade")),
      );
      await db.schema.createIndex("run_items_run_idx").on("run_items").columns(["run_id", "id"]).execute();
      await db.schema.createIndex("run_items_created_idx").on("run_items").column("created_at").execute();

      await t("document_links", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("kind", "varchar(16)", (col) => col.notNull())
          .addColumn("source_key", "varchar(64)", (col) => col.notNull())
          .addColumn("doc_number", "varchar(64)")
          .addColumn("qbo_type", "varchar(16)", (col) => col.notNull())
          .addColumn("qbo_id", "varchar(32)")
          .addColumn("sync_token", "varchar(16)")
          .addColumn("content_hash", "varchar(64)", (col) => col.notNull())
          .addColumn("state", "varchar(8)", (col) => col.notNull())
          .addColumn("request_id", "varchar(50)", (col) => col.notNull())
          .addColumn("txn_date", "varchar(10)")
          .addColumn("amount_minor", "bigint")
          .addColumn("currency", "varchar(3)")
          .addColumn("last_run_id", "integer")
          .addColumn("voided_at", "varchar(30)")
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addUniqueConstraint("document_links_source_uq", ["company_id", "kind", "source_key"])
          .addForeignKeyConstraint("document_links_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );
      await db.schema.createIndex("document_links_txn_idx").on("document_links").columns(["company_id", "txn_date"]).execute();

      await t("party_links", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("role", "varchar(10)", (col) => col.notNull())
          .addColumn("party_key", "varchar(200)", (col) => col.notNull())
          .addColumn("currency", "varchar(3)", (col) => col.notNull())
          .addColumn("qbo_id", "varchar(32)", (col) => col.notNull())
          .addColumn("display_name", "varchar(500)", (col) => col.notNull())
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addUniqueConstraint("party_links_party_uq", ["company_id", "role", "party_key", "currency"])
          .addForeignKeyConstraint("party_links_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("notification_channels", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col)
          .addColumn("kind", "varchar(16)", (col) => col.notNull())
          .addColumn("target", "varchar(500)", (col) => col.notNull())
          .addColumn("secret_enc", "text")
          .addColumn("events", "text", (col) => col.notNull())
          .addColumn("enabled", "integer", (col) => col.notNull().defaultTo(1))
          .addColumn("created_at", "varchar(30)", (col) => col.notNull())
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addForeignKeyConstraint("notification_channels_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("alert_incidents", (c) =>
        c
          .addColumn("company_id", "integer", (col) => col)
          .addColumn("kind", "varchar(40)", (col) => col.notNull())
          .addColumn("incident_key", "varchar(200)", (col) => col.notNull())
          // Equals incident_key while open, NULL once resolved: one open incident per key.
          .addColumn("open_key", "varchar(200)", (col) => col.unique())
          .addColumn("details", "text")
          .addColumn("opened_at", "varchar(30)", (col) => col.notNull())
          .addColumn("resolved_at", "varchar(30)")
          .addColumn("last_notified_at", "varchar(30)")
          .addForeignKeyConstraint("alert_incidents_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );

      await t("audit_log", (c) =>
        c
          .addColumn("at", "varchar(30)", (col) => col.notNull())
          .addColumn("actor_user_id", "integer")
          .addColumn("actor_api_key_id", "integer")
          .addColumn("actor_label", "varchar(254)", (col) => col.notNull())
          .addColumn("action", "varchar(64)", (col) => col.notNull())
          .addColumn("company_id", "integer")
          .addColumn("target_type", "varchar(32)")
          .addColumn("target_id", "varchar(64)")
          .addColumn("details", "text")
          .addColumn("ip", "varchar(64)"),
      );
      await db.schema.createIndex("audit_log_at_idx").on("audit_log").column("at").execute();
      await db.schema.createIndex("audit_log_company_idx").on("audit_log").columns(["company_id", "at"]).execute();
    },
  };
}
