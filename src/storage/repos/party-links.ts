import type { Selectable } from "kysely";
import { NotFoundError, withDbErrors } from "../errors.js";
import type { PartyLinksTable } from "../schema.js";
import { affected, fromDbInstant, insertReturningId, toDbInstant, type Db } from "./repo-helpers.js";

export type PartyRole = "customer" | "vendor";

/** One QBO customer/vendor per (company, role, NUIS-or-normalised-name, currency). */
export interface PartyLink {
  id: number;
  companyId: number;
  role: PartyRole;
  partyKey: string;
  currency: string;
  qboId: string;
  displayName: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PartyKey {
  companyId: number;
  role: PartyRole;
  partyKey: string;
  currency: string;
}

function partyFromRow(row: Selectable<PartyLinksTable>): PartyLink {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    role: row.role as PartyRole,
    partyKey: row.party_key,
    currency: row.currency,
    qboId: row.qbo_id,
    displayName: row.display_name,
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

export async function getPartyLink(db: Db, key: PartyKey): Promise<PartyLink | undefined> {
  const row = await db
    .selectFrom("party_links")
    .selectAll()
    .where("company_id", "=", key.companyId)
    .where("role", "=", key.role)
    .where("party_key", "=", key.partyKey)
    .where("currency", "=", key.currency)
    .executeTakeFirst();
  return row ? partyFromRow(row) : undefined;
}

/** Every party link of a company (the resolver's cache warm-up), optionally of one role. */
export async function listPartyLinks(db: Db, companyId: number, role?: PartyRole): Promise<PartyLink[]> {
  let query = db.selectFrom("party_links").selectAll().where("company_id", "=", companyId);
  if (role) query = query.where("role", "=", role);
  return (await query.orderBy("id").execute()).map(partyFromRow);
}

/** UniqueViolationError when the party is already linked. */
export async function insertPartyLink(db: Db, input: PartyKey & { qboId: string; displayName: string; now: Date }): Promise<PartyLink> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "party_links", {
      company_id: input.companyId,
      role: input.role,
      party_key: input.partyKey,
      currency: input.currency,
      qbo_id: input.qboId,
      display_name: input.displayName,
      created_at: at,
      updated_at: at,
    }),
  );
  const row = await db.selectFrom("party_links").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  return partyFromRow(row);
}

/** Points the link at another QBO entity or records a new display name. Throws NotFoundError. */
export async function updatePartyLink(db: Db, id: number, patch: { qboId?: string; displayName?: string }, now: Date): Promise<PartyLink> {
  const result = await db
    .updateTable("party_links")
    .set({
      ...(patch.qboId !== undefined ? { qbo_id: patch.qboId } : {}),
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      updated_at: toDbInstant(now),
    })
    .where("id", "=", id)
    .executeTakeFirst();
  if (affected(result) === 0) throw new NotFoundError("party link", id);
  return partyFromRow(await db.selectFrom("party_links").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
}

export async function deletePartyLink(db: Db, id: number): Promise<boolean> {
  return affected(await db.deleteFrom("party_links").where("id", "=", id).executeTakeFirst()) > 0;
}
