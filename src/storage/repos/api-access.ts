import { sql } from "kysely";
import { dialectOf } from "../db.js";
import { UniqueViolationError, withDbErrors } from "../errors.js";
import { inTransaction, insertReturningId, toDbInstant, toFlag, type Db } from "./repo-helpers.js";
import { getUser, normaliseEmail, type User } from "./users.js";

/**
 * Storage the API needs beyond the shared repositories: which companies a caller may see, and
 * the race-safe creation of the first administrator.
 */

/** Ids of the companies a member (by grant) or an API key (by scope) may view, ascending. */
export async function listVisibleCompanyIds(db: Db, who: { userId: number } | { apiKeyId: number }): Promise<number[]> {
  const rows =
    "userId" in who
      ? await db
          .selectFrom("user_company_access")
          .select("company_id")
          .where("user_id", "=", who.userId)
          .where("can_view", "=", 1)
          .orderBy("company_id")
          .execute()
      : await db
          .selectFrom("api_key_company_access")
          .select("company_id")
          .where("api_key_id", "=", who.apiKeyId)
          .where("can_view", "=", 1)
          .orderBy("company_id")
          .execute();
  return rows.map((r) => Number(r.company_id));
}

export class SetupAlreadyDoneError extends Error {
  override readonly name = "SetupAlreadyDoneError";
  constructor() {
    super("an account already exists");
  }
}

const FIRST_ADMIN_LOCK = 727_001;

/**
 * Creates the first user, as an admin, only while no user exists. Concurrent calls (several
 * browsers, several API processes) are serialised by a lock held until the transaction has
 * committed: an advisory transaction lock on PostgreSQL, a named lock on MariaDB (taken on the
 * connection before the transaction begins and released after it ends, so the next caller's
 * transaction starts after the winner's commit and sees its row), the single writer on SQLite.
 * Throws SetupAlreadyDoneError once any user exists.
 */
export async function createFirstAdmin(db: Db, input: { email: string; name: string; passwordHash: string }, now: Date): Promise<User> {
  const dialect = dialectOf(db);
  const insertFirst = (trx: Db) => insertFirstAdmin(trx, dialect, input, now);
  const id =
    dialect === "mysql"
      ? await db.connection().execute(async (conn) => {
          const lock = await sql<{ got: number | null }>`select get_lock('devsync_first_admin', 30) as got`.execute(conn);
          if (Number(lock.rows[0]?.got) !== 1) throw new Error("timed out waiting for the first-admin setup lock");
          try {
            return await conn.transaction().execute(insertFirst);
          } finally {
            await sql`select release_lock('devsync_first_admin')`.execute(conn);
          }
        })
      : await inTransaction(db, insertFirst);
  return (await getUser(db, id))!;
}

async function insertFirstAdmin(trx: Db, dialect: ReturnType<typeof dialectOf>, input: { email: string; name: string; passwordHash: string }, now: Date): Promise<number> {
  if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`.execute(trx);
  const row = await trx.selectFrom("users").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
  if (Number(row.n) > 0) throw new SetupAlreadyDoneError();
  const at = toDbInstant(now);
  try {
    return await withDbErrors(() =>
      insertReturningId(trx, "users", {
        email: normaliseEmail(input.email),
        name: input.name,
        password_hash: input.passwordHash,
        role: "admin",
        active: toFlag(true),
        created_at: at,
        updated_at: at,
      }),
    );
  } catch (error) {
    if (error instanceof UniqueViolationError) throw new SetupAlreadyDoneError();
    throw error;
  }
}
