import { sql, type Selectable } from "kysely";
import type { SecretBox } from "../../secrets/secret-box.js";
import { UniqueViolationError, withDbErrors } from "../errors.js";
import type { QboConnectionsTable } from "../schema.js";
import { affected, fromDbInstant, fromDbInstantOrNull, insertReturningId, toDbInstant, toDbInstantOrNull, type Db } from "./repo-helpers.js";
import { qboAccessTokenContext, qboRefreshTokenContext } from "./secret-columns.js";

export type QboConnectionStatus = "connected" | "reauth_required" | "disconnected";
export type QboEnvironment = "production" | "sandbox";

/** A company's QuickBooks connection, without its tokens. */
export interface QboConnection {
  id: number;
  companyId: number;
  realmId: string | null;
  environment: QboEnvironment;
  status: QboConnectionStatus;
  /** Bumped by every token or status change: the compare-and-swap guard. */
  version: number;
  hasTokens: boolean;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  refreshHardExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  lastError: string | null;
  connectedAt: Date | null;
  refreshLockOwner: string | null;
  refreshLockExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface QboTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  /** Idle expiry of the refresh token (Intuit: 100 days, renewed by every refresh). */
  refreshExpiresAt: Date;
  /** Absolute expiry of the grant; unchanged by refreshes, so optional on updates. */
  refreshHardExpiresAt?: Date | null;
}

/** The realm is already connected to another company. */
export class RealmInUseError extends Error {
  override readonly name = "RealmInUseError";
  constructor(readonly realmId: string, readonly companyId: number | undefined) {
    super(`QuickBooks company ${realmId} is already connected to another devsync company${companyId !== undefined ? ` (${companyId})` : ""}`);
  }
}

function connectionFromRow(row: Selectable<QboConnectionsTable>): QboConnection {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    realmId: row.realm_id,
    environment: row.environment as QboEnvironment,
    status: row.status as QboConnectionStatus,
    version: Number(row.version),
    hasTokens: row.access_token_enc !== null && row.refresh_token_enc !== null,
    accessExpiresAt: fromDbInstantOrNull(row.access_expires_at),
    refreshExpiresAt: fromDbInstantOrNull(row.refresh_expires_at),
    refreshHardExpiresAt: fromDbInstantOrNull(row.refresh_hard_expires_at),
    lastRefreshedAt: fromDbInstantOrNull(row.last_refreshed_at),
    lastError: row.last_error,
    connectedAt: fromDbInstantOrNull(row.connected_at),
    refreshLockOwner: row.refresh_lock_owner,
    refreshLockExpiresAt: fromDbInstantOrNull(row.refresh_lock_expires_at),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

export async function getQboConnection(db: Db, companyId: number): Promise<QboConnection | undefined> {
  const row = await db.selectFrom("qbo_connections").selectAll().where("company_id", "=", companyId).executeTakeFirst();
  return row ? connectionFromRow(row) : undefined;
}

export async function getQboConnectionByRealm(db: Db, realmId: string): Promise<QboConnection | undefined> {
  const row = await db.selectFrom("qbo_connections").selectAll().where("realm_id", "=", realmId).executeTakeFirst();
  return row ? connectionFromRow(row) : undefined;
}

export interface SaveConnectedTokensInput {
  companyId: number;
  realmId: string;
  environment: QboEnvironment;
  tokens: QboTokens;
  now: Date;
}

/**
 * Stores the tokens of a completed OAuth exchange and marks the connection `connected`
 * (insert, or replace on reconnect). Throws RealmInUseError when the realm belongs to another
 * company, ForeignKeyViolationError for an unknown company.
 */
export async function saveConnectedTokens(db: Db, box: SecretBox, input: SaveConnectedTokensInput): Promise<QboConnection> {
  const { companyId, realmId, tokens } = input;
  const owner = await getQboConnectionByRealm(db, realmId);
  if (owner && owner.companyId !== companyId) throw new RealmInUseError(realmId, owner.companyId);
  const at = toDbInstant(input.now);
  const values = {
    realm_id: realmId,
    environment: input.environment,
    ...sealTokens(box, companyId, tokens),
    refresh_hard_expires_at: toDbInstantOrNull(tokens.refreshHardExpiresAt),
    status: "connected",
    refresh_lock_owner: null,
    refresh_lock_expires_at: null,
    last_refreshed_at: at,
    last_error: null,
    connected_at: at,
    updated_at: at,
  };
  const update = () =>
    withDbErrors(() =>
      db
        .updateTable("qbo_connections")
        .set({ ...values, version: sql<number>`version + 1` })
        .where("company_id", "=", companyId)
        .executeTakeFirst(),
    );
  try {
    if (affected(await update()) === 0) {
      try {
        await withDbErrors(() => insertReturningId(db, "qbo_connections", { ...values, company_id: companyId, version: 1, created_at: at }));
      } catch (error) {
        if (error instanceof UniqueViolationError && !isRealmKey(error)) await update();
        else throw error;
      }
    }
  } catch (error) {
    if (error instanceof UniqueViolationError && isRealmKey(error)) {
      throw new RealmInUseError(realmId, (await getQboConnectionByRealm(db, realmId).catch(() => undefined))?.companyId);
    }
    throw error;
  }
  return (await getQboConnection(db, companyId))!;
}

function isRealmKey(error: UniqueViolationError): boolean {
  return (error.constraint ?? "").includes("realm");
}

function sealTokens(box: SecretBox, companyId: number, tokens: QboTokens) {
  return {
    access_token_enc: box.seal(tokens.accessToken, qboAccessTokenContext(companyId)),
    refresh_token_enc: box.seal(tokens.refreshToken, qboRefreshTokenContext(companyId)),
    access_expires_at: toDbInstant(tokens.accessExpiresAt),
    refresh_expires_at: toDbInstant(tokens.refreshExpiresAt),
  };
}

/** The connection and its decrypted tokens (null once disconnected), for the QBO connector. */
export async function readQboTokens(
  db: Db,
  box: SecretBox,
  companyId: number,
): Promise<{ connection: QboConnection; tokens: QboTokens | null } | undefined> {
  const row = await db.selectFrom("qbo_connections").selectAll().where("company_id", "=", companyId).executeTakeFirst();
  if (!row) return undefined;
  const connection = connectionFromRow(row);
  if (row.access_token_enc === null || row.refresh_token_enc === null || row.access_expires_at === null || row.refresh_expires_at === null) {
    return { connection, tokens: null };
  }
  return {
    connection,
    tokens: {
      accessToken: box.open(row.access_token_enc, qboAccessTokenContext(companyId)),
      refreshToken: box.open(row.refresh_token_enc, qboRefreshTokenContext(companyId)),
      accessExpiresAt: fromDbInstant(row.access_expires_at),
      refreshExpiresAt: fromDbInstant(row.refresh_expires_at),
      refreshHardExpiresAt: fromDbInstantOrNull(row.refresh_hard_expires_at),
    },
  };
}

/**
 * Stores refreshed tokens only if nobody changed the connection since `expectedVersion` was
 * read; returns true when this write won (the version is then expectedVersion + 1).
 */
export async function updateTokensIfVersion(
  db: Db,
  box: SecretBox,
  companyId: number,
  expectedVersion: number,
  tokens: QboTokens,
  now: Date,
): Promise<boolean> {
  const at = toDbInstant(now);
  const result = await db
    .updateTable("qbo_connections")
    .set({
      ...sealTokens(box, companyId, tokens),
      ...(tokens.refreshHardExpiresAt !== undefined ? { refresh_hard_expires_at: toDbInstantOrNull(tokens.refreshHardExpiresAt) } : {}),
      version: expectedVersion + 1,
      last_refreshed_at: at,
      last_error: null,
      updated_at: at,
    })
    .where("company_id", "=", companyId)
    .where("version", "=", expectedVersion)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Takes the company's refresh lock for `ttlMs` if it is free, expired, or already ours
 * (re-entrant: extends it). One refresher per company across every process.
 */
export async function tryAcquireRefreshLock(db: Db, companyId: number, owner: string, now: Date, ttlMs: number): Promise<boolean> {
  const at = toDbInstant(now);
  const result = await db
    .updateTable("qbo_connections")
    .set({ refresh_lock_owner: owner, refresh_lock_expires_at: toDbInstant(new Date(now.getTime() + ttlMs)) })
    .where("company_id", "=", companyId)
    .where((eb) =>
      eb.or([eb("refresh_lock_owner", "is", null), eb("refresh_lock_expires_at", "<=", at), eb("refresh_lock_owner", "=", owner)]),
    )
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Releases the lock if `owner` still holds it; returns whether it did. */
export async function releaseRefreshLock(db: Db, companyId: number, owner: string): Promise<boolean> {
  const result = await db
    .updateTable("qbo_connections")
    .set({ refresh_lock_owner: null, refresh_lock_expires_at: null })
    .where("company_id", "=", companyId)
    .where("refresh_lock_owner", "=", owner)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * QuickBooks refused the refresh token. Returns true only for the call that moved the
 * connection into `reauth_required`, so exactly one caller raises the alert.
 */
export async function markReauthRequired(db: Db, companyId: number, reason: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("qbo_connections")
    .set({ status: "reauth_required", last_error: reason, version: sql<number>`version + 1`, updated_at: toDbInstant(now) })
    .where("company_id", "=", companyId)
    .where("status", "=", "connected")
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Forgets the tokens and the realm (which another company may then connect). */
export async function markDisconnected(db: Db, companyId: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("qbo_connections")
    .set({
      status: "disconnected",
      realm_id: null,
      access_token_enc: null,
      refresh_token_enc: null,
      access_expires_at: null,
      refresh_expires_at: null,
      refresh_hard_expires_at: null,
      refresh_lock_owner: null,
      refresh_lock_expires_at: null,
      version: sql<number>`version + 1`,
      updated_at: toDbInstant(now),
    })
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Records a refresh or API error without changing the status. */
export async function recordQboConnectionError(db: Db, companyId: number, message: string, now: Date): Promise<void> {
  await db.updateTable("qbo_connections").set({ last_error: message, updated_at: toDbInstant(now) }).where("company_id", "=", companyId).execute();
}

/** Connected connections not refreshed since `refreshedBefore` (oldest first), for keep-alive. */
export async function listConnectionsDueForKeepAlive(db: Db, options: { refreshedBefore: Date; limit?: number }): Promise<QboConnection[]> {
  const before = toDbInstant(options.refreshedBefore);
  const rows = await db
    .selectFrom("qbo_connections")
    .selectAll()
    .where("status", "=", "connected")
    .where((eb) => eb.or([eb("last_refreshed_at", "is", null), eb("last_refreshed_at", "<", before)]))
    .orderBy("last_refreshed_at")
    .orderBy("id")
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(connectionFromRow);
}

/** Connected connections whose grant ends before `hardExpiresBefore` (soonest first). */
export async function listConnectionsNearHardExpiry(db: Db, options: { hardExpiresBefore: Date; limit?: number }): Promise<QboConnection[]> {
  const rows = await db
    .selectFrom("qbo_connections")
    .selectAll()
    .where("status", "=", "connected")
    .where("refresh_hard_expires_at", "is not", null)
    .where("refresh_hard_expires_at", "<", toDbInstant(options.hardExpiresBefore))
    .orderBy("refresh_hard_expires_at")
    .orderBy("id")
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(connectionFromRow);
}
