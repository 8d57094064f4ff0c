import type { Selectable } from "kysely";
import { withDbErrors } from "../errors.js";
import type { SessionsTable } from "../schema.js";
import { affected, fromDbInstant, insertReturningId, toDbInstant, type Db } from "./repo-helpers.js";
import { getUser, type User } from "./users.js";

/** A login session; the cookie value is only ever stored as its hash. */
export interface Session {
  id: number;
  userId: number;
  csrfHash: string;
  expiresAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

function sessionFromRow(row: Selectable<SessionsTable>): Session {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    csrfHash: row.csrf_hash,
    expiresAt: fromDbInstant(row.expires_at),
    lastSeenAt: fromDbInstant(row.last_seen_at),
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: fromDbInstant(row.created_at),
  };
}

export interface NewSession {
  tokenHash: string;
  csrfHash: string;
  userId: number;
  expiresAt: Date;
  ip?: string | null;
  userAgent?: string | null;
  now: Date;
}

/** UniqueViolationError on a repeated token hash, ForeignKeyViolationError for an unknown user. */
export async function createSession(db: Db, input: NewSession): Promise<Session> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "sessions", {
      token_hash: input.tokenHash,
      csrf_hash: input.csrfHash,
      user_id: input.userId,
      expires_at: toDbInstant(input.expiresAt),
      last_seen_at: at,
      ip: input.ip ?? null,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
      created_at: at,
    }),
  );
  return sessionFromRow(await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
}

/** The session with this token hash, expired or not. */
export async function getSessionByTokenHash(db: Db, tokenHash: string): Promise<Session | undefined> {
  const row = await db.selectFrom("sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  return row ? sessionFromRow(row) : undefined;
}

/** The unexpired session of an active user, with the user: what authentication needs. */
export async function findActiveSession(db: Db, tokenHash: string, now: Date): Promise<{ session: Session; user: User } | undefined> {
  const row = await db
    .selectFrom("sessions")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
  if (!row) return undefined;
  const user = await getUser(db, Number(row.user_id));
  if (!user || !user.active) return undefined;
  return { session: sessionFromRow(row), user };
}

/** Records activity and optionally slides the expiry. */
export async function touchSession(db: Db, id: number, now: Date, expiresAt?: Date): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ last_seen_at: toDbInstant(now), ...(expiresAt ? { expires_at: toDbInstant(expiresAt) } : {}) })
    .where("id", "=", id)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function deleteSession(db: Db, tokenHash: string): Promise<boolean> {
  return affected(await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).executeTakeFirst()) > 0;
}

/** Logs a user out everywhere (password change, deactivation). */
export async function deleteSessionsOfUser(db: Db, userId: number): Promise<number> {
  return affected(await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst());
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  return affected(await db.deleteFrom("sessions").where("expires_at", "<=", toDbInstant(now)).executeTakeFirst());
}

/** Logs a user out everywhere but the session they are using (own password change). */
export async function deleteOtherSessionsOfUser(db: Db, userId: number, keepSessionId: number): Promise<number> {
  return affected(await db.deleteFrom("sessions").where("user_id", "=", userId).where("id", "!=", keepSessionId).executeTakeFirst());
}
