import type { Selectable } from "kysely";
import type { SecretBox } from "../../secrets/secret-box.js";
import { NotFoundError, withDbErrors } from "../errors.js";
import type { AlertIncidentsTable, NotificationChannelsTable } from "../schema.js";
import {
  affected,
  fromDbInstant,
  fromDbInstantOrNull,
  fromFlag,
  fromJson,
  insertReturningId,
  insertUnlessDuplicate,
  toDbInstant,
  toFlag,
  toJson,
  type Db,
} from "./repo-helpers.js";
import { channelSecretContext } from "./secret-columns.js";

export type ChannelKind = "email" | "webhook";

/** Where alerts go: a company's channel, or a global one (companyId null). */
export interface NotificationChannel {
  id: number;
  companyId: number | null;
  kind: ChannelKind;
  /** Email address or webhook URL. */
  target: string;
  /** Whether a secret (webhook signing key, SMTP password…) is stored; never the secret. */
  hasSecret: boolean;
  /** Event names this channel receives, e.g. `run.failed`, `qbo.reauth_required`. */
  events: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewNotificationChannel {
  companyId: number | null;
  kind: ChannelKind;
  target: string;
  secret?: string | null;
  events: string[];
  enabled?: boolean;
  now: Date;
}

function channelFromRow(row: Selectable<NotificationChannelsTable>): NotificationChannel {
  return {
    id: Number(row.id),
    companyId: row.company_id === null ? null : Number(row.company_id),
    kind: row.kind as ChannelKind,
    target: row.target,
    hasSecret: row.secret_enc !== null,
    events: fromJson<string[]>(row.events) ?? [],
    enabled: fromFlag(row.enabled),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

export async function createNotificationChannel(db: Db, box: SecretBox, input: NewNotificationChannel): Promise<NotificationChannel> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "notification_channels", {
      company_id: input.companyId,
      kind: input.kind,
      target: input.target,
      secret_enc: input.secret ? box.seal(input.secret, channelSecretContext(input.companyId)) : null,
      events: toJson(input.events) ?? "[]",
      enabled: toFlag(input.enabled ?? true),
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getNotificationChannel(db, id))!;
}

export async function getNotificationChannel(db: Db, id: number): Promise<NotificationChannel | undefined> {
  const row = await db.selectFrom("notification_channels").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? channelFromRow(row) : undefined;
}

/** A company's channels (and, with includeGlobal, the global ones); companyId null: only global ones. */
export async function listNotificationChannels(db: Db, options: { companyId: number | null; includeGlobal?: boolean }): Promise<NotificationChannel[]> {
  let query = db.selectFrom("notification_channels").selectAll();
  const { companyId } = options;
  if (companyId === null) query = query.where("company_id", "is", null);
  else if (options.includeGlobal) query = query.where((eb) => eb.or([eb("company_id", "=", companyId), eb("company_id", "is", null)]));
  else query = query.where("company_id", "=", companyId);
  return (await query.orderBy("id").execute()).map(channelFromRow);
}

/** Enabled channels (company's and global) subscribed to `event`. */
export async function listChannelsForEvent(db: Db, companyId: number | null, event: string): Promise<NotificationChannel[]> {
  const channels = await listNotificationChannels(db, { companyId, includeGlobal: true });
  return channels.filter((c) => c.enabled && (c.events.includes(event) || c.events.includes("*")));
}

/** `secret`: a string replaces it, null removes it, undefined keeps it. Throws NotFoundError. */
export async function updateNotificationChannel(
  db: Db,
  box: SecretBox,
  id: number,
  patch: { target?: string; secret?: string | null; events?: string[]; enabled?: boolean },
  now: Date,
): Promise<NotificationChannel> {
  const current = await getNotificationChannel(db, id);
  if (!current) throw new NotFoundError("notification channel", id);
  await db
    .updateTable("notification_channels")
    .set({
      ...(patch.target !== undefined ? { target: patch.target } : {}),
      ...(patch.secret !== undefined ? { secret_enc: patch.secret === null ? null : box.seal(patch.secret, channelSecretContext(current.companyId)) } : {}),
      ...(patch.events !== undefined ? { events: toJson(patch.events) ?? "[]" } : {}),
      ...(patch.enabled !== undefined ? { enabled: toFlag(patch.enabled) } : {}),
      updated_at: toDbInstant(now),
    })
    .where("id", "=", id)
    .execute();
  return (await getNotificationChannel(db, id))!;
}

/** The decrypted secret, for the notifier only. */
export async function readChannelSecret(db: Db, box: SecretBox, id: number): Promise<string | null | undefined> {
  const row = await db.selectFrom("notification_channels").select(["company_id", "secret_enc"]).where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  if (row.secret_enc === null) return null;
  return box.open(row.secret_enc, channelSecretContext(row.company_id === null ? null : Number(row.company_id)));
}

export async function deleteNotificationChannel(db: Db, id: number): Promise<boolean> {
  return affected(await db.deleteFrom("notification_channels").where("id", "=", id).executeTakeFirst()) > 0;
}

/** Something wrong that alerts were (or will be) sent about, open until resolved. */
export interface AlertIncident {
  id: number;
  companyId: number | null;
  kind: string;
  /** e.g. `qbo.reauth_required#12`: at most one open incident per key. */
  incidentKey: string;
  open: boolean;
  details: Record<string, unknown> | null;
  openedAt: Date;
  resolvedAt: Date | null;
  lastNotifiedAt: Date | null;
}

function incidentFromRow(row: Selectable<AlertIncidentsTable>): AlertIncident {
  return {
    id: Number(row.id),
    companyId: row.company_id === null ? null : Number(row.company_id),
    kind: row.kind,
    incidentKey: row.incident_key,
    open: row.open_key !== null,
    details: fromJson<Record<string, unknown>>(row.details),
    openedAt: fromDbInstant(row.opened_at),
    resolvedAt: fromDbInstantOrNull(row.resolved_at),
    lastNotifiedAt: fromDbInstantOrNull(row.last_notified_at),
  };
}

/**
 * Opens an incident unless one with the same key is open: `opened` is true for exactly one of
 * any number of concurrent callers, so one alert goes out.
 */
export async function openIncident(
  db: Db,
  input: { key: string; kind: string; companyId?: number | null; details?: Record<string, unknown> | null; now: Date },
): Promise<{ opened: boolean; incident: AlertIncident }> {
  const id = await insertUnlessDuplicate(
    db,
    "alert_incidents",
    {
      company_id: input.companyId ?? null,
      kind: input.kind,
      incident_key: input.key,
      open_key: input.key,
      details: toJson(input.details),
      opened_at: toDbInstant(input.now),
      resolved_at: null,
      last_notified_at: null,
    },
    ["open_key"],
  );
  if (id !== undefined) {
    const row = await db.selectFrom("alert_incidents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    return { opened: true, incident: incidentFromRow(row) };
  }
  const existing = await getOpenIncident(db, input.key);
  if (!existing) throw new Error(`incident ${input.key} collided but is no longer open; retry`);
  return { opened: false, incident: existing };
}

export async function getOpenIncident(db: Db, key: string): Promise<AlertIncident | undefined> {
  const row = await db.selectFrom("alert_incidents").selectAll().where("open_key", "=", key).executeTakeFirst();
  return row ? incidentFromRow(row) : undefined;
}

/** Closes the open incident with this key; true if there was one (send the "resolved" notice). */
export async function resolveIncident(db: Db, key: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("alert_incidents")
    .set({ open_key: null, resolved_at: toDbInstant(now) })
    .where("open_key", "=", key)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function markIncidentNotified(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable("alert_incidents").set({ last_notified_at: toDbInstant(now) }).where("id", "=", id).execute();
}

/** Open incidents, oldest first (optionally of one company). */
export async function listOpenIncidents(db: Db, options: { companyId?: number } = {}): Promise<AlertIncident[]> {
  let query = db.selectFrom("alert_incidents").selectAll().where("open_key", "is not", null);
  if (options.companyId !== undefined) query = query.where("company_id", "=", options.companyId);
  return (await query.orderBy("opened_at").orderBy("id").execute()).map(incidentFromRow);
}
