import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { ConnectionEvent, ConnectionEvents } from "../connectors/qbo/connection-events.js";
import { RECONNECT_QUICKBOOKS } from "../domain/pause-reasons.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { getCompany } from "../storage/repos/companies.js";
import { markIncidentNotified, openIncident, resolveIncident } from "../storage/repos/notifications.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { countRunItemsByAction } from "../storage/repos/run-log.js";
import type { RunResult } from "../worker/execute-run.js";
import { GRANT_REVOKED_CODE } from "../worker/run-errors.js";
import { emailText, webhookPayload, type AlertCompany, type AlertEventName, type AlertMessage, type ProblemEvent, type RecoveryEvent } from "./alert-message.js";
import { resolveDestinations, type AlertDestination } from "./destinations.js";
import { createEmailSender, type EmailSender } from "./email-sender.js";
import { failedCountOf, finishedRunFromResult, type FinishedRun } from "./run-result.js";
import { createWebhookSender, describeWebhookUrl, type WebhookSender } from "./webhook-sender.js";

export interface AlerterDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  alerts: Config["alerts"];
  /** For links into the dashboard in alerts. */
  publicUrl?: string;
  /** Default: SMTP from `alerts.smtpUrl`, when set. */
  email?: EmailSender;
  /** Default: fetch with 4 tries, 10 s each. */
  webhook?: WebhookSender;
}

export interface SchedulePause {
  companyId: number;
  reason: string;
  scheduleIds?: readonly number[];
}

export interface ScheduleResume {
  companyId: number;
  /** The pause reason lifted. */
  reason?: string;
  resumed: number;
}

/**
 * Turns what happens in devsync into alerts: one alert when an incident opens (the incident
 * table's unique open key makes that true across every process), one notice when it heals,
 * nothing in between however often the problem repeats. Methods never throw: a broken channel
 * is logged and never breaks a run, a refresh or a tick. Secrets never reach a log line.
 *
 * Wiring (serve / worker / run-due): `worker onRunFinished: alerter.onRunResult`,
 * `alerter.attach(qboConnector.events)`, and `schedulePaused/scheduleResumed` where schedules
 * are paused for a reason other than a reconnect (the reconnect alert already says so).
 */
export interface Alerter {
  runFinished(run: FinishedRun): Promise<void>;
  connectionEvent(event: ConnectionEvent): Promise<void>;
  schedulePaused(pause: SchedulePause): Promise<void>;
  scheduleResumed(resume: ScheduleResume): Promise<void>;
  /** Fire-and-forget adapter for the worker's `onRunFinished` callback. */
  onRunResult(result: RunResult): void;
  /** Subscribes to the QuickBooks connector's events; returns the unsubscribe function. */
  attach(events: ConnectionEvents): () => void;
  /** Resolves when every alert started so far has been delivered (or given up on). */
  idle(): Promise<void>;
  /** idle(), then closes the SMTP connection pool. */
  close(): Promise<void>;
}

const runKey = (event: "run.failed" | "run.partial", run: { companyId: number; jobType: string }) => `${event}#${run.companyId}:${run.jobType}`;
const companyKey = (event: ProblemEvent, companyId: number) => `${event}#${companyId}`;

export function createAlerter(deps: AlerterDeps): Alerter {
  const { db, clock } = deps;
  const logger = deps.logger.child({ component: "alerts" });
  const email = deps.email ?? (deps.alerts.smtpUrl ? createEmailSender({ smtpUrl: deps.alerts.smtpUrl, from: deps.alerts.emailFrom }) : undefined);
  const webhook = deps.webhook ?? createWebhookSender({ now: () => clock.now() });
  const pending = new Set<Promise<unknown>>();
  let warnedNoSmtp = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => {});
    return work;
  };

  const guard = (what: string, work: () => Promise<void>): Promise<void> =>
    track(
      work().catch((error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error), what }, "alert handling failed");
      }),
    );

  const companyOf = async (companyId: number | null): Promise<AlertCompany | null> => {
    if (companyId === null) return null;
    const company = await getCompany(db, companyId).catch(() => undefined);
    return company ? { id: company.id, code: company.code, name: company.name } : { id: companyId, code: String(companyId), name: `company ${companyId}` };
  };

  const link = (path: string): string | null => (deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, "")}${path}` : null);

  const deliverOne = async (destination: AlertDestination, message: AlertMessage): Promise<boolean> => {
    if (destination.kind === "email") {
      if (!email) {
        if (!warnedNoSmtp) logger.warn({ destination: destination.label }, "an email alert channel is configured but SMTP_URL is not set: email alerts are not sent");
        warnedNoSmtp = true;
        return false;
      }
      const result = await email.send({ to: destination.to, subject: `[devsync] ${message.title}`, text: emailText(message) });
      if (!result.ok) logger.warn({ destination: destination.label, event: message.event, attempts: result.attempts, error: result.error }, "alert email not delivered");
      return result.ok;
    }
    const deliveryId = randomUUID();
    const body = JSON.stringify(webhookPayload(message, deliveryId, clock.now()));
    const result = await webhook.send({ url: destination.url, secret: destination.secret, event: message.event, deliveryId, body });
    if (!result.ok) {
      logger.warn({ destination: destination.label, url: describeWebhookUrl(destination.url), event: message.event, attempts: result.attempts, status: result.status, error: result.error }, "alert webhook not delivered");
    }
    return result.ok;
  };

  /** Sends to every destination at once; returns how many took it (and how many there were). */
  const deliver = async (message: AlertMessage): Promise<{ delivered: number; destinations: number }> => {
    const destinations = await resolveDestinations({ db, box: deps.box, alerts: deps.alerts }, message.company?.id ?? null, message.event);
    const results = await Promise.all(destinations.map((d) => deliverOne(d, message).catch(() => false)));
    const delivered = results.filter(Boolean).length;
    logger.info({ event: message.event, state: message.state, incident: message.incidentKey, companyId: message.company?.id, destinations: destinations.length, delivered }, "alert sent");
    return { delivered, destinations: destinations.length };
  };

  type Draft = Omit<AlertMessage, "state" | "company" | "occurredAt" | "incidentKey" | "event">;

  /** Opens the incident; only the caller that opened it sends the alert. */
  const problem = async (event: ProblemEvent, key: string, companyId: number | null, draft: (company: AlertCompany | null) => Draft): Promise<void> => {
    const now = clock.now();
    const company = await companyOf(companyId);
    const body = draft(company);
    const { opened, incident } = await openIncident(db, { key, kind: event, companyId, details: { title: body.title, ...body.details }, now });
    if (!opened) {
      logger.debug({ event, incident: key }, "incident already open: no new alert");
      return;
    }
    const { delivered, destinations } = await deliver({ ...body, event, state: "opened", company, occurredAt: now, incidentKey: key });
    if (delivered > 0 || destinations === 0) await markIncidentNotified(db, incident.id, clock.now());
  };

  /** Resolves the incidents; sends one notice when any was open. */
  const recovery = async (event: RecoveryEvent, keys: readonly string[], companyId: number | null, draft: (company: AlertCompany | null, healed: string[]) => Draft): Promise<void> => {
    const now = clock.now();
    const healed: string[] = [];
    for (const key of keys) if (await resolveIncident(db, key, now)) healed.push(key);
    if (healed.length === 0) return;
    const company = await companyOf(companyId);
    await deliver({ ...draft(company, healed), event, state: "resolved", company, occurredAt: now, incidentKey: healed.join(",") });
  };

  const who = (company: AlertCompany | null) => (company ? `${company.name} (${company.code})` : "devsync");

  const runFinished = (run: FinishedRun): Promise<void> =>
    guard("run finished", async () => {
      const runLink = link(`/runs/${run.runId}`);
      const failedKey = runKey("run.failed", run);
      const partialKey = runKey("run.partial", run);
      if (run.status === "succeeded") {
        await recovery("run.recovered", [failedKey, partialKey], run.companyId, (company) => ({
          severity: "info",
          title: `${who(company)}: ${run.jobType} syncs work again`,
          text: `The ${run.jobType} sync of ${who(company)} succeeded (run ${run.runId}) after earlier failures. Nothing more to do.`,
          details: { run_id: run.runId, job_type: run.jobType },
          link: runLink,
        }));
        return;
      }
      if (run.status === "partial") {
        const failed = failedCountOf(run.summary) ?? (await countRunItemsByAction(db, run.runId).catch(() => ({}) as Record<string, number>)).failed ?? 0;
        // The run completed, so an open "run failed" incident is over; the partial alert says so.
        const clearedFailure = await resolveIncident(db, failedKey, clock.now());
        await problem("run.partial", partialKey, run.companyId, (company) => ({
          severity: "warning",
          title: `${who(company)}: ${failed} document${failed === 1 ? "" : "s"} failed to sync`,
          text:
            `The ${run.jobType} sync of ${who(company)} finished, but ${failed} document${failed === 1 ? "" : "s"} could not be written to QuickBooks (run ${run.runId}). ` +
            `The run's page lists each one with QuickBooks' reason; later runs retry them.` +
            (clearedFailure ? " (The earlier failure of the whole sync has cleared.)" : ""),
          details: { run_id: run.runId, job_type: run.jobType, failed_count: failed },
          link: runLink,
        }));
        return;
      }
      if (run.status !== "failed") return;
      // A revoked grant is the reconnect incident's alert, not a second one about the run.
      if (run.errorCode === GRANT_REVOKED_CODE) return;
      await problem("run.failed", failedKey, run.companyId, (company) => ({
        severity: "critical",
        title: `${who(company)}: ${run.jobType} sync failed`,
        text:
          `The ${run.jobType} sync of ${who(company)} failed (run ${run.runId}): ${run.errorMessage ?? run.errorCode ?? "unknown error"}. ` +
          `Nothing is lost: the next run picks up from the last successful one. You will get one notice when it works again.`,
        details: { run_id: run.runId, job_type: run.jobType, error_code: run.errorCode ?? null, error_message: run.errorMessage ?? null },
        link: runLink,
      }));
    });

  const connectionEvent = (event: ConnectionEvent): Promise<void> =>
    guard(`connection ${event.type}`, async () => {
      const companyLink = link(`/companies/${event.companyId}/connections`);
      switch (event.type) {
        case "reauth_required":
          await problem("qbo.reauth_required", companyKey("qbo.reauth_required", event.companyId), event.companyId, (company) => ({
            severity: "critical",
            title: `${who(company)}: reconnect QuickBooks`,
            text:
              `QuickBooks refused ${who(company)}'s authorization (${event.reason}). Its scheduled syncs are paused until someone with ` +
              `access to that QuickBooks company clicks "Connect to QuickBooks" again; they resume on their own after that.`,
            details: { reason: event.reason },
            link: companyLink,
          }));
          return;
        case "hard_expiry_near":
          await problem("qbo.hard_expiry_near", companyKey("qbo.hard_expiry_near", event.companyId), event.companyId, (company) => ({
            severity: "warning",
            title: `${who(company)}: QuickBooks authorization ends in ${event.daysLeft} day${event.daysLeft === 1 ? "" : "s"}`,
            text:
              `QuickBooks authorizations last at most five years. ${who(company)}'s ends on ${event.hardExpiresAt.toISOString().slice(0, 10)}; ` +
              `reconnect QuickBooks before then so syncs never stop.`,
            details: { realm_id: event.realmId, hard_expires_at: event.hardExpiresAt.toISOString(), days_left: event.daysLeft },
            link: companyLink,
          }));
          return;
        case "connected":
          await recovery(
            "qbo.reconnected",
            [companyKey("qbo.reauth_required", event.companyId), companyKey("qbo.hard_expiry_near", event.companyId)],
            event.companyId,
            (company) => ({
              severity: "info",
              title: `${who(company)}: QuickBooks reconnected`,
              text:
                `${who(company)} is connected to QuickBooks again (realm ${event.realmId}).` +
                (event.resumedSchedules > 0 ? ` ${event.resumedSchedules} paused schedule${event.resumedSchedules === 1 ? "" : "s"} resumed.` : ""),
              details: { realm_id: event.realmId, resumed_schedules: event.resumedSchedules },
              link: companyLink,
            }),
          );
          return;
        case "disconnected":
          return;
      }
    });

  const schedulePaused = (pause: SchedulePause): Promise<void> =>
    guard("schedule paused", async () => {
      if (pause.reason === RECONNECT_QUICKBOOKS) return;
      await problem("schedule.paused", companyKey("schedule.paused", pause.companyId), pause.companyId, (company) => ({
        severity: "warning",
        title: `${who(company)}: scheduled syncs paused`,
        text: `The scheduled syncs of ${who(company)} are paused: ${pause.reason}. Nothing syncs on its own until they resume.`,
        details: { reason: pause.reason, schedule_ids: pause.scheduleIds ?? null },
        link: link(`/companies/${pause.companyId}`),
      }));
    });

  const scheduleResumed = (resume: ScheduleResume): Promise<void> =>
    guard("schedule resumed", async () => {
      if (resume.reason === RECONNECT_QUICKBOOKS) return;
      await recovery("schedule.resumed", [companyKey("schedule.paused", resume.companyId)], resume.companyId, (company) => ({
        severity: "info",
        title: `${who(company)}: scheduled syncs resumed`,
        text: `${resume.resumed} schedule${resume.resumed === 1 ? "" : "s"} of ${who(company)} run again.`,
        details: { resumed: resume.resumed, reason: resume.reason ?? null },
        link: link(`/companies/${resume.companyId}`),
      }));
    });

  return {
    runFinished,
    connectionEvent,
    schedulePaused,
    scheduleResumed,
    onRunResult(result) {
      const run = finishedRunFromResult(result);
      if (run) void runFinished(run);
    },
    attach(events) {
      return events.on((event) => void connectionEvent(event));
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      email?.close();
    },
  };
}

export type { AlertEventName };
