import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createTestDatabase, enabledDialects } from "../../helpers/test-db.js";

describe("test databases", () => {
  it("covers every database CI asks for", () => {
    const expected = process.env.DEVSYNC_TEST_REQUIRE_ALL_DATABASES === "1" ? ["sqlite", "postgres", "mysql"] : ["sqlite"];
    expect(enabledDialects()).toEqual(expect.arrayContaining(expected));
  });

  for (const dialect of enabledDialects()) {
    it(`reaches a real ${dialect} server and reports its version`, async () => {
      const database = await createTestDatabase(dialect);
      try {
        const query =
          dialect === "sqlite" ? sql<{ v: string }>`select sqlite_version() as v` : sql<{ v: string }>`select version() as v`;
        const version = (await query.execute(database.db)).rows[0]?.v ?? "";
        console.log(`${dialect} server version: ${version}`);
        expect(version).toMatch(dialect === "postgres" ? /PostgreSQL/ : dialect === "mysql" ? /MariaDB/ : /^3\./);
      } finally {
        await database.drop();
      }
    });
  }
});
