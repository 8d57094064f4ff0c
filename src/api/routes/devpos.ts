import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  deleteDevposCredentials,
  getDevposCredentials,
  recordDevposError,
  recordDevposOk,
  upsertDevposCredentials,
  type DevposCredentials,
} from "../../storage/repos/devpos-credentials.js";
import { audit } from "../audit.js";
import { requireCompany } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { emptyBody, errorResponses, idParams, iso, nullableInstant, OBJECT_BODY, text } from "../schemas/common.js";

const credentialsSchema = z.object({
  configured: z.boolean(),
  tenant: z.string().nullable(),
  username: z.string().nullable(),
  status: z.enum(["not_configured", "ok", "failing", "untested"]),
  last_ok_at: nullableInstant,
  last_error: z.string().nullable(),
  updated_at: nullableInstant,
}).describe("The company's DevPos login. The password is write-only: it is never returned.");

function credentialsOut(c: DevposCredentials | undefined): z.infer<typeof credentialsSchema> {
  if (!c) return { configured: false, tenant: null, username: null, status: "not_configured", last_ok_at: null, last_error: null, updated_at: null };
  return {
    configured: true,
    tenant: c.tenant,
    username: c.username,
    status: c.lastError ? "failing" : c.lastOkAt ? "ok" : "untested",
    last_ok_at: iso(c.lastOkAt),
    last_error: c.lastError,
    updated_at: iso(c.updatedAt),
  };
}

const credentialsBody = z.strictObject(
  {
    tenant: text("tenant", 20, 1).transform((v) => v.trim()),
    username: text("username", 200, 1).transform((v) => v.trim()),
    password: z
      .string({ error: (i) => (i.input === undefined ? "password is required" : "password must be text") })
      .min(1, "password must not be empty")
      .max(500, "password must be at most 500 characters long"),
  },
  OBJECT_BODY,
);

/** DevPos credentials: set (password sealed at rest), read without the password, test, remove. */
export function registerDevposRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  r.get(
    "/api/companies/:id/devpos",
    { schema: { tags: ["connections"], summary: "The company's DevPos login (never the password)", params: idParams, response: { 200: credentialsSchema, ...errorResponses } } },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      return credentialsOut(await getDevposCredentials(db.db, company.id));
    },
  );

  r.put(
    "/api/companies/:id/devpos",
    {
      schema: {
        tags: ["connections"],
        summary: "Set the company's DevPos login",
        params: idParams,
        body: credentialsBody,
        response: { 200: credentialsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      const box = ctx.deps.secrets;
      if (!box) throw new HttpError(503, "not_configured", "This server has no secret key configured, so it cannot store passwords.");
      const { tenant, username, password } = request.body;
      const saved = await upsertDevposCredentials(db.db, box, company.id, { tenant, username, password }, clock.now());
      await audit(db.db, clock, request, { action: "devpos.credentials_set", companyId: company.id, targetType: "company", targetId: company.id, details: { tenant, username } });
      return credentialsOut(saved);
    },
  );

  r.delete(
    "/api/companies/:id/devpos",
    { schema: { tags: ["connections"], summary: "Remove the company's DevPos login", params: idParams, response: { 200: credentialsSchema, ...errorResponses } } },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      if (await deleteDevposCredentials(db.db, company.id)) {
        await audit(db.db, clock, request, { action: "devpos.credentials_delete", companyId: company.id, targetType: "company", targetId: company.id });
      }
      return credentialsOut(undefined);
    },
  );

  r.post(
    "/api/companies/:id/devpos/test",
    {
      schema: {
        tags: ["connections"],
        summary: "Log in to DevPos with the stored credentials",
        params: idParams,
        body: emptyBody,
        response: { 200: z.object({ ok: z.boolean(), message: z.string(), credentials: credentialsSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      if (!(await getDevposCredentials(db.db, company.id))) throw new HttpError(409, "not_configured", "Set the DevPos login first.");
      const tester = ctx.deps.devposTester;
      if (!tester) throw new HttpError(503, "not_configured", "DevPos is not configured on this server.");
      const result = await tester.testCredentials({ companyId: company.id });
      const now = clock.now();
      if (result.ok) await recordDevposOk(db.db, company.id, now);
      else if (result.reason === "unavailable") throw new HttpError(502, "devpos_unavailable", `DevPos could not be reached: ${result.message}`);
      else await recordDevposError(db.db, company.id, result.message.slice(0, 1000), now);
      await audit(db.db, clock, request, { action: "devpos.test", companyId: company.id, targetType: "company", targetId: company.id, details: { ok: result.ok } });
      return {
        ok: result.ok,
        message: result.ok ? "DevPos accepted the login." : result.message,
        credentials: credentialsOut(await getDevposCredentials(db.db, company.id)),
      };
    },
  );
}
