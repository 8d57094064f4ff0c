/**
 * The alerts devsync sends, as one shape for every channel: email renders `title` and `text`,
 * webhooks post the whole message as JSON. Problem events open an incident; recovery events
 * resolve it (docs/architecture.md "notify/").
 */
export const PROBLEM_EVENTS = ["run.failed", "run.partial", "qbo.reauth_required", "qbo.hard_expiry_near", "schedule.paused"] as const;
export const RECOVERY_EVENTS = ["run.recovered", "qbo.reconnected", "schedule.resumed"] as const;

export type ProblemEvent = (typeof PROBLEM_EVENTS)[number];
export type RecoveryEvent = (typeof RECOVERY_EVENTS)[number];
export type AlertEventName = ProblemEvent | RecoveryEvent;

/** Which problem events a recovery notice heals: a channel subscribed to either gets it. */
export const HEALS: Readonly<Record<RecoveryEvent, readonly ProblemEvent[]>> = {
  "run.recovered": ["run.failed", "run.partial"],
  "qbo.reconnected": ["qbo.reauth_required", "qbo.hard_expiry_near"],
  "schedule.resumed": ["schedule.paused"],
};

export interface AlertCompany {
  id: number;
  code: string;
  name: string;
}

export interface AlertMessage {
  event: AlertEventName;
  /** `opened`: something needs attention; `resolved`: it healed. */
  state: "opened" | "resolved";
  severity: "critical" | "warning" | "info";
  company: AlertCompany | null;
  /** One line (the email subject). */
  title: string;
  /** A few plain sentences for a person (the email body). */
  text: string;
  /** Machine-readable facts (run id, failed count, expiry…). */
  details: Record<string, unknown>;
  incidentKey: string;
  occurredAt: Date;
  /** Where to look in the dashboard, when PUBLIC_URL is known. */
  link: string | null;
}

/** Channel subscriptions (`events` of a notification channel) that should receive `event`. */
export function subscriptionsFor(event: AlertEventName): string[] {
  const healed = (HEALS as Record<string, readonly string[]>)[event] ?? [];
  return [event, ...healed, "*"];
}

/** The JSON body a webhook receives (snake_case, like the REST API). */
export function webhookPayload(message: AlertMessage, deliveryId: string, sentAt: Date): Record<string, unknown> {
  return {
    delivery_id: deliveryId,
    event: message.event,
    state: message.state,
    severity: message.severity,
    company: message.company,
    title: message.title,
    text: message.text,
    details: message.details,
    incident_key: message.incidentKey,
    occurred_at: message.occurredAt.toISOString(),
    sent_at: sentAt.toISOString(),
    link: message.link,
  };
}

/** The email body: the text, then the link and the facts, one per line. */
export function emailText(message: AlertMessage): string {
  const lines = [message.text, ""];
  if (message.link) lines.push(`Open: ${message.link}`, "");
  for (const [key, value] of Object.entries(message.details)) {
    if (value === undefined || value === null) continue;
    lines.push(`${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  }
  lines.push("", `event: ${message.event} (${message.state})`, `incident: ${message.incidentKey}`, `at: ${message.occurredAt.toISOString()}`);
  lines.push("", "-- devsync. One alert per incident; you will get a notice when it heals.");
  return lines.join("\n");
}
