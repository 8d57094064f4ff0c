import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { RealmProfile } from "../../domain/realm-profile.js";
import { chooseTaxDefaults, type TaxDefaults } from "../../domain/tax-defaults.js";
import { getCompany, type Company } from "../../storage/repos/companies.js";
import { applyDetectedTaxSettings, saveRealmCheck } from "../../storage/repos/company-realm-check.js";
import { getQboConnection } from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { QboNotConnectedError } from "./errors.js";
import type { QboClient } from "./qbo-client.js";
import { readRealmProfile } from "./realm-profile.js";

export interface RealmCheckDeps {
  db: Db;
  clock: Clock;
  clientFor(companyId: number): Pick<QboClient, "companyInfo" | "request" | "queryAll">;
  logger?: Logger;
}

/**
 * `unless_chosen`: write the detected tax settings unless a person chose them (on connect, and
 * a plain re-check); `force`: write them anyway (a re-check with apply=true).
 */
export type RealmCheckApply = "unless_chosen" | "force";

export interface RealmCheckOutcome {
  profile: RealmProfile;
  defaults: TaxDefaults;
  /** Whether the detected tax settings were written to the company. */
  applied: boolean;
  /** The company after the check (its settings as they are now). */
  company: Company;
}

/**
 * Reads the connected QuickBooks company's settings, stores them with the defaults they imply
 * (so the settings page shows them before any sync), and applies those defaults where allowed.
 * Throws QboNotConnectedError when there is no usable connection; QuickBooks errors propagate.
 */
export async function checkRealm(deps: RealmCheckDeps, companyId: number, apply: RealmCheckApply): Promise<RealmCheckOutcome> {
  const connection = await getQboConnection(deps.db, companyId);
  if (!connection || connection.status !== "connected" || !connection.realmId) {
    throw new QboNotConnectedError(companyId, connection?.status === "reauth_required" ? "reauth_required" : connection ? "disconnected" : "missing");
  }
  const before = await getCompany(deps.db, companyId);
  if (!before) throw new QboNotConnectedError(companyId, "missing");
  const profile = await readRealmProfile(deps.clientFor(companyId), connection.realmId);
  const defaults = chooseTaxDefaults(profile, before);
  const now = deps.clock.now();
  await saveRealmCheck(deps.db, companyId, { profile, defaults }, now);
  const applied = await applyDetectedTaxSettings(deps.db, companyId, defaults.choice, { force: apply === "force" }, now);
  const company = (await getCompany(deps.db, companyId))!;
  deps.logger?.info(
    { companyId, realmId: profile.realmId, vat: profile.vat, multicurrency: profile.multicurrency, taxMode: defaults.choice.taxMode, applied, warnings: defaults.warnings.map((w) => w.code) },
    "quickbooks company settings checked",
  );
  return { profile, defaults, applied, company };
}
