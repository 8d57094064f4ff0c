import { sql, type Kysely } from "kysely";
import type { SchemaDialect } from "./schema-helpers.js";

const COLUMNS = [
  // Who set tax_mode / vat_tax_code_id / vat_rate_codes: 'default' (never touched), 'detected'
  // (devsync chose from the QuickBooks company's settings) or 'user' (a person chose; a
  // re-check then only overwrites when asked to).
  { name: "tax_settings_source", type: "varchar(16)", notNullDefault: "default" },
  // JSON: the realm profile read from QuickBooks plus the defaults chosen from it, reasons and
  // warnings (storage/repos/company-realm-check.ts), shown on the settings page before any sync.
  { name: "qbo_realm_check", type: "text" },
  { name: "qbo_realm_checked_at", type: "varchar(30)" },
] as const;

/**
 * Columns for the detected QuickBooks settings on `companies`. Each column is added only when
 * missing and dropped only when present, so a run that stopped half-way on MariaDB (whose DDL
 * commits on its own) can simply run again, in either direction.
 */
export function createCompanyRealmCheckMigration(dialect: SchemaDialect) {
  // Not Kysely's introspection: on PostgreSQL it lists every schema's tables, and tests and
  // benches keep many devsync schemas on one server.
  const columnsOf = async (db: Kysely<any>): Promise<Set<string>> => {
    const query =
      dialect === "sqlite"
        ? sql<{ column_name: string }>`select name as column_name from pragma_table_info('companies')`
        : dialect === "postgres"
          ? sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'companies'`
          : sql<{ column_name: string }>`select column_name as column_name from information_schema.columns where table_schema = database() and table_name = 'companies'`;
    const { rows } = await query.execute(db);
    return new Set(rows.map((r) => r.column_name));
  };
  return {
    async up(db: Kysely<any>): Promise<void> {
      const existing = await columnsOf(db);
      for (const column of COLUMNS) {
        if (existing.has(column.name)) continue;
        await db.schema
          .alterTable("companies")
          .addColumn(column.name, column.type, (col) => ("notNullDefault" in column ? col.notNull().defaultTo(column.notNullDefault) : col))
          .execute();
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      const existing = await columnsOf(db);
      for (const column of [...COLUMNS].reverse()) {
        if (existing.has(column.name)) await db.schema.alterTable("companies").dropColumn(column.name).execute();
      }
    },
  };
}
