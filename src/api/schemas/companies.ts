import { IANAZone } from "luxon";
import { z } from "zod";
import { NUIS_PATTERN, normaliseNuis } from "../../domain/company.js";
import type { Company } from "../../storage/repos/companies.js";
import type { CompanyHealth } from "../../storage/repos/api-overview.js";
import type { CompanyPermissions } from "../../storage/repos/types.js";
import { nextRunText } from "../../domain/next-run-text.js";
import { instant, iso, nullableInstant, permissionsOut, permissionsSchema, text } from "./common.js";

/** A connection whose grant ends within this many days is flagged on the overview. */
export const NEAR_HARD_EXPIRY_DAYS = 14;

export const timezoneField = text("timezone", 64).refine((zone) => IANAZone.isValidZone(zone), "timezone must be an IANA time zone such as Europe/Tirane");

export const currencyField = text("home_currency", 3)
  .transform((c) => c.trim().toUpperCase())
  .refine((c) => /^[A-Z]{3}$/.test(c), "home_currency must be a 3-letter ISO currency code such as ALL");

export const codeField = text("code", 20)
  .transform(normaliseNuis)
  .refine((code) => NUIS_PATTERN.test(code), "code must be a NUIS: a letter, 8 digits and a letter, e.g. K12345678A");

const qboId = (field: string) => text(field, 32, 1).regex(/^[A-Za-z0-9_.:-]+$/, `${field} must be a QuickBooks id`);

export const companySettingsInput = {
  name: text("name", 200)
    .transform((v) => v.trim())
    .refine((v) => v.length > 0, "name must not be empty"),
  timezone: timezoneField,
  home_currency: currencyField,
  tax_mode: z.enum(["none", "inclusive"], "tax_mode must be none or inclusive"),
  vat_tax_code_id: qboId("vat_tax_code_id").nullable(),
  vat_rate_codes: z
    .record(z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, "vat_rate_codes keys must be VAT rates such as 20 or 6"), qboId("vat_rate_codes value"), "vat_rate_codes must map VAT rates to QuickBooks tax code ids")
    .refine((r) => Object.keys(r).length <= 20, "vat_rate_codes may have at most 20 rates")
    .nullable(),
  income_item_id: qboId("income_item_id").nullable(),
  expense_account_id: qboId("expense_account_id").nullable(),
  on_deleted_in_qbo: z.enum(["report", "recreate"], "on_deleted_in_qbo must be report or recreate"),
  active: z.boolean({ error: () => "active must be true or false" }),
};

const healthSchema = z.object({
  devpos: z.object({
    configured: z.boolean(),
    status: z.enum(["not_configured", "ok", "failing", "untested"]),
    last_ok_at: nullableInstant,
    last_error: z.string().nullable(),
  }),
  qbo: z.object({
    status: z.enum(["not_connected", "connected", "reauth_required", "disconnected"]),
    reconnect_needed: z.boolean(),
    near_hard_expiry: z.boolean(),
    refresh_hard_expires_at: nullableInstant,
  }),
  last_run: z
    .object({ id: z.number().int(), status: z.string(), job_type: z.string(), trigger: z.string(), created_at: instant, finished_at: nullableInstant })
    .nullable(),
  next_run_at: nullableInstant,
  next_run_text: z.string(),
  schedule_count: z.number().int(),
});

export const companySchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  timezone: z.string(),
  home_currency: z.string(),
  tax_mode: z.enum(["none", "inclusive"]),
  vat_tax_code_id: z.string().nullable(),
  vat_rate_codes: z.record(z.string(), z.string()).nullable(),
  income_item_id: z.string().nullable(),
  expense_account_id: z.string().nullable(),
  on_deleted_in_qbo: z.enum(["report", "recreate"]),
  active: z.boolean(),
  created_at: instant,
  updated_at: instant,
  permissions: permissionsSchema.describe("What the caller may do in this company."),
  health: healthSchema,
});

export function companyOut(company: Company, permissions: CompanyPermissions, health: CompanyHealth, now: Date): z.infer<typeof companySchema> {
  const hardExpiry = health.qbo.refreshHardExpiresAt;
  const lastRun = health.lastRun;
  return {
    id: company.id,
    code: company.code,
    name: company.name,
    timezone: company.timezone,
    home_currency: company.homeCurrency,
    tax_mode: company.taxMode,
    vat_tax_code_id: company.vatTaxCodeId,
    vat_rate_codes: company.vatRateCodes,
    income_item_id: company.incomeItemId,
    expense_account_id: company.expenseAccountId,
    on_deleted_in_qbo: company.onDeletedInQbo,
    active: company.active,
    created_at: iso(company.createdAt),
    updated_at: iso(company.updatedAt),
    permissions: permissionsOut(permissions),
    health: {
      devpos: {
        configured: health.devpos.configured,
        status: !health.devpos.configured ? "not_configured" : health.devpos.lastError ? "failing" : health.devpos.lastOkAt ? "ok" : "untested",
        last_ok_at: iso(health.devpos.lastOkAt),
        last_error: health.devpos.lastError,
      },
      qbo: {
        status: health.qbo.status,
        reconnect_needed: health.qbo.status === "reauth_required",
        near_hard_expiry:
          health.qbo.status === "connected" && hardExpiry !== null && hardExpiry.getTime() - now.getTime() < NEAR_HARD_EXPIRY_DAYS * 86_400_000,
        refresh_hard_expires_at: iso(hardExpiry),
      },
      last_run: lastRun
        ? { id: lastRun.id, status: lastRun.status, job_type: lastRun.jobType, trigger: lastRun.trigger, created_at: iso(lastRun.createdAt), finished_at: iso(lastRun.finishedAt) }
        : null,
      next_run_at: iso(health.nextRunAt),
      next_run_text: health.scheduleCount === 0 ? "No schedule" : nextRunText(health.nextRunAt, now, company.timezone),
      schedule_count: health.scheduleCount,
    },
  };
}
