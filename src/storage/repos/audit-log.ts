import { sql, type Selectable, type SqlBool } from "kysely";
import type { AuditLogTable } from "../schema.js";
import { decodeIdCursor, fromDbInstant, fromJson, insertReturningId, keysetPage, pageLimit, toDbInstant, toJson, type Db } from "./repo-helpers.js";
import type { Page, PageOptions } from "./types.js";

/** Who did what, when (ISSUE 7: logins, credential/connection/schedule changes, runs, users, keys). */
export interface AuditEntry {
  id: number;
  at: Date;
  actorUserId: number | null;
  actorApiKeyId: number | null;
  /** Email, key name or "system": readable even after the actor is deleted. */
  actorLabel: string;
  /** e.g. `login`, `schedule.update`, `qbo.connect`. */
  action: string;
  companyId: number | null;
  targetType: string | null;
  targetId: string | null;
  /** JSON details; never secrets. */
  details: Record<string, unknown> | null;
  ip: string | null;
}

export type NewAuditEntry = Pick<AuditEntry, "at" | "actorLabel" | "action"> &
  Partial<Pick<AuditEntry, "actorUserId" | "actorApiKeyId" | "companyId" | "targetType" | "targetId" | "details" | "ip">>;

function entryFromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: fromDbInstant(row.at),
    actorUserId: row.actor_user_id === null ? null : Number(row.actor_user_id),
    actorApiKeyId: row.actor_api_key_id === null ? null : Number(row.actor_api_key_id),
    actorLabel: row.actor_label,
    action: row.action,
    companyId: row.company_id === null ? null : Number(row.company_id),
    targetType: row.target_type,
    targetId: row.target_id,
    details: fromJson<Record<string, unknown>>(row.details),
    ip: row.ip,
  };
}

/** Appends one entry; returns its id. The log has no foreign keys, so it outlives what it names. */
export async function appendAudit(db: Db, entry: NewAuditEntry): Promise<number> {
  return insertReturningId(db, "audit_log", {
    at: toDbInstant(entry.at),
    actor_user_id: entry.actorUserId ?? null,
    actor_api_key_id: entry.actorApiKeyId ?? null,
    actor_label: entry.actorLabel.slice(0, 254),
    action: entry.action,
    company_id: entry.companyId ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    details: toJson(entry.details),
    ip: entry.ip ?? null,
  });
}

export interface ListAuditOptions extends PageOptions {
  actorUserId?: number;
  actorApiKeyId?: number;
  /** Exact action, or a prefix ending in `.` (e.g. `schedule.`). */
  action?: string;
  companyId?: number;
  /** at >= from */
  from?: Date;
  /** at < to */
  to?: Date;
}

/** Newest first (keyset on id). */
export async function listAudit(db: Db, options: ListAuditOptions = {}): Promise<Page<AuditEntry>> {
  const before = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("audit_log").selectAll();
      if (options.actorUserId !== undefined) query = query.where("actor_user_id", "=", options.actorUserId);
      if (options.actorApiKeyId !== undefined) query = query.where("actor_api_key_id", "=", options.actorApiKeyId);
      if (options.action !== undefined) {
        const action = options.action;
        query = action.endsWith(".")
          ? query.where(sql<SqlBool>`action like ${action.replace(/[!%_]/g, (c) => `!${c}`) + "%"} escape '!'`)
          : query.where("action", "=", action);
      }
      if (options.companyId !== undefined) query = query.where("company_id", "=", options.companyId);
      if (options.from) query = query.where("at", ">=", toDbInstant(options.from));
      if (options.to) query = query.where("at", "<", toDbInstant(options.to));
      if (before !== undefined) query = query.where("id", "<", before);
      return query.orderBy("id", "desc").limit(n).execute();
    },
    entryFromRow,
    (row) => [Number(row.id)],
  );
}
