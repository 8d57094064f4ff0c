import { sql, type Kysely, type Selectable } from "kysely";
import { dialectOf } from "../db.js";
import type { ZeroAmountDocumentsTable } from "../schema.js";
import type { Page, PageOptions } from "./types.js";
import {
  affected,
  chunk,
  decodeIdCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  fromMinor,
  IN_LIST_CHUNK,
  keysetPage,
  pageLimit,
  rowsPerInsert,
  toDbInstant,
  type Db,
} from "./repo-helpers.js";

/**
 * Documents DevPos lists with amount 0 (or none), kept per company until DevPos gives a real
 * amount (`resolved`) or a person confirms the document really is zero (`confirmed_zero`).
 * The sync engine uses these functions through src/sync/zero-amount-rechecks.ts.
 */
export type ZeroAmountStatus = "open" | "resolved" | "confirmed_zero";
/** Why a row stopped needing a re-check: a real amount arrived, or DevPos rejected the document. */
export type ZeroAmountResolution = "amount" | "rejected";

export interface ZeroAmountDocument {
  id: number;
  companyId: number;
  kind: string;
  /** The EIC. */
  sourceKey: string;
  qboType: string;
  docNumber: string | null;
  txnDate: string;
  partyName: string | null;
  currency: string | null;
  status: ZeroAmountStatus;
  /** How many times devsync read the document and found no amount. */
  checks: number;
  firstSeenAt: Date;
  lastCheckedAt: Date;
  resolvedAt: Date | null;
  resolution: ZeroAmountResolution | null;
  resolvedAmountMinor: number | null;
  confirmedAt: Date | null;
  confirmedByUserId: number | null;
  confirmedBy: string | null;
  confirmedNote: string | null;
  updatedAt: Date;
}

/** What a run saw of one document listed without an amount. */
export interface ZeroAmountSighting {
  kind: string;
  sourceKey: string;
  qboType: string;
  docNumber: string | null;
  txnDate: string;
  partyName: string | null;
  currency: string | null;
}

type Row = Selectable<ZeroAmountDocumentsTable>;

function zeroAmountFromRow(row: Row): ZeroAmountDocument {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    kind: row.kind,
    sourceKey: row.source_key,
    qboType: row.qbo_type,
    docNumber: row.doc_number,
    txnDate: row.txn_date,
    partyName: row.party_name,
    currency: row.currency,
    status: row.status as ZeroAmountStatus,
    checks: Number(row.checks),
    firstSeenAt: fromDbInstant(row.first_seen_at),
    lastCheckedAt: fromDbInstant(row.last_checked_at),
    resolvedAt: fromDbInstantOrNull(row.resolved_at),
    resolution: row.resolution as ZeroAmountResolution | null,
    resolvedAmountMinor: fromMinor(row.resolved_amount_minor),
    confirmedAt: fromDbInstantOrNull(row.confirmed_at),
    confirmedByUserId: row.confirmed_by_user_id === null ? null : Number(row.confirmed_by_user_id),
    confirmedBy: row.confirmed_by,
    confirmedNote: row.confirmed_note,
    updatedAt: fromDbInstant(row.updated_at),
  };
}

const keyOf = (kind: string, sourceKey: string) => `${kind}|${sourceKey}`;

/** The company's rows for these (kind, EIC) pairs, any status, keyed `kind|eic`. */
export async function getZeroAmountDocumentsByKey(
  db: Db,
  companyId: number,
  keys: readonly { kind: string; sourceKey: string }[],
): Promise<Map<string, ZeroAmountDocument>> {
  const found = new Map<string, ZeroAmountDocument>();
  const eics = [...new Set(keys.map((k) => k.sourceKey))];
  for (const part of chunk(eics, IN_LIST_CHUNK)) {
    const rows = await db.selectFrom("zero_amount_documents").selectAll().where("company_id", "=", companyId).where("source_key", "in", part).execute();
    for (const row of rows) found.set(keyOf(row.kind, row.source_key), zeroAmountFromRow(row));
  }
  return found;
}

/**
 * Records documents seen again without an amount: new ones become `open` (checks 1), open and
 * resolved ones are (re)opened with one more check and their latest facts; `confirmed_zero`
 * rows keep their status and only record the check. first_seen_at never changes.
 * Returns the rows as they now are.
 */
export async function recordZeroAmountSightings(
  db: Db,
  companyId: number,
  sightings: readonly ZeroAmountSighting[],
  now: Date,
): Promise<ZeroAmountDocument[]> {
  if (sightings.length === 0) return [];
  const at = toDbInstant(now);
  const unique = [...new Map(sightings.map((s) => [keyOf(s.kind, s.sourceKey), s])).values()];
  const existing = await getZeroAmountDocumentsByKey(db, companyId, unique);
  const fresh = unique.filter((s) => !existing.has(keyOf(s.kind, s.sourceKey)));
  for (const part of chunk(fresh, rowsPerInsert(db, 20))) {
    const values = part.map((s) => ({
      company_id: companyId,
      kind: s.kind,
      source_key: s.sourceKey,
      qbo_type: s.qboType,
      doc_number: s.docNumber,
      txn_date: s.txnDate,
      party_name: s.partyName?.slice(0, 500) ?? null,
      currency: s.currency,
      status: "open",
      checks: 1,
      first_seen_at: at,
      last_checked_at: at,
      updated_at: at,
    }));
    // A concurrent recorder (a second process) may have inserted the same document: keep its row.
    const anyDb = db as unknown as Kysely<any>;
    if (dialectOf(db) === "mysql") await anyDb.insertInto("zero_amount_documents").ignore().values(values).execute();
    else await anyDb.insertInto("zero_amount_documents").values(values).onConflict((oc) => oc.columns(["company_id", "kind", "source_key"]).doNothing()).execute();
  }
  for (const s of unique) {
    const row = existing.get(keyOf(s.kind, s.sourceKey));
    if (!row) continue;
    const reopen = row.status !== "confirmed_zero";
    await db
      .updateTable("zero_amount_documents")
      .set({
        checks: sql<number>`checks + 1`,
        last_checked_at: at,
        updated_at: at,
        qbo_type: s.qboType,
        doc_number: s.docNumber,
        txn_date: s.txnDate,
        party_name: s.partyName?.slice(0, 500) ?? null,
        currency: s.currency,
        ...(reopen ? { status: "open", resolved_at: null, resolution: null, resolved_amount_minor: null } : {}),
      })
      .where("id", "=", row.id)
      .execute();
  }
  return [...(await getZeroAmountDocumentsByKey(db, companyId, unique)).values()];
}

/** Open or confirmed rows no longer needing a re-check; returns the ids that changed. */
export async function resolveZeroAmountDocuments(
  db: Db,
  companyId: number,
  resolved: readonly { kind: string; sourceKey: string; resolution: ZeroAmountResolution; amountMinor: number | null }[],
  now: Date,
): Promise<number[]> {
  if (resolved.length === 0) return [];
  const at = toDbInstant(now);
  const existing = await getZeroAmountDocumentsByKey(db, companyId, resolved);
  const changed: number[] = [];
  for (const r of resolved) {
    const row = existing.get(keyOf(r.kind, r.sourceKey));
    if (!row || row.status === "resolved") continue;
    const result = await db
      .updateTable("zero_amount_documents")
      .set({ status: "resolved", resolved_at: at, resolution: r.resolution, resolved_amount_minor: r.amountMinor, last_checked_at: at, updated_at: at })
      .where("id", "=", row.id)
      .where("status", "<>", "resolved")
      .executeTakeFirst();
    if (affected(result) > 0) changed.push(row.id);
  }
  return changed;
}

export interface ListOpenZeroAmountOptions {
  /** Only rows whose txn_date lies outside this window (the run lists the inside itself). */
  outside?: { from: string; to: string };
  /** Only rows that become one of these QuickBooks types (the run's job type). */
  qboTypes?: readonly string[];
  /** Default 5,000. */
  limit?: number;
}

/** A company's open rows, the longest unchecked first (the re-check order). */
export async function listOpenZeroAmountDocuments(db: Db, companyId: number, options: ListOpenZeroAmountOptions = {}): Promise<ZeroAmountDocument[]> {
  let query = db.selectFrom("zero_amount_documents").selectAll().where("company_id", "=", companyId).where("status", "=", "open");
  const outside = options.outside;
  if (outside) query = query.where((eb) => eb.or([eb("txn_date", "<", outside.from), eb("txn_date", ">", outside.to)]));
  if (options.qboTypes) query = query.where("qbo_type", "in", options.qboTypes.length > 0 ? [...options.qboTypes] : [""]);
  const rows = await query.orderBy("last_checked_at").orderBy("id").limit(options.limit ?? 5000).execute();
  return rows.map(zeroAmountFromRow);
}

/** Open rows that were re-read but not found in DevPos's list: one more check, now. */
export async function markZeroAmountChecked(db: Db, ids: readonly number[], now: Date): Promise<void> {
  const at = toDbInstant(now);
  for (const part of chunk(ids, IN_LIST_CHUNK)) {
    await db
      .updateTable("zero_amount_documents")
      .set({ checks: sql<number>`checks + 1`, last_checked_at: at, updated_at: at })
      .where("id", "in", part)
      .where("status", "=", "open")
      .execute();
  }
}

export async function getZeroAmountDocument(db: Db, companyId: number, id: number): Promise<ZeroAmountDocument | undefined> {
  const row = await db.selectFrom("zero_amount_documents").selectAll().where("company_id", "=", companyId).where("id", "=", id).executeTakeFirst();
  return row ? zeroAmountFromRow(row) : undefined;
}

/** By EIC (either kind; sale first when a tenant both issued and received it). */
export async function findZeroAmountDocumentByEic(db: Db, companyId: number, eic: string): Promise<ZeroAmountDocument | undefined> {
  const row = await db.selectFrom("zero_amount_documents").selectAll().where("company_id", "=", companyId).where("source_key", "=", eic).orderBy("kind", "desc").executeTakeFirst();
  return row ? zeroAmountFromRow(row) : undefined;
}

export interface ConfirmZeroInput {
  companyId: number;
  id: number;
  userId: number | null;
  /** Who, as shown to people (a user's email, an API key's name, `cli`). */
  by: string;
  note: string;
  now: Date;
}

/** An open row becomes `confirmed_zero`; undefined when the row is not open (or absent). */
export async function confirmZeroAmount(db: Db, input: ConfirmZeroInput): Promise<ZeroAmountDocument | undefined> {
  const at = toDbInstant(input.now);
  const result = await db
    .updateTable("zero_amount_documents")
    .set({ status: "confirmed_zero", confirmed_at: at, confirmed_by_user_id: input.userId, confirmed_by: input.by.slice(0, 255), confirmed_note: input.note.slice(0, 500), updated_at: at })
    .where("company_id", "=", input.companyId)
    .where("id", "=", input.id)
    .where("status", "=", "open")
    .executeTakeFirst();
  return affected(result) > 0 ? getZeroAmountDocument(db, input.companyId, input.id) : undefined;
}

/** Undoes a confirmation: the row is `open` again and re-read by the next runs. */
export async function reopenZeroAmount(db: Db, input: { companyId: number; id: number; now: Date }): Promise<ZeroAmountDocument | undefined> {
  const at = toDbInstant(input.now);
  const result = await db
    .updateTable("zero_amount_documents")
    .set({ status: "open", confirmed_at: null, confirmed_by_user_id: null, confirmed_by: null, confirmed_note: null, updated_at: at })
    .where("company_id", "=", input.companyId)
    .where("id", "=", input.id)
    .where("status", "=", "confirmed_zero")
    .executeTakeFirst();
  return affected(result) > 0 ? getZeroAmountDocument(db, input.companyId, input.id) : undefined;
}

export interface ListZeroAmountOptions extends PageOptions {
  companyId: number;
  status?: ZeroAmountStatus;
}

/** For the API and CLI: newest row first (keyset on id). */
export async function listZeroAmountDocuments(db: Db, options: ListZeroAmountOptions): Promise<Page<ZeroAmountDocument>> {
  const before = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("zero_amount_documents").selectAll().where("company_id", "=", options.companyId);
      if (options.status !== undefined) query = query.where("status", "=", options.status);
      if (before !== undefined) query = query.where("id", "<", before);
      return query.orderBy("id", "desc").limit(n).execute();
    },
    zeroAmountFromRow,
    (row) => [Number(row.id)],
  );
}
