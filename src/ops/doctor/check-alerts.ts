import type { Config } from "../../config.js";
import { createEmailSender, describeSmtpUrl, type EmailSender } from "../../notify/email-sender.js";
import { describeWebhookUrl } from "../../notify/webhook-sender.js";
import { countEnabledChannels } from "../../storage/repos/notify-doctor.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import type { DoctorCheck } from "./doctor-report.js";

const SECTION = "Alerts";

/** SMTP answers and accepts the login; where alerts go. Never prints the SMTP password. */
export async function checkAlerts(config: Config, db: Db | undefined, checks: DoctorCheck[], makeSender: (url: string, from: string) => EmailSender = defaultSender): Promise<void> {
  const { alerts } = config;
  const { email: emailChannels, webhook: webhookChannels } = db ? await countEnabledChannels(db).catch(() => ({ email: 0, webhook: 0 })) : { email: 0, webhook: 0 };
  if (alerts.smtpUrl) {
    const sender = makeSender(alerts.smtpUrl, alerts.emailFrom);
    const verified = await sender.verify();
    sender.close();
    checks.push(
      verified.ok
        ? { section: SECTION, name: "email (SMTP)", status: "ok", detail: `${describeSmtpUrl(alerts.smtpUrl)} accepted the connection and login; alerts go to ${alerts.emailTo.join(", ") || "company channels only"}` }
        : { section: SECTION, name: "email (SMTP)", status: "fail", detail: `${describeSmtpUrl(alerts.smtpUrl)}: ${verified.error}`, hint: "check SMTP_URL (host, port, user, password)" },
    );
  } else if (emailChannels > 0) {
    checks.push({ section: SECTION, name: "email (SMTP)", status: "warn", detail: `${emailChannels} email channel(s) are configured but SMTP_URL is not set: they receive nothing`, hint: "set SMTP_URL" });
  } else {
    checks.push({ section: SECTION, name: "email (SMTP)", status: "skip", detail: "SMTP_URL not set: no email alerts" });
  }
  if (alerts.webhookUrl) checks.push({ section: SECTION, name: "webhook", status: "ok", detail: `every alert is posted, signed, to ${describeWebhookUrl(alerts.webhookUrl)}` });
  if (!alerts.smtpUrl && !alerts.webhookUrl && emailChannels + webhookChannels === 0) {
    checks.push({ section: SECTION, name: "destinations", status: "warn", detail: "no alert destination: failures and reconnect requests go unnoticed", hint: "set ALERT_EMAIL_TO with SMTP_URL, or ALERT_WEBHOOK_URL with ALERT_WEBHOOK_SECRET" });
  } else if (emailChannels + webhookChannels > 0) {
    checks.push({ section: SECTION, name: "channels", status: "ok", detail: `${emailChannels} email and ${webhookChannels} webhook channel(s) enabled in the database` });
  }
}

function defaultSender(url: string, from: string): EmailSender {
  return createEmailSender({ smtpUrl: url, from, timeoutMs: 10_000, attempts: 1 });
}
