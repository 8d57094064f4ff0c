import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, MysqlAdapter, MysqlDialect, PostgresAdapter, PostgresDialect, SqliteAdapter, SqliteDialect } from "kysely";
import { createPool } from "mysql2";
import pg from "pg";
import type { SchemaDialect } from "./migrations/schema-helpers.js";
import type { Database } from "./schema.js";

export type DbDialect = SchemaDialect;

export type DatabaseTarget =
  | { dialect: "sqlite"; file: string }
  | { dialect: "postgres"; url: string }
  | { dialect: "mysql"; url: string };

export interface CreateDbOptions {
  poolSize?: number;
  /** PostgreSQL only: schema to use as search_path (tests isolate themselves this way). */
  pgSchema?: string;
}

export interface DbHandle {
  db: Kysely<Database>;
  dialect: DbDialect;
  destroy(): Promise<void>;
}

/** Opens the database named by `target`. Does not migrate (see migrate.ts). */
export function createDb(target: DatabaseTarget, options: CreateDbOptions = {}): DbHandle {
  const poolSize = options.poolSize ?? 10;
  let db: Kysely<Database>;
  switch (target.dialect) {
    case "sqlite": {
      if (target.file !== ":memory:") createPrivateFile(target.file);
      const sqlite = new SqliteDatabase(target.file);
      // WAL lets readers run beside the single writer; busy_timeout makes a second process
      // (run-due beside serve) wait for the write lock instead of failing at once.
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma("busy_timeout = 10000");
      sqlite.pragma("synchronous = NORMAL");
      db = new Kysely<Database>({ dialect: new TransactionalDdlSqliteDialect({ database: sqlite }) });
      break;
    }
    case "postgres": {
      const pool = new pg.Pool({
        connectionString: target.url,
        max: poolSize,
        ...(options.pgSchema ? { options: `-c search_path=${quoteIdent(options.pgSchema)}` } : {}),
      });
      // An idle client that loses its connection must not crash the process.
      pool.on("error", () => {});
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      break;
    }
    case "mysql": {
      const pool = createPool({
        uri: target.url,
        connectionLimit: poolSize,
        // We store instants as ISO strings; keep the driver from converting anything.
        dateStrings: true,
        timezone: "Z",
        supportBigNumbers: true,
        bigNumberStrings: false,
      });
      db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      break;
    }
  }
  return { db, dialect: target.dialect, destroy: () => db.destroy() };
}

/**
 * The SQLite file holds every company's data and sealed credentials: its folder is created
 * 0700 and the file 0600 before SQLite opens it, whatever the umask. SQLite gives the -wal and
 * -shm files it creates beside it the database file's permissions. Existing files and folders
 * keep the permissions an operator gave them.
 */
export function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** The dialect behind a Kysely handle or transaction, for the few queries that differ. */
export function dialectOf(db: Kysely<any>): DbDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return "postgres";
  if (adapter instanceof MysqlAdapter) return "mysql";
  return "sqlite";
}

/**
 * SQLite's DDL is transactional, but Kysely's adapter says otherwise, so its Migrator would run
 * each statement on its own: a crash or a second process mid-migration would leave half a
 * schema. Declaring it lets each migration commit or roll back whole.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
