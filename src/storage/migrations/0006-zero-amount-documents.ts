import type { Kysely } from "kysely";
import { createTableFor, type SchemaDialect } from "./schema-helpers.js";

/**
 * zero_amount_documents: DevPos documents whose list row shows amount 0 (or none) although the
 * real total may not be 0. Such rows are not created in QuickBooks and not linked; they are
 * re-read and reported (src/sync/zero-amount-rechecks.ts). Before this table they were forgotten once they left the sync window; now each
 * company keeps them until DevPos gives a real amount (`resolved`) or a person confirms the
 * document really is zero (`confirmed_zero`). `qbo_type` (Invoice or Bill) lets a sales-only or
 * bills-only run re-read just the rows it covers. Dates are local `YYYY-MM-DD` as DevPos wrote
 * them; instants are ISO strings like everywhere else (0001-initial.ts).
 *
 * Both statements are guarded (IF NOT EXISTS) so a migration that stopped half-way on MariaDB,
 * whose DDL commits on its own, can simply run again.
 */
export function createZeroAmountDocumentsMigration(dialect: SchemaDialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const t = createTableFor(db, dialect);
      await t("zero_amount_documents", (c) =>
        c
          .ifNotExists()
          .addColumn("company_id", "integer", (col) => col.notNull())
          .addColumn("kind", "varchar(16)", (col) => col.notNull())
          .addColumn("source_key", "varchar(64)", (col) => col.notNull())
          .addColumn("qbo_type", "varchar(16)", (col) => col.notNull())
          .addColumn("doc_number", "varchar(64)")
          .addColumn("txn_date", "varchar(10)", (col) => col.notNull())
          .addColumn("party_name", "varchar(500)")
          .addColumn("currency", "varchar(3)")
          .addColumn("status", "varchar(16)", (col) => col.notNull())
          .addColumn("checks", "integer", (col) => col.notNull().defaultTo(0))
          .addColumn("first_seen_at", "varchar(30)", (col) => col.notNull())
          .addColumn("last_checked_at", "varchar(30)", (col) => col.notNull())
          .addColumn("resolved_at", "varchar(30)")
          .addColumn("resolution", "varchar(16)")
          .addColumn("resolved_amount_minor", "bigint")
          .addColumn("confirmed_at", "varchar(30)")
          .addColumn("confirmed_by_user_id", "integer")
          .addColumn("confirmed_by", "varchar(255)")
          .addColumn("confirmed_note", "varchar(500)")
          .addColumn("updated_at", "varchar(30)", (col) => col.notNull())
          .addUniqueConstraint("zero_amount_documents_source_uq", ["company_id", "kind", "source_key"])
          .addForeignKeyConstraint("zero_amount_documents_company_id_fk", ["company_id"], "companies", ["id"], (fk) => fk.onDelete("cascade")),
      );
      // The re-check reads a company's open rows oldest-checked first.
      await db.schema
        .createIndex("zero_amount_documents_recheck_idx")
        .ifNotExists()
        .on("zero_amount_documents")
        .columns(["company_id", "status", "last_checked_at", "id"])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      // Dropping the table drops its indexes on all three databases.
      await db.schema.dropTable("zero_amount_documents").ifExists().execute();
    },
  };
}
