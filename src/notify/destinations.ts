import type { Config } from "../config.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { listNotificationChannels, readChannelSecret } from "../storage/repos/notifications.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { subscriptionsFor, type AlertEventName } from "./alert-message.js";

/** Where one alert goes: an email to some addresses, or a webhook. */
export type AlertDestination =
  | { kind: "email"; label: string; to: string[] }
  | { kind: "webhook"; label: string; url: string; secret: string | null };

/**
 * The destinations of `event` for a company: the global ones from the environment
 * (ALERT_EMAIL_TO, ALERT_WEBHOOK_URL: every event), then the enabled notification channels of
 * the company and the global channel rows, each when subscribed to the event (or, for a
 * recovery notice, to the problem it heals, or `*`).
 */
export async function resolveDestinations(
  deps: { db: Db; box: SecretBox; alerts: Config["alerts"] },
  companyId: number | null,
  event: AlertEventName,
): Promise<AlertDestination[]> {
  const { alerts } = deps;
  const out: AlertDestination[] = [];
  if (alerts.emailTo.length > 0) out.push({ kind: "email", label: "ALERT_EMAIL_TO", to: [...alerts.emailTo] });
  if (alerts.webhookUrl) out.push({ kind: "webhook", label: "ALERT_WEBHOOK_URL", url: alerts.webhookUrl, secret: alerts.webhookSecret ?? null });

  const wanted = new Set(subscriptionsFor(event));
  const channels =
    companyId === null
      ? await listNotificationChannels(deps.db, { companyId: null })
      : await listNotificationChannels(deps.db, { companyId, includeGlobal: true });
  for (const channel of channels) {
    if (!channel.enabled || !channel.events.some((e) => wanted.has(e))) continue;
    const label = `channel ${channel.id}`;
    if (channel.kind === "email") {
      const to = channel.target.split(",").map((a) => a.trim()).filter(Boolean);
      if (to.length > 0) out.push({ kind: "email", label, to });
    } else if (channel.kind === "webhook") {
      const secret = channel.hasSecret ? ((await readChannelSecret(deps.db, deps.box, channel.id)) ?? null) : null;
      out.push({ kind: "webhook", label, url: channel.target, secret });
    }
  }
  return out;
}
