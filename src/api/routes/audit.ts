import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listAudit, type AuditEntry } from "../../storage/repos/audit-log.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { errorResponses, instant, iso, pageOf, pageQuery, queryInstant, queryInt, text } from "../schemas/common.js";

const entrySchema = z.object({
  id: z.number().int(),
  at: instant,
  actor_user_id: z.number().int().nullable(),
  actor_api_key_id: z.number().int().nullable(),
  actor_label: z.string(),
  action: z.string(),
  company_id: z.number().int().nullable(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
});

function entryOut(e: AuditEntry): z.infer<typeof entrySchema> {
  return {
    id: e.id,
    at: iso(e.at),
    actor_user_id: e.actorUserId,
    actor_api_key_id: e.actorApiKeyId,
    actor_label: e.actorLabel,
    action: e.action,
    company_id: e.companyId,
    target_type: e.targetType,
    target_id: e.targetId,
    details: e.details,
    ip: e.ip,
  };
}

/** The audit log (administrators): logins, credential, connection, schedule, run, user and key changes. */
export function registerAuditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  r.get(
    "/api/audit",
    {
      schema: {
        tags: ["audit"],
        summary: "Audit log, newest first (administrators)",
        querystring: z.strictObject({
          ...pageQuery,
          action: text("action", 64).optional().describe("Exact action, or a prefix ending in a dot such as `schedule.`"),
          company_id: queryInt("company_id", 1, 2_147_483_647).optional(),
          actor_user_id: queryInt("actor_user_id", 1, 2_147_483_647).optional(),
          actor_api_key_id: queryInt("actor_api_key_id", 1, 2_147_483_647).optional(),
          from: queryInstant("from").optional(),
          to: queryInstant("to").optional(),
        }),
        response: { 200: pageOf(entrySchema), ...errorResponses },
      },
      config: { access: "admin" },
    },
    async (request) => {
      const q = request.query;
      const page = await listAudit(ctx.db.db, {
        limit: q.limit ?? 50,
        cursor: q.cursor ?? null,
        action: q.action,
        companyId: q.company_id,
        actorUserId: q.actor_user_id,
        actorApiKeyId: q.actor_api_key_id,
        from: q.from,
        to: q.to,
      });
      return { items: page.items.map(entryOut), next_cursor: page.nextCursor };
    },
  );
}
