import { Migrator, sql, type Kysely } from "kysely";
import type { DbHandle } from "./db.js";
import { createMigrationProvider } from "./migrations/index.js";

export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";
  constructor(readonly unknownMigrations: string[], readonly latestKnown: string | undefined) {
    super(
      `The database schema is newer than this devsync build: it has migration(s) ${unknownMigrations.join(", ")} ` +
        `that this version does not know (its latest is ${latestKnown ?? "none"}). ` +
        `Upgrade devsync to the version that migrated this database, or point DATABASE_URL at another database.`,
    );
  }
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  unknown: string[];
}

export async function migrationStatus(handle: DbHandle): Promise<MigrationStatus> {
  const known = Object.keys(await createMigrationProvider(handle.dialect).getMigrations()).sort();
  const executed = await executedMigrations(handle.db);
  return {
    applied: known.filter((name) => executed.includes(name)),
    pending: known.filter((name) => !executed.includes(name)),
    unknown: executed.filter((name) => !known.includes(name)),
  };
}

/**
 * Applies pending migrations; a no-op when the schema is current. Safe to call from several
 * processes at once: Kysely's Migrator takes a database lock (advisory lock on PostgreSQL,
 * GET_LOCK on MariaDB, the write lock on SQLite). Refuses to touch a schema newer than the code.
 */
export async function migrateToLatest(handle: DbHandle): Promise<{ applied: string[] }> {
  // A concurrent start can make one attempt fail without anything being wrong: on SQLite the
  // loser of the race for the write lock gets SQLITE_BUSY (Kysely takes no lock there and its
  // transaction begins deferred); on PostgreSQL another schema may vanish mid-listing (3F000).
  // Each attempt is one transaction per migration, so a failed one left nothing behind: look
  // again, and either the winner has finished (nothing to do) or this process migrates.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(handle);
    } catch (error) {
      if (attempt >= 20 || !isConcurrencyError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
    }
  }
}

async function migrateOnce(handle: DbHandle): Promise<{ applied: string[] }> {
  const status = await migrationStatus(handle);
  if (status.unknown.length > 0) throw new SchemaTooNewError(status.unknown, status.applied.at(-1) ?? status.pending.at(-1));
  if (status.pending.length === 0) return { applied: [] };
  // Kysely decides whether its lock table exists by listing the tables of EVERY schema; on a
  // PostgreSQL server with other devsync schemas (tests, benches) it then skips creating its
  // own and fails. Naming our schema makes the check look only here.
  const migrationTableSchema = handle.dialect === "postgres" ? await currentSchema(handle.db) : undefined;
  const migrator = new Migrator({ db: handle.db, provider: createMigrationProvider(handle.dialect), ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    // The loser of a concurrent start rolled back completely; if the winner left nothing
    // pending, the loser has nothing to do.
    const after = await migrationStatus(handle);
    if (after.pending.length === 0 && after.unknown.length === 0) return { applied: [] };
    throw error instanceof Error ? error : new Error(String(error));
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/** Failures another process's concurrent migration can cause, worth one more look. */
function isConcurrencyError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === "string" ? e.message : "";
  return (
    (typeof e.code === "string" && e.code.startsWith("SQLITE_BUSY")) ||
    message.includes("database is locked") ||
    e.code === "3F000" || // PostgreSQL: a schema dropped while Kysely listed tables
    e.code === "42P07" || // PostgreSQL: relation already exists (created by the winner)
    message.includes("already exists")
  );
}

async function currentSchema(db: Kysely<any>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

async function executedMigrations(db: Kysely<any>): Promise<string[]> {
  // Introspection would list other schemas' tables on PostgreSQL, so ask for the table that
  // the connection actually resolves and treat "no such table" as a fresh database.
  try {
    const rows = await db.selectFrom("kysely_migration").select("name").execute();
    return rows.map((r: { name: string }) => r.name).sort();
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

function isMissingTable(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown };
  return (
    e.code === "42P01" || // PostgreSQL undefined_table
    e.errno === 1146 || // MariaDB ER_NO_SUCH_TABLE
    (typeof e.message === "string" && e.message.includes("no such table")) // SQLite
  );
}
