import type { TaxChoice, TaxDefaults } from "../../domain/tax-defaults.js";
import type { RealmProfile } from "../../domain/realm-profile.js";
import { NotFoundError, withDbErrors } from "../errors.js";
import type { TaxSettingsSource } from "./companies.js";
import { affected, toDbInstant, toJson, type Db } from "./repo-helpers.js";

/** Stores what was read from QuickBooks and the defaults chosen from it (never tokens). */
export async function saveRealmCheck(db: Db, companyId: number, check: { profile: RealmProfile; defaults: TaxDefaults }, now: Date): Promise<void> {
  const result = await withDbErrors(() =>
    db
      .updateTable("companies")
      .set({ qbo_realm_check: toJson({ profile: check.profile, defaults: check.defaults }), qbo_realm_checked_at: toDbInstant(now) })
      .where("id", "=", companyId)
      .executeTakeFirst(),
  );
  if (affected(result) === 0) throw new NotFoundError("company", companyId);
}

/**
 * Writes detected tax settings, unless a person chose them (`user`) and `force` is not set.
 * One conditional UPDATE, so a person's change committed meanwhile is never overwritten.
 * Returns whether the settings were written.
 */
export async function applyDetectedTaxSettings(db: Db, companyId: number, choice: TaxChoice, options: { force: boolean }, now: Date): Promise<boolean> {
  let query = db
    .updateTable("companies")
    .set({
      tax_mode: choice.taxMode,
      vat_tax_code_id: choice.vatTaxCodeId,
      vat_rate_codes: toJson(choice.vatRateCodes),
      tax_settings_source: "detected" satisfies TaxSettingsSource,
      updated_at: toDbInstant(now),
    })
    .where("id", "=", companyId);
  if (!options.force) query = query.where("tax_settings_source", "<>", "user" satisfies TaxSettingsSource);
  const result = await withDbErrors(() => query.executeTakeFirst());
  return affected(result) > 0;
}
