import { afterEach, beforeEach, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.js";
import type { Config } from "../../../src/config.js";
import { createConnectionEvents } from "../../../src/connectors/qbo/connection-events.js";
import { createAlerter, type Alerter } from "../../../src/notify/alerter.js";
import { createWebhookSender } from "../../../src/notify/webhook-sender.js";
import { verifyWebhookSignature } from "../../../src/notify/webhook-signature.js";
import { RECONNECT_QUICKBOOKS } from "../../../src/domain/pause-reasons.js";
import { createNotificationChannel, listOpenIncidents } from "../../../src/storage/repos/notifications.js";
import type { RunResult } from "../../../src/worker/execute-run.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createTestBox, makeCompany, T0 } from "../storage/repo-fixtures.js";
import { capturingLogger, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "./receivers.js";

const WEBHOOK_SECRET = "whsec-test-4f1e9c0a7b";
const noSleep = async () => {};

describeEachDatabase("alerts", (current) => {
  let smtp: SmtpReceiver;
  let hook: WebhookReceiver;
  const alerters: Alerter[] = [];

  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver();
  });
  afterEach(async () => {
    for (const a of alerters.splice(0)) await a.close();
    await smtp.close();
    await hook.close();
  });

  function globalAlerts(overrides: Partial<Config["alerts"]> = {}): Config["alerts"] {
    return { smtpUrl: smtp.url, emailFrom: "devsync@example.com", emailTo: ["ops@example.com"], webhookUrl: hook.url, webhookSecret: WEBHOOK_SECRET, ...overrides };
  }

  function makeAlerter(options: { alerts?: Config["alerts"]; box?: ReturnType<typeof createTestBox>["box"]; logger?: ReturnType<typeof capturingLogger>["logger"] } = {}) {
    const clock = createManualClock(T0);
    const alerter = createAlerter({
      db: current().db,
      box: options.box ?? createTestBox().box,
      clock,
      logger: options.logger ?? capturingLogger().logger,
      alerts: options.alerts ?? globalAlerts(),
      publicUrl: "https://devsync.example.com",
      webhook: createWebhookSender({ sleep: noSleep, timeoutMs: 2000, now: () => clock.now() }),
    });
    alerters.push(alerter);
    return { alerter, clock };
  }

  it("sends one email and one signed webhook per failure incident, and one recovery notice", async () => {
    const company = await makeCompany(current().db, { name: "Alfa Trade" });
    const { alerter, clock } = makeAlerter();
    for (let i = 1; i <= 3; i++) {
      await alerter.runFinished({ runId: i, companyId: company.id, jobType: "sales", status: "failed", errorCode: "devpos_unavailable", errorMessage: "DevPos answered 503" });
      clock.advance(3_600_000);
    }
    await alerter.idle();
    expect(smtp.messages).toHaveLength(1);
    expect(hook.hooks).toHaveLength(1);

    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(["ops@example.com"]);
    expect(mail.from).toBe("devsync@example.com");
    expect(mail.subject).toContain("Alfa Trade");
    expect(mail.subject).toContain("sales sync failed");
    expect(mail.body).toContain("DevPos answered 503");
    expect(mail.body).toContain("https://devsync.example.com/runs/1");

    const delivered = hook.hooks[0]!;
    expect(verifyWebhookSignature(WEBHOOK_SECRET, delivered.raw, delivered.headers["x-devsync-signature"] as string)).toBe(true);
    expect(verifyWebhookSignature("another-secret-123", delivered.raw, delivered.headers["x-devsync-signature"] as string)).toBe(false);
    expect(delivered.headers["x-devsync-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Number(delivered.headers["x-devsync-timestamp"])).toBe(Math.floor(T0.getTime() / 1000));
    expect(delivered.headers["x-devsync-event"]).toBe("run.failed");
    expect(delivered.headers["content-type"]).toBe("application/json");
    expect(delivered.json).toMatchObject({
      event: "run.failed",
      state: "opened",
      severity: "critical",
      company: { id: company.id, name: "Alfa Trade" },
      details: { run_id: 1, job_type: "sales", error_code: "devpos_unavailable" },
      incident_key: `run.failed#${company.id}:sales`,
    });
    expect(delivered.headers["x-devsync-delivery"]).toBe(delivered.json.delivery_id);

    await alerter.runFinished({ runId: 4, companyId: company.id, jobType: "sales", status: "succeeded" });
    await alerter.runFinished({ runId: 5, companyId: company.id, jobType: "sales", status: "succeeded" });
    await alerter.idle();
    expect(smtp.messages).toHaveLength(2);
    expect(hook.hooks).toHaveLength(2);
    expect(smtp.messages[1]!.subject).toContain("syncs work again");
    expect(hook.hooks[1]!.json).toMatchObject({ event: "run.recovered", state: "resolved", details: { run_id: 4 } });
    expect(await listOpenIncidents(current().db)).toEqual([]);

    // A new failure after the recovery is a new incident: alerted again.
    await alerter.runFinished({ runId: 6, companyId: company.id, jobType: "sales", status: "failed", errorCode: "x", errorMessage: "again" });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["run.failed", "run.recovered", "run.failed"]);
  });

  it("reports a partial run with its failed count once, and takes the count from run items when the summary lacks it", async () => {
    const company = await makeCompany(current().db);
    const { alerter } = makeAlerter();
    const summary = { sales: { failed: 2 }, bills: { failed: 1 } };
    await alerter.runFinished({ runId: 10, companyId: company.id, jobType: "full", status: "partial", summary });
    await alerter.runFinished({ runId: 11, companyId: company.id, jobType: "full", status: "partial", summary });
    await alerter.idle();
    expect(hook.hooks).toHaveLength(1);
    expect(hook.hooks[0]!.json).toMatchObject({ event: "run.partial", severity: "warning", details: { failed_count: 3, run_id: 10 } });
    expect(smtp.messages[0]!.subject).toContain("3 documents failed to sync");

    await alerter.runFinished({ runId: 12, companyId: company.id, jobType: "full", status: "succeeded" });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["run.partial", "run.recovered"]);
  });

  it("one failure incident per company and job type; skipped and cancelled runs alert nobody", async () => {
    const a = await makeCompany(current().db);
    const b = await makeCompany(current().db);
    const { alerter } = makeAlerter();
    await Promise.all([
      alerter.runFinished({ runId: 1, companyId: a.id, jobType: "sales", status: "failed", errorMessage: "x" }),
      alerter.runFinished({ runId: 2, companyId: a.id, jobType: "bills", status: "failed", errorMessage: "x" }),
      alerter.runFinished({ runId: 3, companyId: b.id, jobType: "sales", status: "failed", errorMessage: "x" }),
      alerter.runFinished({ runId: 4, companyId: b.id, jobType: "sales", status: "cancelled" }),
      alerter.runFinished({ runId: 5, companyId: b.id, jobType: "sales", status: "skipped" }),
    ]);
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.incident_key).sort()).toEqual([`run.failed#${a.id}:bills`, `run.failed#${a.id}:sales`, `run.failed#${b.id}:sales`].sort());
  });

  it("never storms when several processes see the same failure at once", async () => {
    const company = await makeCompany(current().db);
    const processes = [makeAlerter().alerter, makeAlerter().alerter, makeAlerter().alerter];
    await Promise.all(
      processes.flatMap((alerter, p) =>
        [0, 1, 2].map((i) => alerter.runFinished({ runId: p * 10 + i, companyId: company.id, jobType: "sales", status: "failed", errorMessage: "boom" })),
      ),
    );
    for (const alerter of processes) await alerter.idle();
    expect(hook.hooks).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("alerts once on reconnect needed, says when it is reconnected, and does not add a run alert for the revoked grant", async () => {
    const company = await makeCompany(current().db, { name: "Beta Shpk" });
    const { alerter } = makeAlerter();
    const events = createConnectionEvents();
    const detach = alerter.attach(events);

    events.emit({ type: "reauth_required", companyId: company.id, reason: "invalid_grant" });
    events.emit({ type: "reauth_required", companyId: company.id, reason: "invalid_grant" });
    await alerter.runFinished({ runId: 1, companyId: company.id, jobType: "full", status: "failed", errorCode: "qbo_reauth_required", errorMessage: "grant revoked" });
    await alerter.schedulePaused({ companyId: company.id, reason: RECONNECT_QUICKBOOKS });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["qbo.reauth_required"]);
    expect(smtp.messages[0]!.subject).toContain("Beta Shpk");
    expect(smtp.messages[0]!.subject).toContain("reconnect QuickBooks");
    expect(smtp.messages[0]!.body).toContain("https://devsync.example.com/companies/");

    events.emit({ type: "connected", companyId: company.id, realmId: "9130", reconnected: true, resumedSchedules: 4 });
    await alerter.scheduleResumed({ companyId: company.id, reason: RECONNECT_QUICKBOOKS, resumed: 4 });
    await alerter.idle();
    events.emit({ type: "connected", companyId: company.id, realmId: "9130", reconnected: true, resumedSchedules: 0 });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["qbo.reauth_required", "qbo.reconnected"]);
    expect(hook.hooks[1]!.json.text).toContain("4 paused schedules resumed");
    detach();
  });

  it("warns once when the refresh token's hard expiry is under 30 days away", async () => {
    const company = await makeCompany(current().db);
    const { alerter } = makeAlerter();
    const hardExpiresAt = new Date(T0.getTime() + 12 * 86_400_000);
    for (let day = 0; day < 3; day++) {
      await alerter.connectionEvent({ type: "hard_expiry_near", companyId: company.id, realmId: "4620", hardExpiresAt, daysLeft: 12 - day });
    }
    await alerter.idle();
    expect(hook.hooks).toHaveLength(1);
    expect(hook.hooks[0]!.json).toMatchObject({ event: "qbo.hard_expiry_near", severity: "warning", details: { days_left: 12, hard_expires_at: hardExpiresAt.toISOString() } });
    expect(smtp.messages[0]!.subject).toContain("ends in 12 days");
  });

  it("alerts when schedules are paused for another reason and when they resume", async () => {
    const company = await makeCompany(current().db);
    const { alerter } = makeAlerter();
    await alerter.schedulePaused({ companyId: company.id, reason: "DevPos login refused", scheduleIds: [1, 2] });
    await alerter.schedulePaused({ companyId: company.id, reason: "DevPos login refused", scheduleIds: [1, 2] });
    await alerter.scheduleResumed({ companyId: company.id, resumed: 2 });
    await alerter.scheduleResumed({ companyId: company.id, resumed: 2 });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.event)).toEqual(["schedule.paused", "schedule.resumed"]);
    expect(hook.hooks[0]!.json.details).toMatchObject({ reason: "DevPos login refused", schedule_ids: [1, 2] });
  });

  it("routes to per-company channels by subscription, with the channel's own signing secret", async () => {
    const db = current().db;
    const { box } = createTestBox();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const other = await startWebhookReceiver();
    try {
      await createNotificationChannel(db, box, { companyId: a.id, kind: "webhook", target: other.url, secret: "company-a-secret-77", events: ["run.failed"], now: T0 });
      await createNotificationChannel(db, box, { companyId: a.id, kind: "email", target: "owner@alfa.al, accountant@firm.al", events: ["qbo.reauth_required"], now: T0 });
      await createNotificationChannel(db, box, { companyId: b.id, kind: "email", target: "b@beta.al", events: ["*"], enabled: false, now: T0 });
      // No global destinations: only the channels speak.
      const { alerter } = makeAlerter({ box, alerts: globalAlerts({ emailTo: [], webhookUrl: undefined, webhookSecret: undefined }) });

      await alerter.runFinished({ runId: 1, companyId: a.id, jobType: "sales", status: "failed", errorMessage: "x" });
      await alerter.runFinished({ runId: 2, companyId: b.id, jobType: "sales", status: "failed", errorMessage: "x" });
      await alerter.connectionEvent({ type: "reauth_required", companyId: a.id, reason: "invalid_grant" });
      await alerter.runFinished({ runId: 3, companyId: a.id, jobType: "sales", status: "succeeded" });
      await alerter.idle();

      expect(hook.hooks).toHaveLength(0);
      // run.failed then its recovery notice (a channel subscribed to a problem hears when it heals).
      expect(other.hooks.map((h) => h.json.event)).toEqual(["run.failed", "run.recovered"]);
      for (const h of other.hooks) expect(verifyWebhookSignature("company-a-secret-77", h.raw, h.headers["x-devsync-signature"] as string)).toBe(true);
      expect(other.hooks[0]!.json.company.id).toBe(a.id);
      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0]!.to.sort()).toEqual(["accountant@firm.al", "owner@alfa.al"]);
    } finally {
      await other.close();
    }
  });

  it("retries a webhook that answers 503 and gives up on a 400 without more tries", async () => {
    const company = await makeCompany(current().db);
    const { alerter } = makeAlerter({ alerts: globalAlerts({ emailTo: [] }) });
    hook.failNext(503, 503);
    await alerter.runFinished({ runId: 1, companyId: company.id, jobType: "sales", status: "failed", errorMessage: "x" });
    await alerter.idle();
    expect(hook.requests).toBe(3);
    expect(hook.hooks).toHaveLength(1);

    hook.failNext(400);
    await alerter.runFinished({ runId: 2, companyId: company.id, jobType: "bills", status: "failed", errorMessage: "x" });
    await alerter.idle();
    expect(hook.requests).toBe(4);
    expect(hook.hooks).toHaveLength(1);
  });

  it("adapts the worker's run results: requeued runs are not finished, failed ones are", async () => {
    const company = await makeCompany(current().db);
    const { alerter } = makeAlerter({ alerts: globalAlerts({ emailTo: [] }) });
    const run = { id: 7, companyId: company.id, jobType: "bills" } as RunResult["run"];
    alerter.onRunResult({ run, status: "requeued", errorCode: "devpos_unavailable", durationMs: 5 });
    alerter.onRunResult({ run, status: "lease_lost", durationMs: 5 });
    await alerter.idle();
    expect(hook.hooks).toHaveLength(0);
    alerter.onRunResult({ run, status: "failed", errorCode: "devpos_unavailable", errorMessage: "gave up after 3 attempts", durationMs: 5 });
    await alerter.idle();
    expect(hook.hooks.map((h) => h.json.details.run_id)).toEqual([7]);
  });

  it("never logs the SMTP password, the webhook secret or the webhook query string, even when delivery fails", async () => {
    const company = await makeCompany(current().db);
    const captured = capturingLogger();
    await smtp.close();
    await hook.close();
    const deadSmtp = `smtp://alerts:smtp-pass-Zq81@127.0.0.1:${smtp.port}`;
    const { alerter } = makeAlerter({ logger: captured.logger, alerts: globalAlerts({ smtpUrl: deadSmtp }) });
    await alerter.runFinished({ runId: 1, companyId: company.id, jobType: "sales", status: "failed", errorMessage: "x" });
    await alerter.idle();
    const log = captured.text();
    expect(log).toContain("alert webhook not delivered");
    expect(log).toContain("alert email not delivered");
    expect(log).not.toContain("smtp-pass-Zq81");
    expect(log).not.toContain(WEBHOOK_SECRET);
    expect(log).not.toContain("query-secret-9");
    // Restart receivers for afterEach.
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver();
  }, 60_000);
});
