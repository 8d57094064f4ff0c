import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config.js";
import { loadSecretBox } from "../../../src/secrets/load-secret-box.js";
import { createDb, type DbHandle } from "../../../src/storage/db.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";
import { createCompany } from "../../../src/storage/repos/companies.js";
import { readDevposSecret, upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import { cleanEnv, databaseUrlOf, runCli, startCli, tempDir } from "../../helpers/cli.js";
import { createEmptyTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";

const PASSWORD = "Plaintext-Marker-7f3a9c-DevPos-Password";
const USERNAME = "visible-username-marker";
const now = new Date("2026-11-28T10:00:00.000Z");

function rawSqliteBytes(cwd: string): string {
  const base = join(cwd, "data", "devsync.db");
  return [base, `${base}-wal`].filter(existsSync).map((f) => readFileSync(f).toString("latin1")).join("");
}

describe("secrets on the embedded default", { timeout: 180_000 }, () => {
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  it("leaves no trace of a stored password in the raw database file, and rotates without stopping serve", async () => {
    const cwd = tempDir();
    const config = parseConfig({}, cwd);
    handle = createDb(config.database);
    await migrateToLatest(handle);
    const box = loadSecretBox(config).box;
    const company = await createCompany(handle.db, { code: "K12345678A", name: "Demo SHPK" }, now);
    await upsertDevposCredentials(handle.db, box, company.id, { tenant: "K12345678A", username: USERNAME, password: PASSWORD }, now);
    await handle.destroy();
    handle = undefined;

    const raw = rawSqliteBytes(cwd);
    expect(raw).toContain(USERNAME); // the scan sees plain columns, so the next line means something
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain(Buffer.from(PASSWORD).toString("base64"));

    const env = cleanEnv({ LOG_LEVEL: "info" });
    const server = await startCli(["serve", "--port", "0"], { cwd, env }, (l) => l.msg === "devsync is listening");
    try {
      const before = await runCli(["secrets", "status"], { cwd, env });
      const firstKey = /current key: (\w+)/.exec(before.stdout)?.[1];
      expect(firstKey).toBeTruthy();

      const rotated = await runCli(["secrets", "rotate"], { cwd, env });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(/re-encrypted 1\b/);
      expect(rotated.stdout).toContain("every stored secret now uses the current key");

      const after = await runCli(["secrets", "status"], { cwd, env });
      const secondKey = /current key: (\w+)/.exec(after.stdout)?.[1];
      expect(secondKey).not.toBe(firstKey);
      expect(after.stdout).toContain(`${secondKey}: 1 secret(s) (current)`);
      expect(after.stdout).not.toContain(`${firstKey}:`);

      const health = await fetch(`${String(server.line.address)}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      expect((await server.exited).code).toBe(0);
    }

    handle = createDb(config.database);
    const reread = await readDevposSecret(handle.db, loadSecretBox(config).box, company.id);
    expect(reread?.password).toBe(PASSWORD);
    expect(rawSqliteBytes(cwd)).not.toContain(PASSWORD);
  });
});

for (const dialect of enabledDialects().filter((d) => d !== "sqlite")) {
  describe(`secrets rotate with DEVSYNC_SECRET_KEY [${dialect}]`, { timeout: 180_000 }, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.drop();
      database = undefined;
    });

    it("re-encrypts under the new key while the old one is listed as previous", async () => {
      database = await createEmptyTestDatabase(dialect);
      await migrateToLatest(database);
      const oldKey = Buffer.alloc(32, 1).toString("base64");
      const newKey = Buffer.alloc(32, 2).toString("base64");
      const url = databaseUrlOf(database.target);
      const oldBox = loadSecretBox(parseConfig({ DATABASE_URL: url, DEVSYNC_SECRET_KEY: oldKey })).box;
      const company = await createCompany(database.db, { code: "L91234567B", name: "Alba Trade SHPK" }, now);
      await upsertDevposCredentials(database.db, oldBox, company.id, { tenant: "L91234567B", username: "u", password: PASSWORD }, now);

      const stored = await database.db.selectFrom("devpos_credentials").select("password_enc").executeTakeFirstOrThrow();
      expect(stored.password_enc).not.toContain(PASSWORD);

      const env = cleanEnv({ DATABASE_URL: url, DEVSYNC_SECRET_KEY: newKey, DEVSYNC_SECRET_KEYS_PREVIOUS: oldKey, LOG_LEVEL: "warn" });
      const result = await runCli(["secrets", "rotate"], { cwd: tempDir(), env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/re-encrypted 1\b/);

      const newOnly = loadSecretBox(parseConfig({ DATABASE_URL: url, DEVSYNC_SECRET_KEY: newKey })).box;
      expect((await readDevposSecret(database.db, newOnly, company.id))?.password).toBe(PASSWORD);
    });
  });
}
