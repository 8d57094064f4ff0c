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
 * browsers, several API processes) are serialised by a lock held for the transaction:
 * an advisory lock on PostgreSQL, a named lock on MariaDB, the single writer on SQLite.
 * Throws SetupAlreadyDoneError once any user exists.
 */
export async function createFirstAdmin(db: Db, input: { email: string; name: string; passwordHash: string }, now: Date): Promise<User> {
  const dialect = dialectOf(db);
  const id = await inTransaction(db, async (trx) => {
    if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`.execute(trx);
    if (dialect === "mysql") await sql`select get_lock('devsync_first_admin', 30)`.execute(trx);
    try {
      const row = await trx.selectFrom("users").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
      if (Number(row.n) > 0) throw new SetupAlreadyDoneError();
      const at = toDbInstant(now);
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
    } finally {
      if (dialect === "mysql") await sql`select release_lock('devsync_first_admin')`.execute(trx);
    }
  });
  return (await getUser(db, id))!;
}
