import type { Kysely } from "kysely";
import type { SchemaDialect } from "./schema-helpers.js";

/**
 * A create QuickBooks refused, or whose answer was lost or incomplete, keeps its `pending` link
 * (a fault in a batch answer does not prove nothing was created, docs/domain.md "Exactly once"),
 * and the link now remembers why:
 *
 * - input_hash: digest of the body last sent under request_id. The next attempt keeps the
 *   request id while the body is the same (a transient failure: QuickBooks may replay the
 *   original answer) and takes a new one once settings or content change it, or a person asks
 *   for a retry (input_hash cleared), so QuickBooks cannot replay an old refusal.
 * - last_error / last_error_at / failed_attempts: what the run page and the inbox show.
 *
 * Columns are added only when missing, so a migration that stopped half-way on MariaDB (whose
 * DDL commits on its own) can run again.
 */
const COLUMNS: [name: string, type: "varchar(64)" | "varchar(1000)" | "varchar(30)" | "integer"][] = [
  ["input_hash", "varchar(64)"],
  ["last_error", "varchar(1000)"],
  ["last_error_at", "varchar(30)"],
  ["failed_attempts", "integer"],
];

async function existingColumns(db: Kysely<any>): Promise<Set<string>> {
  const tables = await db.introspection.getTables();
  const table = tables.find((t) => t.name === "document_links");
  return new Set((table?.columns ?? []).map((c) => c.name));
}

export function createDocumentFailuresMigration(_dialect: SchemaDialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const have = await existingColumns(db);
      for (const [name, type] of COLUMNS) {
        if (have.has(name)) continue;
        await db.schema
          .alterTable("document_links")
          .addColumn(name, type, (col) => (name === "failed_attempts" ? col.notNull().defaultTo(0) : col))
          .execute();
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      const have = await existingColumns(db);
      for (const [name] of [...COLUMNS].reverse()) {
        if (have.has(name)) await db.schema.alterTable("document_links").dropColumn(name).execute();
      }
    },
  };
}
