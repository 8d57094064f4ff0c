import { afterAll, beforeAll, expect, it } from "vitest";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { sandboxUrls } from "../../../src/sandbox/server.js";
import { generateKeyBase64 } from "../../../src/secrets/keyring.js";
import { listRunEventsAfter } from "../../../src/storage/repos/run-log.js";
import { startForegroundRun } from "../../../src/storage/repos/sync-manual-runs.js";
import { getRun, listRuns } from "../../../src/storage/repos/sync-runs.js";
import { cleanEnv, databaseUrlOf, runCli, tempDir } from "../../helpers/cli.js";
import { describeEachDatabase, type TestTarget } from "../../helpers/test-db.js";
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from "../connectors/harness.js";
import { createSyncWorld, seedDocuments, startSandbox } from "../sync/harness.js";

/** Issue 14 item 2: a killed `devsync sync` must not lock its company for good. */

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 15 });
}, 120_000);
afterAll(async () => {
  await sandbox?.close();
});

function envFor(target: TestTarget, key: string): NodeJS.ProcessEnv {
  const urls = sandboxUrls(sandbox.url);
  return cleanEnv({
    DATABASE_URL: databaseUrlOf(target),
    DEVSYNC_SECRET_KEY: key,
    LOG_LEVEL: "warn",
    QBO_CLIENT_ID: SANDBOX_CLIENT_ID,
    QBO_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    QBO_ENVIRONMENT: "sandbox",
    QBO_TOKEN_URL: urls.qboTokenUrl,
    QBO_AUTHORIZE_URL: urls.qboAuthorizeUrl,
    QBO_REVOKE_URL: urls.qboRevokeUrl,
    QBO_API_BASE: urls.qboApiBase,
    DEVPOS_BASE_URL: urls.devposBase,
  });
}

const syncArgs = (code: string) => ["sync", "--company", code, "--from", "2025-03-01", "--to", "2025-03-31", "--json", "--no-progress"];

describeEachDatabase("devsync sync after a killed devsync sync", (current) => {
  it("takes over the run whose lease expired and syncs", async () => {
    const key = generateKeyBase64();
    const world = await createSyncWorld(sandbox, current().db, { keyBase64: key });
    seedDocuments(world, { count: 20, parties: 5, seed: 3 });
    // What a SIGKILLed `devsync sync` leaves behind: running, its 2 min lease long gone.
    const killedAt = new Date(Date.now() - 10 * 60_000);
    const dead = await startForegroundRun(current().db, { companyId: world.company.id, jobType: "full", windowFrom: "2025-03-01", windowTo: "2025-03-31", owner: "cli:host:1:dead00", leaseMs: 120_000, now: killedAt });

    const result = await runCli(syncArgs(world.company.code), { cwd: tempDir(), env: envFor(current().target, key) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("running already");
    expect(result.stderr).toContain(`run ${dead.id} of ${world.company.code} had stopped heartbeating`);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { runId: number; status: string };
    expect(summary.status).toBe("succeeded");
    expect(summary.runId).not.toBe(dead.id);

    const old = (await getRun(current().db, dead.id))!;
    expect(old.status).toBe("failed");
    expect(old.errorCode).toBe("lease_expired");
    expect((await listRunEventsAfter(current().db, dead.id)).map((e) => e.message).join("\n")).toContain("lease of worker cli:host:1:dead00 expired");
  }, 180_000);

  it("refuses while the run is really active, naming the run and how to see or cancel it", async () => {
    const key = generateKeyBase64();
    const world = await createSyncWorld(sandbox, current().db, { keyBase64: key });
    const active = await startForegroundRun(current().db, { companyId: world.company.id, jobType: "sales", windowFrom: "2025-03-01", windowTo: "2025-03-31", owner: "cli:host:2:live00", leaseMs: 120_000, now: new Date() });

    const env = envFor(current().target, key);
    const result = await runCli(syncArgs(world.company.code), { cwd: tempDir(), env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`company ${world.company.code} has run ${active.id} running`);
    expect(result.stderr).toContain(`devsync logs --run ${active.id}`);
    expect(result.stderr).toContain(`devsync runs cancel ${active.id}`);
    expect((await getRun(current().db, active.id))!.status).toBe("running");
    expect((await listRuns(current().db, { companyId: world.company.id })).items).toHaveLength(1);

    // The advice works: the cancel reaches the running run.
    const cancel = await runCli(["runs", "cancel", String(active.id)], { cwd: tempDir(), env });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`run ${active.id} is running: asked to stop`);
    expect((await getRun(current().db, active.id))!.cancelRequested).toBe(true);
    const again = await runCli(["runs", "cancel", "2147483647"], { cwd: tempDir(), env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no run with id 2147483647");
  }, 180_000);
});
