import type { Selectable } from "kysely";
import { withDbErrors } from "../errors.js";
import type { ApiKeysTable } from "../schema.js";
import {
  affected,
  chunk,
  decodeIdCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  IN_LIST_CHUNK,
  inTransaction,
  insertReturningId,
  keysetPage,
  pageLimit,
  permissionsFromRow,
  permissionsToRow,
  toDbInstant,
  toDbInstantOrNull,
  type Db,
} from "./repo-helpers.js";
import { NO_PERMISSIONS, type CompanyPermissions, type Page, type PageOptions } from "./types.js";

/** An API key as listed: never its token or hash. */
export interface ApiKey {
  id: number;
  name: string;
  /** First characters of the key, so people can tell keys apart. */
  prefix: string;
  createdByUserId: number | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  companies: ApiKeyCompanyScope[];
}

export interface ApiKeyCompanyScope {
  companyId: number;
  permissions: CompanyPermissions;
}

export interface NewApiKey {
  name: string;
  tokenHash: string;
  prefix: string;
  createdByUserId: number | null;
  expiresAt?: Date | null;
  companies: { companyId: number; permissions: Partial<CompanyPermissions> }[];
  now: Date;
}

function keyFromRow(row: Selectable<ApiKeysTable>, companies: ApiKeyCompanyScope[]): ApiKey {
  return {
    id: Number(row.id),
    name: row.name,
    prefix: row.prefix,
    createdByUserId: row.created_by_user_id === null ? null : Number(row.created_by_user_id),
    expiresAt: fromDbInstantOrNull(row.expires_at),
    revokedAt: fromDbInstantOrNull(row.revoked_at),
    lastUsedAt: fromDbInstantOrNull(row.last_used_at),
    createdAt: fromDbInstant(row.created_at),
    companies,
  };
}

async function scopesOf(db: Db, keyIds: number[]): Promise<Map<number, ApiKeyCompanyScope[]>> {
  const scopes = new Map<number, ApiKeyCompanyScope[]>(keyIds.map((id) => [id, []]));
  for (const ids of chunk(keyIds, IN_LIST_CHUNK)) {
    if (ids.length === 0) continue;
    const rows = await db.selectFrom("api_key_company_access").selectAll().where("api_key_id", "in", ids).orderBy("company_id").execute();
    for (const r of rows) scopes.get(Number(r.api_key_id))?.push({ companyId: Number(r.company_id), permissions: permissionsFromRow(r) });
  }
  return scopes;
}

async function withScopes(db: Db, rows: Selectable<ApiKeysTable>[]): Promise<ApiKey[]> {
  const scopes = await scopesOf(db, rows.map((r) => Number(r.id)));
  return rows.map((r) => keyFromRow(r, scopes.get(Number(r.id)) ?? []));
}

/** Creates the key and its company scopes in one transaction. UniqueViolationError on a repeated hash. */
export async function createApiKey(db: Db, input: NewApiKey): Promise<ApiKey> {
  const id = await inTransaction(db, async (trx) => {
    const keyId = await withDbErrors(() =>
      insertReturningId(trx, "api_keys", {
        name: input.name,
        token_hash: input.tokenHash,
        prefix: input.prefix,
        created_by_user_id: input.createdByUserId,
        expires_at: toDbInstantOrNull(input.expiresAt),
        revoked_at: null,
        last_used_at: null,
        created_at: toDbInstant(input.now),
      }),
    );
    if (input.companies.length > 0) {
      await withDbErrors(() =>
        trx
          .insertInto("api_key_company_access")
          .values(input.companies.map((c) => ({ api_key_id: keyId, company_id: c.companyId, ...permissionsToRow(c.permissions) })))
          .execute(),
      );
    }
    return keyId;
  });
  return (await getApiKey(db, id))!;
}

export async function getApiKey(db: Db, id: number): Promise<ApiKey | undefined> {
  const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? (await withScopes(db, [row]))[0] : undefined;
}

/** The key with this hash if it is neither revoked nor expired: what Bearer authentication needs. */
export async function findActiveApiKey(db: Db, tokenHash: string, now: Date): Promise<ApiKey | undefined> {
  const at = toDbInstant(now);
  const row = await db
    .selectFrom("api_keys")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", at)]))
    .executeTakeFirst();
  return row ? (await withScopes(db, [row]))[0] : undefined;
}

export interface ListApiKeysOptions extends PageOptions {
  createdByUserId?: number;
  includeRevoked?: boolean;
}

/** Newest first (keyset on id). */
export async function listApiKeys(db: Db, options: ListApiKeysOptions = {}): Promise<Page<ApiKey>> {
  const before = decodeIdCursor(options.cursor);
  const page = await keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("api_keys").selectAll();
      if (options.createdByUserId !== undefined) query = query.where("created_by_user_id", "=", options.createdByUserId);
      if (!options.includeRevoked) query = query.where("revoked_at", "is", null);
      if (before !== undefined) query = query.where("id", "<", before);
      return query.orderBy("id", "desc").limit(n).execute();
    },
    (row) => row,
    (row) => [Number(row.id)],
  );
  return { items: await withScopes(db, page.items), nextCursor: page.nextCursor };
}

/** Returns true if this call revoked it (false: unknown or already revoked). */
export async function revokeApiKey(db: Db, id: number, now: Date): Promise<boolean> {
  const result = await db.updateTable("api_keys").set({ revoked_at: toDbInstant(now) }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return affected(result) === 1;
}

export async function touchApiKey(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable("api_keys").set({ last_used_at: toDbInstant(now) }).where("id", "=", id).execute();
}

export async function deleteApiKey(db: Db, id: number): Promise<boolean> {
  return affected(await db.deleteFrom("api_keys").where("id", "=", id).executeTakeFirst()) > 0;
}

/** Adds or replaces the key's permissions on one company. */
export async function setApiKeyCompanyAccess(db: Db, apiKeyId: number, companyId: number, permissions: Partial<CompanyPermissions>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("api_key_company_access").where("api_key_id", "=", apiKeyId).where("company_id", "=", companyId).execute();
    await withDbErrors(() =>
      trx.insertInto("api_key_company_access").values({ api_key_id: apiKeyId, company_id: companyId, ...permissionsToRow(permissions) }).execute(),
    );
  });
}

export async function removeApiKeyCompanyAccess(db: Db, apiKeyId: number, companyId: number): Promise<boolean> {
  const result = await db.deleteFrom("api_key_company_access").where("api_key_id", "=", apiKeyId).where("company_id", "=", companyId).executeTakeFirst();
  return affected(result) > 0;
}

/** The key's permissions on the company (none when out of scope). */
export async function apiKeyPermissionsFor(db: Db, apiKeyId: number, companyId: number): Promise<CompanyPermissions> {
  const row = await db
    .selectFrom("api_key_company_access")
    .select(["can_view", "can_run", "can_manage_schedules", "can_edit_connections"])
    .where("api_key_id", "=", apiKeyId)
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  return row ? permissionsFromRow(row) : { ...NO_PERMISSIONS };
}
