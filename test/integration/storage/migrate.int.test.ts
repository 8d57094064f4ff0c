import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest, migrationStatus, SchemaTooNewError } from "../../../src/storage/migrate.js";
import { createMigrationProvider } from "../../../src/storage/migrations/index.js";
import { createEmptyTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";

for (const dialect of enabledDialects()) {
  describe(`migrations [${dialect}]`, () => {
    const knownMigrations = async () => Object.keys(await createMigrationProvider(dialect).getMigrations()).sort();
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.drop();
    });

    it("apply on an empty database, then a second run is a no-op", async () => {
      database = await createEmptyTestDatabase(dialect);
      const first = await migrateToLatest(database);
      const all = await knownMigrations();
      expect(all[0]).toBe("0001-initial");
      expect(first.applied).toEqual(all);
      const second = await migrateToLatest(database);
      expect(second.applied).toEqual([]);
      expect(await migrationStatus(database)).toEqual({ applied: all, pending: [], unknown: [] });
      const companies = await database.db.selectFrom("companies").selectAll().execute();
      expect(companies).toEqual([]);
    });

    it("refuses a schema newer than the code", async () => {
      database = await createEmptyTestDatabase(dialect);
      await migrateToLatest(database);
      await database.db
        .insertInto("kysely_migration" as any)
        .values({ name: "9999-from-the-future", timestamp: new Date().toISOString() })
        .execute();
      const error = await migrateToLatest(database).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect((error as Error).message).toMatch(/newer than this devsync build.*9999-from-the-future/);
    });

    // SQLite is single-writer and better-sqlite3 blocks its thread while waiting for the lock,
    // so in-process handles would only deadlock each other; test/integration/cli covers SQLite
    // with three real processes instead.
    if (dialect !== "sqlite") it("runs concurrently from several handles without applying twice", async () => {
      database = await createEmptyTestDatabase(dialect);
      const { openTarget } = await import("../../helpers/test-db.js");
      const others = [openTarget(database.target), openTarget(database.target)];
      try {
        const results = await Promise.all([migrateToLatest(database), ...others.map((h) => migrateToLatest(h))]);
        expect(results.flatMap((r) => r.applied).sort()).toEqual(await knownMigrations());
      } finally {
        await Promise.all(others.map((h) => h.destroy()));
      }
      const rows = await sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(database.db);
      expect(Number(rows.rows[0]?.n)).toBe((await knownMigrations()).length);
    });
  });
}
