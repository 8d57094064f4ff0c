import type { DbHandle } from "../../storage/db.js";
import { listVisibleCompanyIds } from "../../storage/repos/api-access.js";
import { apiKeyPermissionsFor } from "../../storage/repos/api-keys.js";
import { getCompany, type Company } from "../../storage/repos/companies.js";
import { NO_PERMISSIONS, type CompanyPermissions } from "../../storage/repos/types.js";
import { permissionsFor } from "../../storage/repos/users.js";
import { HttpError } from "../http-error.js";
import type { Caller } from "./caller.js";

export type CompanyPermission = keyof CompanyPermissions;

const PERMISSION_WORDS: Record<CompanyPermission, string> = {
  view: "view this company",
  run: "run syncs for this company",
  manageSchedules: "manage this company's schedules",
  editConnections: "change this company's connections and settings",
};

/** What the caller may do in the company: nothing for an unknown company. */
export async function callerPermissions(db: DbHandle, caller: Caller | null, companyId: number): Promise<CompanyPermissions> {
  if (!caller) return { ...NO_PERMISSIONS };
  if (caller.kind === "user") return permissionsFor(db.db, caller.user.id, companyId);
  const scope = await apiKeyPermissionsFor(db.db, caller.apiKey.id, companyId);
  // A key may outlive its company's row only for a moment (cascade); check it exists.
  return scope.view && (await getCompany(db.db, companyId)) ? scope : { ...NO_PERMISSIONS };
}

export function notFound(what: string): HttpError {
  return new HttpError(404, "not_found", `That ${what} does not exist or you may not see it.`);
}

/**
 * The one guard of every company-scoped route. A company the caller may not view answers 404,
 * exactly like one that does not exist, so ids of other companies reveal nothing; a visible
 * company without the needed permission answers 403.
 */
export async function requireCompany(db: DbHandle, request: { caller: Caller | null }, companyId: number, permission: CompanyPermission): Promise<Company> {
  const permissions = await callerPermissions(db, request.caller, companyId);
  if (!permissions.view) throw notFound("company");
  const company = await getCompany(db.db, companyId);
  if (!company) throw notFound("company");
  if (!permissions[permission]) throw new HttpError(403, "forbidden", `You may not ${PERMISSION_WORDS[permission]}.`);
  return company;
}

/** Companies the caller may list: undefined for admins (all), else the granted ids. */
export async function visibleCompanyIds(db: DbHandle, caller: Caller | null): Promise<number[] | undefined> {
  if (!caller) return [];
  if (caller.kind === "user") return caller.user.role === "admin" ? undefined : listVisibleCompanyIds(db.db, { userId: caller.user.id });
  return listVisibleCompanyIds(db.db, { apiKeyId: caller.apiKey.id });
}

/**
 * For routes addressed by the id of something a company owns (schedule, run): the caller must
 * see the owning company, else the thing "does not exist" (404); then needs `permission` (403).
 */
export async function requireOwnedBy(db: DbHandle, request: { caller: Caller | null }, what: string, companyId: number | undefined, permission: CompanyPermission): Promise<void> {
  if (companyId === undefined) throw notFound(what);
  const permissions = await callerPermissions(db, request.caller, companyId);
  if (!permissions.view) throw notFound(what);
  if (!permissions[permission]) throw new HttpError(403, "forbidden", `You may not ${PERMISSION_WORDS[permission]}.`);
}
