import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDemoApiClient } from "../../../src/demo/demo-api-client.js";
import { startDemo, type DemoHandle } from "../../../src/demo/run-demo.js";
import { CLI, tempDir } from "../../helpers/cli.js";

/**
 * The demo end to end on the built CLI: sandboxes, `devsync serve` as a child process on
 * SQLite, admin, companies, the real OAuth flow, schedules, a first sync, and a clean stop.
 */
describe("devsync demo", () => {
  let demo: DemoHandle | undefined;
  afterAll(async () => {
    await demo?.stop();
  });

  it("sets up three connected companies with the four example schedules, runs a first sync and stops everything", async () => {
    const lines: string[] = [];
    const dataDir = join(tempDir("devsync-demo-"), "demo");
    demo = await startDemo({ dataDir, port: 0, sandboxPort: 0, documents: 90, cliPath: CLI, progress: (l) => lines.push(l), firstSyncTimeoutMs: 120_000 });

    expect(existsSync(join(dataDir, "devsync.db"))).toBe(true);
    expect(demo.admin.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // The printed login works.
    const fresh = createDemoApiClient(demo.dashboardUrl.replace(/\/$/, ""));
    const login = await fresh.call<{ user: { email: string; role: string } }>("POST", "/api/auth/login", { email: demo.admin.email, password: demo.admin.password });
    expect(login.user).toMatchObject({ email: demo.admin.email, role: "admin" });

    expect(demo.companies).toHaveLength(3);
    for (const company of demo.companies) {
      expect(company.documents).toBe(30);
      const connection = await demo.api.call("GET", `/api/companies/${company.id}/qbo`);
      expect(connection.status).toBe("connected");
      const schedules = await demo.api.call<{ items?: unknown[] } | unknown[]>("GET", `/api/companies/${company.id}/schedules`);
      const list = (Array.isArray(schedules) ? schedules : (schedules.items ?? [])) as { job_type: string; frequency: string; hour_of_day: number; day_of_week: number | null; day_of_month: number | null; date_range_days: number; enabled: boolean }[];
      expect(list.map((s) => [s.job_type, s.frequency, s.date_range_days]).sort()).toEqual(
        [["bills", "weekly", 7], ["full", "daily", 30], ["full", "monthly", 60], ["sales", "hourly", 1]].sort(),
      );
      expect(list.find((s) => s.frequency === "weekly")).toMatchObject({ day_of_week: 1, hour_of_day: 8 });
      expect(list.find((s) => s.frequency === "monthly")).toMatchObject({ day_of_month: 1, hour_of_day: 6 });

      // The first run is reported exactly as the API has it: never a made-up result.
      expect(company.firstRun).not.toBeNull();
      const run = await demo.api.call("GET", `/api/runs/${company.firstRun!.id}`);
      expect(run.status).toBe(company.firstRun!.status);
      // Finished is not correct: every first sync succeeds with nothing failed, and the books balance.
      expect(run.status, `${run.error_code}: ${run.error_message} ${JSON.stringify(run.summary)}`).toBe("succeeded");
      expect(run.summary.sales.failed + run.summary.bills.failed).toBe(0);
      expect(run.summary.sales.created + run.summary.bills.created).toBeGreaterThan(0);
      expect(company.books?.balanced, JSON.stringify(company.books)).toBe(true);
      expect(company.books!.currencies.reduce((n, c) => n + c.qboCount, 0)).toBe(run.summary.sales.created + run.summary.bills.created);
      // The demo's QuickBooks companies have VAT on, as Albanian ones do: devsync chose inclusive mode itself.
      const settings = await demo.api.call<{ tax_mode: string; vat_tax_code_id: string | null }>("GET", `/api/companies/${company.id}`);
      expect(settings).toMatchObject({ tax_mode: "inclusive" });
      expect(settings.vat_tax_code_id).not.toBeNull();
    }
    expect(lines.join("\n")).toContain("QuickBooks connected (realm");

    const serve = demo.serve.child;
    await demo.stop();
    expect(serve.exitCode !== null || serve.signalCode !== null).toBe(true);
    await expect(fetch(`${demo.dashboardUrl}healthz`)).rejects.toThrow();
    await expect(fetch(demo.sandboxUrl)).rejects.toThrow();
    expect(readFileSync(demo.logFile, "utf8")).toContain("devsync is listening");
    // Secrets of the demo never reach devsync's log.
    expect(readFileSync(demo.logFile, "utf8")).not.toContain(demo.admin.password);
    demo = undefined;
  }, 240_000);

  it("refuses to wipe a directory the demo did not make", async () => {
    const dir = tempDir("devsync-not-demo-");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "precious.txt"), "keep me");
    await expect(startDemo({ dataDir: dir, port: 0, sandboxPort: 0, cliPath: CLI })).rejects.toThrow(/was not made by the demo/);
    expect(readFileSync(join(dir, "precious.txt"), "utf8")).toBe("keep me");
  });
});
