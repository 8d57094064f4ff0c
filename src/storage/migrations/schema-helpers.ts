import { sql, type CreateTableBuilder, type Kysely } from "kysely";

export type SchemaDialect = "sqlite" | "postgres" | "mysql";

type TableBuild = (table: CreateTableBuilder<string, "id">) => CreateTableBuilder<string, any>;

/**
 * Returns `t(name, build)`: creates a table with the dialect's auto-increment integer `id`
 * primary key, then the columns `build` adds. On MariaDB the table is InnoDB with a binary
 * collation, so string comparison and unique keys are case- and accent-sensitive exactly as
 * on SQLite and PostgreSQL (code normalises what should be case-insensitive, like emails).
 */
export function createTableFor(db: Kysely<any>, dialect: SchemaDialect) {
  return async (name: string, build: TableBuild): Promise<void> => {
    let table = db.schema.createTable(name).addColumn("id", "integer", (col) => {
      switch (dialect) {
        case "postgres":
          return col.primaryKey().generatedByDefaultAsIdentity();
        case "mysql":
          return col.primaryKey().autoIncrement();
        case "sqlite":
          // AUTOINCREMENT: ids of deleted rows are never reused, so an old reference
          // (a run id in a log line) can never point at a different row.
          return col.primaryKey().autoIncrement();
      }
    });
    table = build(table);
    if (dialect === "mysql") {
      table = table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`);
    }
    await table.execute();
  };
}
