import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../../src/storage/migrate.js";
import { createCompanyRealmCheckMigration } from "../../../src/storage/migrations/0007-company-realm-check.js";
import { createCompany, getCompany } from "../../../src/storage/repos/companies.js";
import { createEmptyTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";

const NEW_COLUMNS = ["qbo_realm_check", "qbo_realm_checked_at", "tax_settings_source"];

for (const dialect of enabledDialects()) {
  describe(`migration 0007 company realm check [${dialect}]`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.drop();
    });

    /** Which of the new columns `companies` has, asked of the database itself. */
    async function present(db: TestDatabase): Promise<string[]> {
      const found: string[] = [];
      for (const column of NEW_COLUMNS) {
        // A failed statement would abort a PostgreSQL transaction; here none is open.
        const ok = await sql`select ${sql.ref(column)} from companies where 1 = 0`.execute(db.db).then(
          () => true,
          () => false,
        );
        if (ok) found.push(column);
      }
      return found;
    }

    it("down drops the columns, runs again after a half-run in either direction, and up restores them with their default", async () => {
      database = await createEmptyTestDatabase(dialect);
      await migrateToLatest(database);
      const migration = createCompanyRealmCheckMigration(dialect);
      const company = await createCompany(database.db, { code: "K12345678A", name: "Before" }, new Date());
      expect(await present(database)).toEqual(NEW_COLUMNS);

      await migration.down(database.db);
      expect(await present(database)).toEqual([]);
      await migration.down(database.db); // nothing left to drop: no error

      // A half-run up (as MariaDB leaves it when DDL stopped midway): one column already there.
      await database.db.schema.alterTable("companies").addColumn("qbo_realm_checked_at", "varchar(30)").execute();
      await migration.up(database.db);
      await migration.up(database.db);
      expect(await present(database)).toEqual(NEW_COLUMNS);
      expect(await getCompany(database.db, company.id)).toMatchObject({ name: "Before", taxSettingsSource: "default", realmCheck: null });
    });
  });
}
