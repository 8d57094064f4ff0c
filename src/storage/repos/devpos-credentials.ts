import type { Selectable } from "kysely";
import type { SecretBox } from "../../secrets/secret-box.js";
import { UniqueViolationError, withDbErrors } from "../errors.js";
import type { DevposCredentialsTable } from "../schema.js";
import { affected, fromDbInstant, fromDbInstantOrNull, insertReturningId, toDbInstant, type Db } from "./repo-helpers.js";
import { devposPasswordContext, devposTokenContext } from "./secret-columns.js";

/** What may be shown about a company's DevPos login: never the password or the token. */
export interface DevposCredentials {
  companyId: number;
  tenant: string;
  username: string;
  hasCachedToken: boolean;
  tokenExpiresAt: Date | null;
  lastOkAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Only for the DevPos connector. */
export interface DevposSecret {
  tenant: string;
  username: string;
  password: string;
  token: { value: string; expiresAt: Date } | null;
}

export interface DevposLogin {
  tenant: string;
  username: string;
  password: string;
}

function credentialsFromRow(row: Selectable<DevposCredentialsTable>): DevposCredentials {
  return {
    companyId: Number(row.company_id),
    tenant: row.tenant,
    username: row.username,
    hasCachedToken: row.token_enc !== null,
    tokenExpiresAt: fromDbInstantOrNull(row.token_expires_at),
    lastOkAt: fromDbInstantOrNull(row.last_ok_at),
    lastError: row.last_error,
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

/**
 * Sets the company's DevPos login (insert or replace). A cached token belongs to the old login,
 * so it is dropped. Throws ForeignKeyViolationError for an unknown company.
 */
export async function upsertDevposCredentials(db: Db, box: SecretBox, companyId: number, login: DevposLogin, now: Date): Promise<DevposCredentials> {
  const at = toDbInstant(now);
  const values = {
    tenant: login.tenant,
    username: login.username,
    password_enc: box.seal(login.password, devposPasswordContext(companyId)),
    token_enc: null,
    token_expires_at: null,
    last_error: null,
    updated_at: at,
  };
  const update = () => db.updateTable("devpos_credentials").set(values).where("company_id", "=", companyId).executeTakeFirst();
  if (affected(await update()) === 0) {
    try {
      await withDbErrors(() => insertReturningId(db, "devpos_credentials", { ...values, company_id: companyId, created_at: at }));
    } catch (error) {
      // Another writer inserted first: ours is the later write, so it wins.
      if (!(error instanceof UniqueViolationError)) throw error;
      await update();
    }
  }
  return (await getDevposCredentials(db, companyId))!;
}

export async function getDevposCredentials(db: Db, companyId: number): Promise<DevposCredentials | undefined> {
  const row = await db.selectFrom("devpos_credentials").selectAll().where("company_id", "=", companyId).executeTakeFirst();
  return row ? credentialsFromRow(row) : undefined;
}

/** The decrypted login and cached token, for the DevPos connector only. */
export async function readDevposSecret(db: Db, box: SecretBox, companyId: number): Promise<DevposSecret | undefined> {
  const row = await db.selectFrom("devpos_credentials").selectAll().where("company_id", "=", companyId).executeTakeFirst();
  if (!row) return undefined;
  const token =
    row.token_enc !== null && row.token_expires_at !== null
      ? { value: box.open(row.token_enc, devposTokenContext(companyId)), expiresAt: fromDbInstant(row.token_expires_at) }
      : null;
  return { tenant: row.tenant, username: row.username, password: box.open(row.password_enc, devposPasswordContext(companyId)), token };
}

/** Caches a DevPos access token (sealed) and records a successful login. */
export async function saveDevposToken(db: Db, box: SecretBox, companyId: number, token: { value: string; expiresAt: Date }, now: Date): Promise<boolean> {
  const at = toDbInstant(now);
  const result = await db
    .updateTable("devpos_credentials")
    .set({
      token_enc: box.seal(token.value, devposTokenContext(companyId)),
      token_expires_at: toDbInstant(token.expiresAt),
      last_ok_at: at,
      last_error: null,
      updated_at: at,
    })
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function clearDevposToken(db: Db, companyId: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("devpos_credentials")
    .set({ token_enc: null, token_expires_at: null, updated_at: toDbInstant(now) })
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function recordDevposOk(db: Db, companyId: number, now: Date): Promise<void> {
  const at = toDbInstant(now);
  await db.updateTable("devpos_credentials").set({ last_ok_at: at, last_error: null, updated_at: at }).where("company_id", "=", companyId).execute();
}

export async function recordDevposError(db: Db, companyId: number, message: string, now: Date): Promise<void> {
  await db
    .updateTable("devpos_credentials")
    .set({ last_error: message, updated_at: toDbInstant(now) })
    .where("company_id", "=", companyId)
    .execute();
}

export async function deleteDevposCredentials(db: Db, companyId: number): Promise<boolean> {
  return affected(await db.deleteFrom("devpos_credentials").where("company_id", "=", companyId).executeTakeFirst()) > 0;
}
