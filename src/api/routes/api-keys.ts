import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createApiKey, getApiKey, listApiKeys, revokeApiKey, type ApiKey } from "../../storage/repos/api-keys.js";
import { getCompaniesByIds } from "../../storage/repos/companies.js";
import { audit } from "../audit.js";
import { notFound } from "../auth/guard.js";
import { newApiKey } from "../auth/tokens.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { bool, errorResponses, idParams, instant, iso, line, nullableInstant, OBJECT_BODY, pageOf, pageQuery, permissionsSchema, positiveId, queryBool } from "../schemas/common.js";

const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe("The first characters of the key, to tell keys apart."),
  created_by_user_id: z.number().int().nullable(),
  expires_at: nullableInstant,
  revoked_at: nullableInstant,
  last_used_at: nullableInstant,
  created_at: instant,
  companies: z.array(z.object({ company_id: z.number().int(), permissions: permissionsSchema })),
});

function keyOut(k: ApiKey): z.infer<typeof apiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_by_user_id: k.createdByUserId,
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
    created_at: iso(k.createdAt),
    companies: k.companies.map((c) => ({
      company_id: c.companyId,
      permissions: { view: c.permissions.view, run: c.permissions.run, manage_schedules: c.permissions.manageSchedules, edit_connections: c.permissions.editConnections },
    })),
  };
}

const scopeInput = z.strictObject({
  company_id: positiveId("company_id"),
  view: bool("view").optional(),
  run: bool("run").optional(),
  manage_schedules: bool("manage_schedules").optional(),
  edit_connections: bool("edit_connections").optional(),
});

const createBody = z.strictObject(
  {
    name: line("name", 200),
    expires_at: z.iso.datetime({ offset: true, error: () => "expires_at must be an ISO date-time such as 2027-01-01T00:00:00Z" }).optional(),
    companies: z
      .array(scopeInput, { error: () => "companies must be a list of {company_id, view, run, manage_schedules, edit_connections}" })
      .min(1, "companies must name at least one company: keys are scoped to companies")
      .max(1000, "companies may name at most 1000 companies")
      .refine((list) => new Set(list.map((c) => c.company_id)).size === list.length, "companies names a company twice"),
  },
  OBJECT_BODY,
);

/** API keys (administrators): shown once at creation, stored hashed, company-scoped, revocable. */
export function registerApiKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;
  const admin = { access: "admin" as const };

  r.get(
    "/api/api-keys",
    {
      schema: {
        tags: ["api keys"],
        summary: "API keys, newest first (administrators; never the keys themselves)",
        querystring: z.strictObject({ ...pageQuery, include_revoked: queryBool("include_revoked").optional() }),
        response: { 200: pageOf(apiKeySchema), ...errorResponses },
      },
      config: admin,
    },
    async (request) => {
      const { limit, cursor, include_revoked } = request.query;
      const page = await listApiKeys(db.db, { limit: limit ?? 50, cursor: cursor ?? null, includeRevoked: include_revoked ?? false });
      return { items: page.items.map(keyOut), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/api/api-keys",
    {
      schema: {
        tags: ["api keys"],
        summary: "Create an API key scoped to companies; the key is shown in this response only",
        body: createBody,
        response: { 201: z.object({ key: z.string().describe("dsk_… — store it now: it cannot be shown again."), api_key: apiKeySchema }), ...errorResponses },
      },
      config: admin,
    },
    async (request, reply) => {
      const b = request.body;
      const now = clock.now();
      const expiresAt = b.expires_at ? new Date(b.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new HttpError(400, "validation_failed", "expires_at must be in the future", { expires_at: "expires_at must be in the future" });
      const ids = b.companies.map((c) => c.company_id);
      const found = new Set((await getCompaniesByIds(db.db, ids)).map((c) => c.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) throw new HttpError(400, "validation_failed", `No company has id ${missing.join(", ")}`, { companies: `unknown company id ${missing.join(", ")}` });
      const { key, prefix, hash } = newApiKey();
      const caller = request.caller!;
      const created = await createApiKey(db.db, {
        name: b.name,
        tokenHash: hash,
        prefix,
        createdByUserId: caller.kind === "user" ? caller.user.id : null,
        expiresAt,
        companies: b.companies.map((c) => ({
          companyId: c.company_id,
          permissions: { view: c.view ?? true, run: c.run ?? false, manageSchedules: c.manage_schedules ?? false, editConnections: c.edit_connections ?? false },
        })),
        now,
      });
      await audit(db.db, clock, request, { action: "api_key.create", targetType: "api_key", targetId: created.id, details: { name: created.name, prefix, companies: ids } });
      return reply.code(201).send({ key, api_key: keyOut(created) });
    },
  );

  r.delete(
    "/api/api-keys/:id",
    {
      schema: { tags: ["api keys"], summary: "Revoke an API key (administrators)", params: idParams, response: { 200: apiKeySchema, ...errorResponses } },
      config: admin,
    },
    async (request) => {
      const key = await getApiKey(db.db, request.params.id);
      if (!key) throw notFound("API key");
      if (await revokeApiKey(db.db, key.id, clock.now())) {
        await audit(db.db, clock, request, { action: "api_key.revoke", targetType: "api_key", targetId: key.id, details: { name: key.name, prefix: key.prefix } });
      }
      return keyOut((await getApiKey(db.db, key.id))!);
    },
  );
}
