import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { cleanEnv, databaseUrlOf, runCli, startCli, tempDir } from "../../helpers/cli.js";
import { createEmptyTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";

const listening = (line: Record<string, unknown>) => line.msg === "devsync is listening";
const TEST_KEY = Buffer.alloc(32, 9).toString("base64");

describe("devsync serve on the embedded default", { timeout: 180_000 }, () => {
  it("starts with no configuration, answers /healthz and stops cleanly on SIGTERM", async () => {
    const cwd = tempDir();
    const server = await startCli(["serve", "--port", "0"], { cwd, env: cleanEnv() }, listening);
    const address = String(server.line.address);
    const response = await fetch(`${address}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", db: "sqlite" });
    expect(server.output().stderr).toContain("devsync users add --admin");

    server.child.kill("SIGTERM");
    const result = await server.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"msg":"stopped"');

    const dbFile = join(cwd, "data", "devsync.db");
    expect(existsSync(dbFile)).toBe(true);
    expect(statSync(join(cwd, "data", "secret.key")).mode & 0o777).toBe(0o600);
    const sqlite = new SqliteDatabase(dbFile, { readonly: true });
    try {
      expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      sqlite.close();
    }
  });

  it("stops on SIGINT (Ctrl-C) too, and a second start is a no-op migration", async () => {
    const cwd = tempDir();
    const first = await startCli(["serve", "--port", "0"], { cwd, env: cleanEnv({ LOG_LEVEL: "debug" }) }, listening);
    expect(first.output().stdout).toContain("database migrated");
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(0);
    const second = await startCli(["serve", "--port", "0"], { cwd, env: cleanEnv({ LOG_LEVEL: "debug" }) }, listening);
    expect(second.output().stdout).not.toContain("database migrated");
    second.child.kill("SIGINT");
    expect((await second.exited).code).toBe(0);
  });

  it("honours PORT from a .env file", async () => {
    const cwd = tempDir();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(cwd, ".env"), "LOG_LEVEL=silent\nPORT=not-a-port\n");
    const result = await runCli(["serve"], { cwd, env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("configuration error: PORT: must be an integer");
  });

  it("exits with a message naming a bad variable", async () => {
    const result = await runCli(["serve"], { cwd: tempDir(), env: cleanEnv({ LOG_LEVEL: "chatty" }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^devsync: configuration error: LOG_LEVEL: must be one of/);
  });

  it("prints help for every command", async () => {
    for (const args of [["--help"], ["serve", "--help"], ["migrate", "--help"], ["companies", "--help"], ["companies", "add", "--help"], ["companies", "list", "--help"], ["users", "--help"], ["users", "add", "--help"], ["secrets", "rotate", "--help"], ["sandbox", "--help"]]) {
      const result = await runCli(args, { cwd: tempDir(), env: cleanEnv() });
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stdout, args.join(" ")).toMatch(/^Usage: devsync/);
    }
  });
});

for (const dialect of enabledDialects()) {
  describe(`devsync serve and migrate [${dialect}]`, { timeout: 180_000 }, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.drop();
      database = undefined;
    });

    it("migrates an empty database from three processes at once, then serves", async () => {
      database = await createEmptyTestDatabase(dialect);
      const env = cleanEnv({ DATABASE_URL: databaseUrlOf(database.target), DEVSYNC_SECRET_KEY: TEST_KEY, LOG_LEVEL: "warn" });
      const cwd = tempDir();
      const results = await Promise.all([1, 2, 3].map(() => runCli(["migrate"], { cwd, env })));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      for (const result of results) expect(result.stdout).toContain("pending: none");

      const server = await startCli(["serve", "--port", "0"], { cwd, env: { ...env, LOG_LEVEL: "info" } }, listening);
      const response = await fetch(`${String(server.line.address)}/healthz`);
      expect(await response.json()).toEqual({ status: "ok", db: dialect });
      server.child.kill("SIGTERM");
      expect((await server.exited).code).toBe(0);
    });

    it("refuses to start when the schema is newer than the code", async () => {
      database = await createEmptyTestDatabase(dialect);
      const env = cleanEnv({ DATABASE_URL: databaseUrlOf(database.target), DEVSYNC_SECRET_KEY: TEST_KEY, LOG_LEVEL: "warn" });
      const cwd = tempDir();
      expect((await runCli(["migrate"], { cwd, env })).code).toBe(0);
      await database.db
        .insertInto("kysely_migration" as any)
        .values({ name: "9999-from-the-future", timestamp: new Date().toISOString() })
        .execute();
      const result = await runCli(["serve", "--port", "0"], { cwd, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("The database schema is newer than this devsync build");
    });
  });
}
