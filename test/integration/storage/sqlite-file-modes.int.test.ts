import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureKeyFile } from "../../../src/secrets/key-file.js";
import { createDb } from "../../../src/storage/db.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The embedded database holds every company's data: only the service account may read it. */
describe("SQLite file permissions", () => {
  const dirs: string[] = [];
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the data dir 0700 and the database, WAL and shared-memory files 0600 under a permissive umask", async () => {
    const root = mkdtempSync(join(tmpdir(), "devsync-modes-"));
    dirs.push(root);
    process.umask(0o022);
    const dataDir = join(root, "data");
    const handle = createDb({ dialect: "sqlite", file: join(dataDir, "devsync.db") });
    try {
      await migrateToLatest(handle);
      expect(mode(dataDir)).toBe("700");
      expect(mode(join(dataDir, "devsync.db"))).toBe("600");
      expect(mode(join(dataDir, "devsync.db-wal"))).toBe("600");
      expect(mode(join(dataDir, "devsync.db-shm"))).toBe("600");
    } finally {
      await handle.destroy();
    }
  });

  it("creates the data dir 0700 when the secret key file is made first", () => {
    const root = mkdtempSync(join(tmpdir(), "devsync-modes-"));
    dirs.push(root);
    process.umask(0o022);
    ensureKeyFile(join(root, "data", "secret.key"));
    expect(mode(join(root, "data"))).toBe("700");
    expect(mode(join(root, "data", "secret.key"))).toBe("600");
  });
});
