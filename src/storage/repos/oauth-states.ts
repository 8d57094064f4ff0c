import type { Selectable } from "kysely";
import { withDbErrors } from "../errors.js";
import type { OauthStatesTable } from "../schema.js";
import { affected, fromDbInstant, fromDbInstantOrNull, insertReturningId, toDbInstant, type Db } from "./repo-helpers.js";

/** A pending QuickBooks authorisation, bound to a company and the user who started it. */
export interface OAuthState {
  id: number;
  stateHash: string;
  companyId: number;
  userId: number | null;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export type ConsumeOAuthStateResult = { ok: true; state: OAuthState } | { ok: false; reason: "unknown" | "expired" | "used" };

function stateFromRow(row: Selectable<OauthStatesTable>): OAuthState {
  return {
    id: Number(row.id),
    stateHash: row.state_hash,
    companyId: Number(row.company_id),
    userId: row.user_id === null ? null : Number(row.user_id),
    expiresAt: fromDbInstant(row.expires_at),
    usedAt: fromDbInstantOrNull(row.used_at),
    createdAt: fromDbInstant(row.created_at),
  };
}

/** Stores the hash of a new state (never the state itself). UniqueViolationError on a repeat. */
export async function createOAuthState(
  db: Db,
  input: { stateHash: string; companyId: number; userId: number | null; expiresAt: Date; now: Date },
): Promise<OAuthState> {
  const id = await withDbErrors(() =>
    insertReturningId(db, "oauth_states", {
      state_hash: input.stateHash,
      company_id: input.companyId,
      user_id: input.userId,
      expires_at: toDbInstant(input.expiresAt),
      used_at: null,
      created_at: toDbInstant(input.now),
    }),
  );
  const row = await db.selectFrom("oauth_states").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  return stateFromRow(row);
}

/**
 * Uses a state once: a compare-and-swap on `used_at IS NULL` and the expiry, so of any number
 * of concurrent callbacks with the same state exactly one gets `ok`.
 */
export async function consumeOAuthState(db: Db, stateHash: string, now: Date): Promise<ConsumeOAuthStateResult> {
  const at = toDbInstant(now);
  const result = await db
    .updateTable("oauth_states")
    .set({ used_at: at })
    .where("state_hash", "=", stateHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", at)
    .executeTakeFirst();
  const row = await db.selectFrom("oauth_states").selectAll().where("state_hash", "=", stateHash).executeTakeFirst();
  if (affected(result) === 1 && row) return { ok: true, state: stateFromRow(row) };
  if (!row) return { ok: false, reason: "unknown" };
  if (row.used_at !== null) return { ok: false, reason: "used" };
  return { ok: false, reason: "expired" };
}

/** Housekeeping: removes states that expired before `before`. Returns how many. */
export async function deleteExpiredOAuthStates(db: Db, before: Date): Promise<number> {
  return affected(await db.deleteFrom("oauth_states").where("expires_at", "<", toDbInstant(before)).executeTakeFirst());
}
