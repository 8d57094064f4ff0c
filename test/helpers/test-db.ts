import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, PostgresDialect, MysqlDialect, sql } from "kysely";
import { createPool } from "mysql2";
import pg from "pg";
import { afterEach, beforeEach, describe } from "vitest";
import { createDb, type DbDialect, type DbHandle } from "../../src/storage/db.js";
import { migrateToLatest } from "../../src/storage/migrate.js";

/**
 * The integration suite runs once per database: SQLite always, PostgreSQL and MariaDB when
 * DEVSYNC_TEST_POSTGRES_URL / DEVSYNC_TEST_MYSQL_URL are set (.ci/run sets both). Every test
 * gets its own SQLite file, PostgreSQL schema or MariaDB database, dropped afterwards.
 */
export interface TestDatabase extends DbHandle {
  /** For tests that open a second handle on the same database (other "processes"). */
  target: TestTarget;
  drop(): Promise<void>;
}

export type TestTarget =
  | { dialect: "sqlite"; file: string }
  | { dialect: "postgres"; url: string; schema: string }
  | { dialect: "mysql"; url: string };

export function enabledDialects(env: NodeJS.ProcessEnv = process.env): DbDialect[] {
  const dialects: DbDialect[] = ["sqlite"];
  if (env.DEVSYNC_TEST_POSTGRES_URL) dialects.push("postgres");
  if (env.DEVSYNC_TEST_MYSQL_URL) dialects.push("mysql");
  return dialects;
}

export function openTarget(target: TestTarget, poolSize = 10): DbHandle {
  if (target.dialect === "postgres") return createDb({ dialect: "postgres", url: target.url }, { pgSchema: target.schema, poolSize });
  return createDb(target, { poolSize });
}

/** Creates an empty, isolated database of the given dialect (not migrated). */
export async function createEmptyTestDatabase(dialect: DbDialect): Promise<TestDatabase> {
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  switch (dialect) {
    case "sqlite": {
      const dir = mkdtempSync(join(tmpdir(), "devsync-test-"));
      const target: TestTarget = { dialect: "sqlite", file: join(dir, "test.db") };
      const handle = openTarget(target);
      return { ...handle, target, drop: async () => { await handle.destroy(); rmSync(dir, { recursive: true, force: true }); } };
    }
    case "postgres": {
      const url = requireEnv("DEVSYNC_TEST_POSTGRES_URL");
      await adminPostgres(url, sql`create schema ${sql.id(name)}`);
      const target: TestTarget = { dialect: "postgres", url, schema: name };
      const handle = openTarget(target);
      return {
        ...handle,
        target,
        drop: async () => {
          await handle.destroy();
          await adminPostgres(url, sql`drop schema if exists ${sql.id(name)} cascade`);
        },
      };
    }
    case "mysql": {
      const url = requireEnv("DEVSYNC_TEST_MYSQL_URL");
      await adminMysql(url, sql`create database ${sql.id(name)} character set utf8mb4 collate utf8mb4_bin`);
      const dbUrl = new URL(url);
      dbUrl.pathname = `/${name}`;
      const target: TestTarget = { dialect: "mysql", url: dbUrl.toString() };
      const handle = openTarget(target);
      return {
        ...handle,
        target,
        drop: async () => {
          await handle.destroy();
          await adminMysql(url, sql`drop database if exists ${sql.id(name)}`);
        },
      };
    }
  }
}

export async function createTestDatabase(dialect: DbDialect): Promise<TestDatabase> {
  const database = await createEmptyTestDatabase(dialect);
  await migrateToLatest(database);
  return database;
}

/**
 * `describe` once per enabled database; `current()` returns the migrated database of the
 * running test.
 */
export function describeEachDatabase(title: string, body: (current: () => TestDatabase, dialect: DbDialect) => void): void {
  for (const dialect of enabledDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeEach(async () => {
        database = await createTestDatabase(dialect);
      });
      afterEach(async () => {
        await database?.drop();
        database = undefined;
      });
      body(() => {
        if (!database) throw new Error("no test database: call current() inside a test");
        return database;
      }, dialect);
    });
  }
}

async function adminPostgres(url: string, statement: ReturnType<typeof sql>): Promise<void> {
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    await statement.execute(db);
  } finally {
    await db.destroy();
  }
}

async function adminMysql(url: string, statement: ReturnType<typeof sql>): Promise<void> {
  const db = new Kysely<any>({ dialect: new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 1 }) }) });
  try {
    await statement.execute(db);
  } finally {
    await db.destroy();
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
