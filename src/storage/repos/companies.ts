import type { Selectable, Updateable } from "kysely";
import { NotFoundError, withDbErrors } from "../errors.js";
import type { CompaniesTable } from "../schema.js";
import {
  affected,
  matchesAny,
  decodeCursor,
  fromDbInstant,
  fromFlag,
  fromJson,
  insertReturningId,
  keysetPage,
  pageLimit,
  toDbInstant,
  toFlag,
  toJson,
  type Db,
} from "./repo-helpers.js";
import type { Page, PageOptions } from "./types.js";
import type { RealmProfile } from "../../domain/realm-profile.js";
import type { TaxDefaults } from "../../domain/tax-defaults.js";

export type TaxMode = "none" | "inclusive";
/** What a sync does when a linked document was deleted in QuickBooks (docs/domain.md). */
export type OnDeletedInQbo = "report" | "recreate";
/**
 * Who set the tax settings: never touched, detected from the QuickBooks company, or chosen by a
 * person (a re-check then shows what it detected but only overwrites when asked to).
 */
export type TaxSettingsSource = "default" | "detected" | "user";

/** The last reading of the QuickBooks company's settings and the defaults chosen from it. */
export interface RealmCheck {
  checkedAt: Date;
  profile: RealmProfile;
  defaults: TaxDefaults;
}

export interface Company {
  id: number;
  /** NUIS, upper-case. */
  code: string;
  name: string;
  timezone: string;
  homeCurrency: string;
  taxMode: TaxMode;
  vatTaxCodeId: string | null;
  /** VAT rate (as text, e.g. "20") → QBO tax code id. */
  vatRateCodes: Record<string, string> | null;
  incomeItemId: string | null;
  expenseAccountId: string | null;
  onDeletedInQbo: OnDeletedInQbo;
  active: boolean;
  taxSettingsSource: TaxSettingsSource;
  /** Null until QuickBooks was read once (on connect or re-check). */
  realmCheck: RealmCheck | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CompanySettings {
  name: string;
  timezone: string;
  homeCurrency: string;
  taxMode: TaxMode;
  vatTaxCodeId: string | null;
  vatRateCodes: Record<string, string> | null;
  incomeItemId: string | null;
  expenseAccountId: string | null;
  onDeletedInQbo: OnDeletedInQbo;
  active: boolean;
}

export type NewCompany = { code: string; name: string } & Partial<Omit<CompanySettings, "name">>;

/** Settings whose change makes the tax settings a person's choice (see TaxSettingsSource). */
export const TAX_SETTING_KEYS = ["taxMode", "vatTaxCodeId", "vatRateCodes"] as const;

/** NUIS are compared upper-case without surrounding blanks. */
export function normaliseCompanyCode(code: string): string {
  return code.trim().toUpperCase();
}

export function companyFromRow(row: Selectable<CompaniesTable>): Company {
  return {
    id: Number(row.id),
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    homeCurrency: row.home_currency,
    taxMode: row.tax_mode as TaxMode,
    vatTaxCodeId: row.vat_tax_code_id,
    vatRateCodes: fromJson<Record<string, string>>(row.vat_rate_codes),
    incomeItemId: row.income_item_id,
    expenseAccountId: row.expense_account_id,
    onDeletedInQbo: row.on_deleted_in_qbo as OnDeletedInQbo,
    active: fromFlag(row.active),
    taxSettingsSource: row.tax_settings_source as TaxSettingsSource,
    realmCheck: realmCheckFromRow(row),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

function realmCheckFromRow(row: Selectable<CompaniesTable>): RealmCheck | null {
  const stored = fromJson<Omit<RealmCheck, "checkedAt">>(row.qbo_realm_check);
  if (!stored || !row.qbo_realm_checked_at) return null;
  return { checkedAt: fromDbInstant(row.qbo_realm_checked_at), profile: stored.profile, defaults: stored.defaults };
}

/** Throws UniqueViolationError when the (normalised) code exists. */
export async function createCompany(db: Db, input: NewCompany, now: Date): Promise<Company> {
  const at = toDbInstant(now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "companies", {
      code: normaliseCompanyCode(input.code),
      name: input.name,
      ...settingsToRow(input),
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getCompany(db, id))!;
}

export async function getCompany(db: Db, id: number): Promise<Company | undefined> {
  const row = await db.selectFrom("companies").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? companyFromRow(row) : undefined;
}

export async function getCompanyByCode(db: Db, code: string): Promise<Company | undefined> {
  const row = await db.selectFrom("companies").selectAll().where("code", "=", normaliseCompanyCode(code)).executeTakeFirst();
  return row ? companyFromRow(row) : undefined;
}

export async function getCompaniesByIds(db: Db, ids: readonly number[]): Promise<Company[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("companies").selectAll().where("id", "in", [...ids]).orderBy("id").execute();
  return rows.map(companyFromRow);
}

export interface ListCompaniesOptions extends PageOptions {
  /** Case-insensitive substring of the name or the code. */
  search?: string;
  active?: boolean;
  /** Only companies this user was granted `view` on (see users.ts for admins). */
  visibleToUserId?: number;
  /** Only companies this API key was granted `view` on. */
  visibleToApiKeyId?: number;
}

/** Ordered by name, then id (keyset paging). */
export async function listCompanies(db: Db, options: ListCompaniesOptions = {}): Promise<Page<Company>> {
  const limit = pageLimit(options);
  return keysetPage(
    limit,
    (n) => {
      let query = db.selectFrom("companies").selectAll();
      if (options.search) query = query.where(matchesAny(["name", "code"], options.search));
      if (options.active !== undefined) query = query.where("active", "=", toFlag(options.active));
      if (options.visibleToUserId !== undefined) {
        const userId = options.visibleToUserId;
        query = query.where("id", "in", (eb) =>
          eb.selectFrom("user_company_access").select("company_id").where("user_id", "=", userId).where("can_view", "=", 1),
        );
      }
      if (options.visibleToApiKeyId !== undefined) {
        const keyId = options.visibleToApiKeyId;
        query = query.where("id", "in", (eb) =>
          eb.selectFrom("api_key_company_access").select("company_id").where("api_key_id", "=", keyId).where("can_view", "=", 1),
        );
      }
      if (options.cursor) {
        const [name, id] = decodeCursor(options.cursor, ["string", "number"]) as [string, number];
        query = query.where((eb) => eb.or([eb("name", ">", name), eb.and([eb("name", "=", name), eb("id", ">", id)])]));
      }
      return query.orderBy("name").orderBy("id").limit(n).execute();
    },
    companyFromRow,
    (row) => [row.name, Number(row.id)],
  );
}

/**
 * Changes the given settings (the code never changes). Throws NotFoundError. Writing a tax
 * setting makes the tax settings the caller's choice (`user`), so a later re-check of
 * QuickBooks does not silently replace them; detection writes through company-realm-check.ts.
 */
export async function updateCompany(db: Db, id: number, patch: Partial<CompanySettings>, now: Date): Promise<Company> {
  const result = await withDbErrors(() =>
    db
      .updateTable("companies")
      .set({ ...settingsToRow(patch), ...(patch.name !== undefined ? { name: patch.name } : {}), updated_at: toDbInstant(now) })
      .where("id", "=", id)
      .executeTakeFirst(),
  );
  if (affected(result) === 0) throw new NotFoundError("company", id);
  return (await getCompany(db, id))!;
}

/** Deletes the company and (by cascade) everything it owns. */
export async function deleteCompany(db: Db, id: number): Promise<boolean> {
  const result = await withDbErrors(() => db.deleteFrom("companies").where("id", "=", id).executeTakeFirst());
  return affected(result) > 0;
}

function settingsToRow(s: Partial<CompanySettings>): Updateable<CompaniesTable> {
  const row: Updateable<CompaniesTable> = {};
  if (s.timezone !== undefined) row.timezone = s.timezone;
  if (s.homeCurrency !== undefined) row.home_currency = s.homeCurrency.toUpperCase();
  if (s.taxMode !== undefined) row.tax_mode = s.taxMode;
  if (s.vatTaxCodeId !== undefined) row.vat_tax_code_id = s.vatTaxCodeId;
  if (s.vatRateCodes !== undefined) row.vat_rate_codes = toJson(s.vatRateCodes);
  if (s.incomeItemId !== undefined) row.income_item_id = s.incomeItemId;
  if (s.expenseAccountId !== undefined) row.expense_account_id = s.expenseAccountId;
  if (s.onDeletedInQbo !== undefined) row.on_deleted_in_qbo = s.onDeletedInQbo;
  if (s.active !== undefined) row.active = toFlag(s.active);
  if (TAX_SETTING_KEYS.some((k) => s[k] !== undefined)) row.tax_settings_source = "user" satisfies TaxSettingsSource;
  return row;
}
