import type { FastifyRequest } from "fastify";
import { appendAudit } from "../storage/repos/audit-log.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { callerLabel } from "./auth/caller.js";
import type { Clock } from "../clock.js";

export interface AuditInput {
  action: string;
  companyId?: number | null;
  targetType?: string | null;
  targetId?: string | number | null;
  /** Never secrets: names, ids, changed field names. */
  details?: Record<string, unknown> | null;
  /** Who, when there is no caller yet (a failed login names the email tried). */
  actorLabel?: string;
  /** Who, when it is not the caller (a login names the user who just logged in). */
  actorUserId?: number | null;
}

/** Appends an audit entry for the request's caller. Pass `trx` to commit it with the change. */
export async function audit(db: Db, clock: Clock, request: FastifyRequest, input: AuditInput): Promise<void> {
  const caller = request.caller;
  await appendAudit(db, {
    at: clock.now(),
    actorLabel: input.actorLabel ?? callerLabel(caller),
    actorUserId: input.actorUserId !== undefined ? input.actorUserId : caller?.kind === "user" ? caller.user.id : null,
    actorApiKeyId: input.actorUserId === undefined && caller?.kind === "api_key" ? caller.apiKey.id : null,
    action: input.action,
    companyId: input.companyId ?? null,
    targetType: input.targetType ?? null,
    targetId: input.targetId === undefined || input.targetId === null ? null : String(input.targetId),
    details: input.details ?? null,
    ip: request.ip.slice(0, 64),
  });
}
