import { IANAZone } from "luxon";
import { z } from "zod";
import { NUIS_PATTERN, normaliseNuis } from "../../domain/company.js";
import type { Company, RealmCheck } from "../../storage/repos/companies.js";
import type { RealmProfile } from "../../domain/realm-profile.js";
import type { TaxDefaults } from "../../domain/tax-defaults.js";
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

const taxModeSchema = z.enum(["none", "inclusive"]);
const rateCodesSchema = z.record(z.string(), z.string()).nullable();

/** What devsync read from the QuickBooks company and the tax settings it implies. */
export const realmCheckSchema = z.object({
  checked_at: instant,
  realm_id: z.string(),
  country: z.string().nullable(),
  company_name: z.string().nullable(),
  home_currency: z.string().nullable(),
  multicurrency: z.boolean(),
  vat: z.boolean().describe("VAT/sales tax is on in QuickBooks: every line needs a tax code."),
  tax_codes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      active: z.boolean(),
      tax_group: z.boolean(),
      sales_rate: z.number().nullable().describe("Percent."),
      purchase_rate: z.number().nullable().describe("Percent."),
    }),
  ),
  detected: z.object({ tax_mode: taxModeSchema, vat_tax_code_id: z.string().nullable(), vat_rate_codes: rateCodesSchema }).describe("The tax settings devsync would use."),
  reasons: z.array(z.string()).describe("Why, one sentence per decision."),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })).describe("QuickBooks settings that will make documents fail, or need a choice."),
});

export const taxSettingsSourceSchema = z
  .enum(["default", "detected", "user"])
  .describe("Who set tax_mode, vat_tax_code_id and vat_rate_codes: untouched, detected from QuickBooks, or a person (a re-check then overwrites only with apply=true).");

export function realmCheckOut(check: { checkedAt: Date; profile: RealmProfile; defaults: TaxDefaults }): z.infer<typeof realmCheckSchema> {
  const { profile, defaults } = check;
  return {
    checked_at: iso(check.checkedAt),
    realm_id: profile.realmId,
    country: profile.country,
    company_name: profile.companyName,
    home_currency: profile.homeCurrency,
    multicurrency: profile.multicurrency,
    vat: profile.vat,
    tax_codes: profile.taxCodes.map((c) => ({ id: c.id, name: c.name, active: c.active, tax_group: c.taxGroup, sales_rate: c.salesRatePercent, purchase_rate: c.purchaseRatePercent })),
    detected: { tax_mode: defaults.choice.taxMode, vat_tax_code_id: defaults.choice.vatTaxCodeId, vat_rate_codes: defaults.choice.vatRateCodes },
    reasons: defaults.reasons,
    warnings: defaults.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

function storedRealmCheckOut(check: RealmCheck | null) {
  return check ? realmCheckOut(check) : null;
}

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
  tax_settings_source: taxSettingsSourceSchema,
  qbo_settings: realmCheckSchema.nullable().describe("The QuickBooks company's settings as last read (on connect or re-check); null: not checked yet."),
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
    tax_settings_source: company.taxSettingsSource,
    qbo_settings: storedRealmCheckOut(company.realmCheck),
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
