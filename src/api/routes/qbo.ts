import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { getQboConnection, type QboConnection } from "../../storage/repos/qbo-connections.js";
import { audit } from "../audit.js";
import { requireCompany } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import type { ConnectorFailure, QboCandidate, QboCatalog } from "../deps.js";
import { HttpError } from "../http-error.js";
import { emptyBody, errorEnvelopeSchema, errorResponses, idParams, iso, nullableInstant, OBJECT_BODY } from "../schemas/common.js";
import { NEAR_HARD_EXPIRY_DAYS, realmCheckOut, realmCheckSchema, taxSettingsSourceSchema } from "../schemas/companies.js";
import { getCompany } from "../../storage/repos/companies.js";

const statusSchema = z.object({
  status: z.enum(["not_connected", "connected", "reauth_required", "disconnected"]),
  reconnect_needed: z.boolean().describe("QuickBooks refused the refresh token: connect again."),
  near_hard_expiry: z.boolean().describe(`The grant ends within ${NEAR_HARD_EXPIRY_DAYS} days: connect again before then.`),
  realm_id: z.string().nullable(),
  environment: z.string().nullable(),
  access_expires_at: nullableInstant,
  refresh_expires_at: nullableInstant,
  refresh_hard_expires_at: nullableInstant,
  last_refreshed_at: nullableInstant,
  connected_at: nullableInstant,
  last_error: z.string().nullable(),
});

function statusOut(c: QboConnection | undefined, now: Date): z.infer<typeof statusSchema> {
  const hard = c?.refreshHardExpiresAt ?? null;
  return {
    status: c ? c.status : "not_connected",
    reconnect_needed: c?.status === "reauth_required",
    near_hard_expiry: c?.status === "connected" && hard !== null && hard.getTime() - now.getTime() < NEAR_HARD_EXPIRY_DAYS * 86_400_000,
    realm_id: c?.realmId ?? null,
    environment: c ? c.environment : null,
    access_expires_at: iso(c?.accessExpiresAt),
    refresh_expires_at: iso(c?.refreshExpiresAt),
    refresh_hard_expires_at: iso(hard),
    last_refreshed_at: iso(c?.lastRefreshedAt),
    connected_at: iso(c?.connectedAt),
    last_error: c?.lastError ?? null,
  };
}

const candidatesSchema = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), detail: z.string().nullable() })) });

const html = z.string().describe("An HTML page for the OAuth popup; it tells the opener with postMessage and closes.");
const htmlResponse = (description: string) => ({ description, content: { "text/html": { schema: html } } });
const htmlOrErrorResponse = (description: string) => ({
  description,
  content: { "text/html": { schema: html }, "application/json": { schema: errorEnvelopeSchema } },
});

/** HTTP status for an expected connector failure. */
export function failureStatus(failure: ConnectorFailure): number {
  switch (failure.reason) {
    case "not_connected":
    case "realm_in_use":
      return 409;
    case "invalid_state":
    case "rejected":
      return 400;
    case "not_configured":
      return 503;
    case "unavailable":
      return 502;
  }
}

function failure(f: ConnectorFailure): HttpError {
  return new HttpError(failureStatus(f), f.reason, f.message);
}

/** QuickBooks: connection status, connect (OAuth popup), callback, disconnect, candidate lists. */
export function registerQboRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  function service<K extends "qboConnect" | "qboCatalog" | "qboRealmCheck">(name: K): NonNullable<ApiContext["deps"][K]> {
    const dep = ctx.deps[name];
    if (!dep) throw new HttpError(503, "not_configured", "QuickBooks is not configured on this server (QBO_CLIENT_ID, QBO_CLIENT_SECRET).");
    return dep as NonNullable<ApiContext["deps"][K]>;
  }

  r.get(
    "/api/companies/:id/qbo",
    { schema: { tags: ["connections"], summary: "QuickBooks connection status and token expiries", params: idParams, response: { 200: statusSchema, ...errorResponses } } },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      return statusOut(await getQboConnection(db.db, company.id), clock.now());
    },
  );

  r.post(
    "/api/companies/:id/qbo/connect",
    {
      schema: {
        tags: ["connections"],
        summary: "Start connecting to QuickBooks: open `authorize_url` in a popup",
        params: idParams,
        body: emptyBody,
        response: { 200: z.object({ authorize_url: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      const caller = request.caller!;
      const result = await service("qboConnect").startConnect({ companyId: company.id, userId: caller.kind === "user" ? caller.user.id : null });
      if (!result.ok) throw failure(result);
      await audit(db.db, clock, request, { action: "qbo.connect_start", companyId: company.id, targetType: "company", targetId: company.id });
      return { authorize_url: result.authorizeUrl };
    },
  );

  r.get(
    "/api/qbo/callback",
    {
      schema: {
        tags: ["connections"],
        summary: "Where Intuit sends the browser back after consent (the redirect URI)",
        security: [],
        querystring: z.object({
          code: z.string().max(2000).optional(),
          state: z.string().max(2000).optional(),
          realmId: z.string().max(64).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(2000).optional(),
        }),
        response: {
          200: htmlResponse("Connected."),
          "4xx": htmlOrErrorResponse("The connection failed; the page says why."),
          "5xx": htmlOrErrorResponse("QuickBooks is not configured or could not be reached."),
        },
      },
      // The page's small script and style run under per-request nonces (security-headers.ts).
      config: { access: "public" },
      helmet: { enableCSPNonces: true },
    },
    async (request, reply) => {
      const { code, state, realmId, error } = request.query;
      if (!state) {
        return page(reply, 400, false, null, error === "access_denied" ? "You cancelled the connection to QuickBooks." : "The link back from QuickBooks is incomplete. Start the connection again.");
      }
      const connect = ctx.deps.qboConnect;
      if (!connect) return page(reply, 503, false, null, "QuickBooks is not configured on this server.");
      const caller = request.caller;
      const result = await connect.completeConnect({
        state,
        code: code ?? null,
        realmId: realmId ?? null,
        error: error ?? null,
        userId: caller?.kind === "user" ? caller.user.id : null,
      });
      if (!result.ok) return page(reply, failureStatus(result), false, null, result.message);
      await audit(db.db, clock, request, { action: "qbo.connect", companyId: result.companyId, targetType: "company", targetId: result.companyId, details: { realm_id: result.realmId } });
      return page(reply, 200, true, result.companyId, "QuickBooks is connected. You can close this window.");
    },
  );

  r.post(
    "/api/companies/:id/qbo/disconnect",
    {
      schema: { tags: ["connections"], summary: "Disconnect QuickBooks (revokes the grant)", params: idParams, body: emptyBody, response: { 200: statusSchema, ...errorResponses } },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      const result = await service("qboConnect").disconnect({ companyId: company.id });
      if (!result.ok && result.reason !== "not_connected") throw failure(result);
      await audit(db.db, clock, request, { action: "qbo.disconnect", companyId: company.id, targetType: "company", targetId: company.id });
      return statusOut(await getQboConnection(db.db, company.id), clock.now());
    },
  );

  r.post(
    "/api/companies/:id/qbo/recheck",
    {
      schema: {
        tags: ["connections"],
        summary: "Read the QuickBooks company's settings again (VAT, tax codes, currencies) and apply the tax settings they imply",
        description:
          "Detected tax settings are written unless a person chose the company's tax settings; `apply: true` writes them anyway. " +
          "The answer says what was read, what devsync would use and why, what was applied, and the warnings.",
        params: idParams,
        body: z.strictObject({ apply: z.boolean({ error: () => "apply must be true or false" }).optional() }, OBJECT_BODY).nullish(),
        response: {
          200: z.object({
            qbo_settings: realmCheckSchema,
            applied: z.boolean().describe("The detected tax settings were written to the company."),
            tax_settings: z.object({ tax_mode: z.enum(["none", "inclusive"]), vat_tax_code_id: z.string().nullable(), vat_rate_codes: z.record(z.string(), z.string()).nullable(), source: taxSettingsSourceSchema }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      const apply = request.body?.apply ?? false;
      const result = await service("qboRealmCheck").recheck({ companyId: company.id, apply });
      if (!result.ok) throw failure(result);
      const now = clock.now();
      const updated = (await getCompany(db.db, company.id))!;
      await audit(db.db, clock, request, {
        action: "qbo.recheck",
        companyId: company.id,
        targetType: "company",
        targetId: company.id,
        details: { apply, applied: result.check.applied, vat: result.check.profile.vat, tax_mode: updated.taxMode, warnings: result.check.defaults.warnings.map((w) => w.code) },
      });
      return {
        qbo_settings: realmCheckOut({ checkedAt: updated.realmCheck?.checkedAt ?? now, profile: result.check.profile, defaults: result.check.defaults }),
        applied: result.check.applied,
        tax_settings: { tax_mode: updated.taxMode, vat_tax_code_id: updated.vatTaxCodeId, vat_rate_codes: updated.vatRateCodes, source: updated.taxSettingsSource },
      };
    },
  );

  const lists: [string, string, keyof QboCatalog][] = [
    ["income-items", "Items that can carry sales income (for the income item setting)", "listIncomeItems"],
    ["expense-accounts", "Expense accounts (for the expense account setting)", "listExpenseAccounts"],
    ["tax-codes", "Tax codes (for the VAT code setting)", "listTaxCodes"],
  ];
  for (const [path, summary, method] of lists) {
    r.get(
      `/api/companies/:id/qbo/${path}`,
      { schema: { tags: ["connections"], summary: `${summary}, read from QuickBooks`, params: idParams, response: { 200: candidatesSchema, ...errorResponses } } },
      async (request) => {
        const company = await requireCompany(db, request, request.params.id, "view");
        const result = await service("qboCatalog")[method](company.id);
        if (!result.ok) throw failure(result);
        return { items: result.items.map((c: QboCandidate) => ({ id: c.id, name: c.name, detail: c.detail ?? null })) };
      },
    );
  }
}

function page(reply: FastifyReply, status: number, ok: boolean, companyId: number | null, message: string) {
  const payload = JSON.stringify({ type: "devsync:qbo-connect", ok, company_id: companyId, message }).replace(/</g, "\\u003c");
  const nonce = reply.cspNonce;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${ok ? "QuickBooks connected" : "QuickBooks connection failed"}</title>
<style nonce="${nonce?.style ?? ""}">body { font-family: system-ui, sans-serif; margin: 3rem; color: #1f2933 } h1 { font-size: 1.3rem }</style></head>
<body>
<h1>${ok ? "QuickBooks is connected" : "QuickBooks was not connected"}</h1>
<p>${escapeHtml(message)}</p>
<script nonce="${nonce?.script ?? ""}">
  if (window.opener) { window.opener.postMessage(${payload}, window.location.origin); ${ok ? "setTimeout(function () { window.close(); }, 800);" : ""} }
</script>
</body></html>`;
  return reply.code(status).type("text/html; charset=utf-8").serializer((x: unknown) => String(x)).send(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
