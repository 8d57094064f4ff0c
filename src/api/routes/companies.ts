import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { nextRunAt } from "../../domain/next-run-at.js";
import { companyHealth } from "../../storage/repos/api-overview.js";
import { createCompany, deleteCompany, listCompanies, updateCompany, type CompanySettings } from "../../storage/repos/companies.js";
import { inTransaction } from "../../storage/repos/repo-helpers.js";
import { listCompanySchedules, updateSchedule } from "../../storage/repos/schedules.js";
import { ALL_PERMISSIONS, NO_PERMISSIONS, type CompanyPermissions } from "../../storage/repos/types.js";
import { listCompanyAccessOfUser } from "../../storage/repos/users.js";
import { audit } from "../audit.js";
import type { Caller } from "../auth/caller.js";
import { callerPermissions, requireCompany } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { errorResponses, idParams, OBJECT_BODY, pageOf, pageQuery, queryBool, text } from "../schemas/common.js";
import { codeField, companySchema, companySettingsInput, companyOut, currencyField, timezoneField } from "../schemas/companies.js";
import { toScheduleFields } from "./schedule-helpers.js";

const createBody = z.strictObject(
  {
    code: codeField,
    name: companySettingsInput.name,
    timezone: timezoneField.optional(),
    home_currency: currencyField.optional(),
    tax_mode: companySettingsInput.tax_mode.optional(),
  },
  OBJECT_BODY,
);

const patchBody = z.strictObject(
  Object.fromEntries(Object.entries(companySettingsInput).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof companySettingsInput]: z.ZodOptional<(typeof companySettingsInput)[K]>;
  },
  OBJECT_BODY,
);

/** Companies: the overview list with health, detail, create and delete (admins), settings. */
export function registerCompanyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  async function permissionsOfMany(caller: Caller, ids: number[]): Promise<Map<number, CompanyPermissions>> {
    if (caller.kind === "user" && caller.user.role === "admin") return new Map(ids.map((id) => [id, { ...ALL_PERMISSIONS }]));
    const grants =
      caller.kind === "user"
        ? (await listCompanyAccessOfUser(db.db, caller.user.id)).map((g) => [g.companyId, g.permissions] as const)
        : caller.apiKey.companies.map((c) => [c.companyId, c.permissions] as const);
    const all = new Map(grants);
    return new Map(ids.map((id) => [id, all.get(id) ?? { ...NO_PERMISSIONS }]));
  }

  async function present(companyId: number, caller: Caller) {
    const company = await requireCompany(db, { caller }, companyId, "view");
    const health = (await companyHealth(db.db, [company.id])).get(company.id)!;
    return companyOut(company, await callerPermissions(db, caller, company.id), health, clock.now());
  }

  r.get(
    "/api/companies",
    {
      schema: {
        tags: ["companies"],
        summary: "Companies the caller may see, with health at a glance (paged, by name)",
        querystring: z.strictObject({ ...pageQuery, search: text("search", 100).optional(), active: queryBool("active").optional() }),
        response: { 200: pageOf(companySchema), ...errorResponses },
      },
    },
    async (request) => {
      const caller = request.caller!;
      const { limit, cursor, search, active } = request.query;
      const scope =
        caller.kind === "api_key"
          ? { visibleToApiKeyId: caller.apiKey.id }
          : caller.user.role === "admin"
            ? {}
            : { visibleToUserId: caller.user.id };
      const page = await listCompanies(db.db, { limit: limit ?? 50, cursor: cursor ?? null, search, active, ...scope });
      const ids = page.items.map((c) => c.id);
      const [health, permissions] = await Promise.all([companyHealth(db.db, ids), permissionsOfMany(caller, ids)]);
      const now = clock.now();
      return { items: page.items.map((c) => companyOut(c, permissions.get(c.id)!, health.get(c.id)!, now)), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/api/companies",
    {
      schema: { tags: ["companies"], summary: "Add a company (administrators)", body: createBody, response: { 201: companySchema, ...errorResponses } },
      config: { access: "admin" },
    },
    async (request, reply) => {
      const body = request.body;
      const company = await createCompany(
        db.db,
        { code: body.code, name: body.name, timezone: body.timezone, homeCurrency: body.home_currency, taxMode: body.tax_mode },
        clock.now(),
      );
      await audit(db.db, clock, request, { action: "company.create", companyId: company.id, targetType: "company", targetId: company.id, details: { code: company.code, name: company.name } });
      return reply.code(201).send(await present(company.id, request.caller!));
    },
  );

  r.get(
    "/api/companies/:id",
    { schema: { tags: ["companies"], summary: "One company with its health", params: idParams, response: { 200: companySchema, ...errorResponses } } },
    async (request) => present(request.params.id, request.caller!),
  );

  r.patch(
    "/api/companies/:id",
    {
      schema: {
        tags: ["companies"],
        summary: "Change company settings (time zone, tax mode, VAT code, income item, expense account…)",
        params: idParams,
        body: patchBody,
        response: { 200: companySchema, ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "editConnections");
      const b = request.body;
      const patch: Partial<CompanySettings> = {};
      if (b.name !== undefined) patch.name = b.name;
      if (b.timezone !== undefined) patch.timezone = b.timezone;
      if (b.home_currency !== undefined) patch.homeCurrency = b.home_currency;
      // The settings form sends every field: re-sending the current tax settings is not a
      // choice. Only a change makes them the person's own, kept by later re-checks.
      if (b.tax_mode !== undefined && b.tax_mode !== company.taxMode) patch.taxMode = b.tax_mode;
      if (b.vat_tax_code_id !== undefined && b.vat_tax_code_id !== company.vatTaxCodeId) patch.vatTaxCodeId = b.vat_tax_code_id;
      if (b.vat_rate_codes !== undefined && !sameRateCodes(b.vat_rate_codes, company.vatRateCodes)) patch.vatRateCodes = b.vat_rate_codes;
      if (b.income_item_id !== undefined) patch.incomeItemId = b.income_item_id;
      if (b.expense_account_id !== undefined) patch.expenseAccountId = b.expense_account_id;
      if (b.on_deleted_in_qbo !== undefined) patch.onDeletedInQbo = b.on_deleted_in_qbo;
      if (b.active !== undefined) patch.active = b.active;
      const now = clock.now();
      await inTransaction(db.db, async (trx) => {
        const updated = await updateCompany(trx, company.id, patch, now);
        if (updated.timezone !== company.timezone) {
          // Schedules without a zone of their own follow the company's: their next slot moves.
          for (const schedule of await listCompanySchedules(trx, company.id)) {
            if (schedule.timezone !== null || !schedule.enabled) continue;
            const fields = toScheduleFields(schedule);
            const rule = { ...fields, timezone: updated.timezone };
            await updateSchedule(trx, schedule.id, { ...fields, nextRunAt: nextRunAt(rule, now) }, now);
          }
        }
        await audit(trx, clock, request, { action: "company.update", companyId: company.id, targetType: "company", targetId: company.id, details: { fields: Object.keys(b) } });
      });
      return present(company.id, request.caller!);
    },
  );

  r.delete(
    "/api/companies/:id",
    {
      schema: { tags: ["companies"], summary: "Delete a company and everything it owns (administrators)", params: idParams, response: { 200: z.object({ deleted: z.literal(true), id: z.number().int() }), ...errorResponses } },
      config: { access: "admin" },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      await deleteCompany(db.db, company.id);
      await audit(db.db, clock, request, { action: "company.delete", companyId: company.id, targetType: "company", targetId: company.id, details: { code: company.code, name: company.name } });
      return { deleted: true as const, id: company.id };
    },
  );
}

function sameRateCodes(a: Record<string, string> | null, b: Record<string, string> | null): boolean {
  const canonical = (r: Record<string, string> | null) => (r ? JSON.stringify(Object.entries(r).sort(([x], [y]) => x.localeCompare(y))) : "null");
  return canonical(a) === canonical(b);
}
