import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.js";
import { registerDashboard } from "../../src/api/routes/dashboard.js";
import { createLogger } from "../../src/logger.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { createEmptyTestDatabase, type TestDatabase } from "../helpers/test-db.js";

/** How the API serves the built dashboard: files, SPA fallback, cache headers, and what it leaves to the API. */
describe("registerDashboard", () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  let dist: string;

  beforeAll(async () => {
    database = await createEmptyTestDatabase("sqlite");
    await migrateToLatest(database);
    dist = mkdtempSync(join(tmpdir(), "devsync-ui-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>devsync</title><div id=root></div>");
    writeFileSync(join(dist, "assets", "index-AbC123xY.js"), "console.log(1)");
    writeFileSync(join(dist, ".secret"), "nope");
    const logger = createLogger({ level: "silent" });
    app = await createApp({ db: database, logger, docs: false });
    await registerDashboard(app, { distDir: dist });
    bare = await createApp({ db: database, logger, docs: false });
    await registerDashboard(bare, { distDir: join(dist, "missing") });
  });

  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await database?.drop();
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves index.html at / and for app addresses, never cached, allowing its OAuth popup", async () => {
    for (const url of ["/", "/companies/3/runs", "/runs/12?status=failed", "/admin/audit"]) {
      const response = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"]).toContain("text/html");
      expect(response.body).toContain('<div id=root>');
      expect(response.headers["cache-control"]).toBe("no-cache");
      expect(response.headers["cross-origin-opener-policy"]).toBe("same-origin-allow-popups");
    }
  });

  it("serves hashed assets with a year of caching and answers 404 for missing files", async () => {
    const asset = await app.inject({ method: "GET", url: "/assets/index-AbC123xY.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.body).toBe("console.log(1)");
    const missing = await app.inject({ method: "GET", url: "/assets/index-Old12345.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toContain("application/json");
  });

  it("leaves /api to the API and never serves dotfiles or paths outside the build", async () => {
    const api = await app.inject({ method: "GET", url: "/api/nothing-here" });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: expect.any(String) } });
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    for (const url of ["/.secret", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.body, url).not.toContain("nope");
      expect(response.body, url).not.toContain("root:");
    }
  });

  it("explains itself when the dashboard was not built", async () => {
    const response = await bare.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain("npm run build");
  });
});
