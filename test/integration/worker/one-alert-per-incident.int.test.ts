import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.js";
import { createAlerter, type Alerter } from "../../../src/notify/alerter.js";
import { createWebhookSender } from "../../../src/notify/webhook-sender.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { sandboxUrls } from "../../../src/sandbox/server.js";
import { getQboConnection, readQboTokens } from "../../../src/storage/repos/qbo-connections.js";
import { enqueueRun, getRun } from "../../../src/storage/repos/sync-runs.js";
import { createSyncConnectors } from "../../../src/sync/connectors.js";
import { createSyncExecutor } from "../../../src/sync/executor.js";
import { createWorker } from "../../../src/worker/worker.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { newSecretBox, qboOptionsFor, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, silentLogger } from "../connectors/harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "../notify/receivers.js";
import { createSyncWorld, seedDocuments, startSandbox, type SyncWorld } from "../sync/harness.js";

/**
 * Issue 14 item 3: after QuickBooks refuses a company's grant, later runs fail as "QuickBooks
 * needs reconnecting" and alert nobody again; a worker with the wrong secret key fails a run
 * once with a clear reason, never as internal_error or in a retry loop.
 */

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 16 });
}, 120_000);
afterAll(async () => {
  await sandbox?.close();
});

describeEachDatabase("one alert per incident", (current) => {
  let hook: WebhookReceiver;
  let alerter: Alerter | undefined;
  beforeEach(async () => {
    hook = await startWebhookReceiver();
  });
  afterEach(async () => {
    await alerter?.close();
    alerter = undefined;
    await hook.close();
  });

  function alerterFor(world: SyncWorld): Alerter {
    alerter = createAlerter({
      db: current().db,
      box: world.box,
      clock: systemClock,
      logger: silentLogger,
      alerts: { smtpUrl: undefined, emailFrom: "devsync@example.com", emailTo: [], webhookUrl: hook.url, webhookSecret: "whsec-test-14", },
      webhook: createWebhookSender({ sleep: async () => {}, timeoutMs: 2000, now: () => new Date() }),
    });
    return alerter;
  }

  const queue = (world: SyncWorld, jobType: "sales" | "bills") =>
    enqueueRun(current().db, { companyId: world.company.id, trigger: "manual", jobType, windowFrom: "2025-03-01", windowTo: "2025-03-31", now: new Date() });

  it("after qbo.reauth_required, later runs fail as 'QuickBooks needs reconnecting' and send nothing new", async () => {
    const world = await createSyncWorld(sandbox, current().db);
    seedDocuments(world, { count: 5, parties: 2, seed: 4 });
    const alerts = alerterFor(world);
    const detach = alerts.attach(world.qboWorld.connector.events);
    const worker = createWorker({ db: current().db, logger: silentLogger, executor: createSyncExecutor({ db: current().db, connectors: world.connectors }), onRunFinished: alerts.onRunResult });

    // The user revokes devsync's access in QuickBooks; the next refresh meets invalid_grant.
    const stored = (await readQboTokens(current().db, world.box, world.company.id))!;
    const revoked = await fetch(sandboxUrls(sandbox.url).qboRevokeUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString("base64")}` },
      body: JSON.stringify({ token: stored.tokens!.refreshToken }),
    });
    expect(revoked.status).toBe(200);

    const results = [];
    for (const jobType of ["sales", "bills", "sales", "bills"] as const) {
      await queue(world, jobType);
      results.push(...(await worker.drain()));
    }
    await alerts.idle();
    detach();

    expect((await getQboConnection(current().db, world.company.id))!.status).toBe("reauth_required");
    expect(results.map((r) => [r.status, r.errorCode])).toEqual(Array.from({ length: 4 }, () => ["failed", "qbo_reauth_required"]));
    for (const r of results.slice(1)) expect((await getRun(current().db, r.run.id))!.errorMessage).toMatch(/^QuickBooks needs reconnecting/);
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["qbo.reauth_required"]);
  }, 120_000);

  it("a worker whose secret key cannot decrypt the company's secrets fails the run once as 'wrong secret key', not internal_error", async () => {
    const world = await createSyncWorld(sandbox, current().db);
    const alerts = alerterFor(world);
    // Same database, another key: what a worker started with the wrong DEVSYNC_SECRET_KEY has.
    const wrongBox = newSecretBox();
    const connectors = createSyncConnectors(
      { db: current().db, box: wrongBox, clock: systemClock, logger: silentLogger },
      { qbo: qboOptionsFor(sandbox), devpos: { baseUrl: sandboxUrls(sandbox.url).devposBase } },
    );
    const worker = createWorker({ db: current().db, logger: silentLogger, executor: createSyncExecutor({ db: current().db, connectors }), onRunFinished: alerts.onRunResult });

    const first = await queue(world, "sales");
    const results = await worker.drain();
    await queue(world, "sales");
    results.push(...(await worker.drain()));
    await alerts.idle();

    expect(results.map((r) => [r.status, r.errorCode])).toEqual([
      ["failed", "secret_key_mismatch"],
      ["failed", "secret_key_mismatch"],
    ]);
    const run = (await getRun(current().db, first.id))!;
    expect(run.status).toBe("failed");
    expect(run.attempt).toBe(1);
    expect(run.errorMessage).toMatch(/^wrong secret key: .*DEVSYNC_SECRET_KEY/);
    // One incident, one alert, however many runs meet the same wrong key.
    expect(hook.hooks).toHaveLength(1);
    expect(hook.hooks[0]!.json.event).toBe("run.failed");
  }, 120_000);
});
