import type { Selectable } from "kysely";
import { withDbErrors } from "../errors.js";
import type { DocumentLinksTable } from "../schema.js";
import {
  affected,
  chunk,
  decodeIdCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  fromMinor,
  IN_LIST_CHUNK,
  insertReturningId,
  keysetPage,
  matchesAny,
  pageLimit,
  toDbInstant,
  type Db,
} from "./repo-helpers.js";
import type { Page, PageOptions } from "./types.js";

/** What the source document is: a sale (→ Invoice, or Bill when self-issued) or a purchase (→ Bill). */
export type DocumentKind = "sale" | "purchase" | string;
export type DocumentLinkState = "pending" | "synced";

/**
 * The idempotency ledger (docs/domain.md): one row per (company, kind, EIC), written `pending` with a
 * deterministic request id before the QBO create, `synced` once QBO answered.
 */
export interface DocumentLink {
  id: number;
  companyId: number;
  kind: DocumentKind;
  /** The EIC. */
  sourceKey: string;
  docNumber: string | null;
  qboType: string;
  qboId: string | null;
  syncToken: string | null;
  contentHash: string;
  state: DocumentLinkState;
  requestId: string;
  /** YYYY-MM-DD */
  txnDate: string | null;
  amountMinor: number | null;
  currency: string | null;
  lastRunId: number | null;
  voidedAt: Date | null;
  /** Digest of the body last sent under requestId (null: never sent, or a retry was asked for). */
  inputHash: string | null;
  /** Why the last create of a pending link did not confirm (QuickBooks' fault, a missing answer…). */
  lastError: string | null;
  lastErrorAt: Date | null;
  failedAttempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export function linkFromRow(row: Selectable<DocumentLinksTable>): DocumentLink {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    kind: row.kind,
    sourceKey: row.source_key,
    docNumber: row.doc_number,
    qboType: row.qbo_type,
    qboId: row.qbo_id,
    syncToken: row.sync_token,
    contentHash: row.content_hash,
    state: row.state as DocumentLinkState,
    requestId: row.request_id,
    txnDate: row.txn_date,
    amountMinor: fromMinor(row.amount_minor),
    currency: row.currency,
    lastRunId: row.last_run_id === null ? null : Number(row.last_run_id),
    voidedAt: fromDbInstantOrNull(row.voided_at),
    inputHash: row.input_hash ?? null,
    lastError: row.last_error ?? null,
    lastErrorAt: fromDbInstantOrNull(row.last_error_at ?? null),
    failedAttempts: Number(row.failed_attempts ?? 0),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

export async function getDocumentLink(db: Db, companyId: number, kind: DocumentKind, sourceKey: string): Promise<DocumentLink | undefined> {
  const row = await db
    .selectFrom("document_links")
    .selectAll()
    .where("company_id", "=", companyId)
    .where("kind", "=", kind)
    .where("source_key", "=", sourceKey)
    .executeTakeFirst();
  return row ? linkFromRow(row) : undefined;
}

/** The links of many source keys, keyed by source key; looked up in chunks of 1,000 keys. */
export async function getDocumentLinks(
  db: Db,
  companyId: number,
  kind: DocumentKind,
  sourceKeys: readonly string[],
): Promise<Map<string, DocumentLink>> {
  const links = new Map<string, DocumentLink>();
  for (const keys of chunk([...new Set(sourceKeys)], IN_LIST_CHUNK)) {
    const rows = await db
      .selectFrom("document_links")
      .selectAll()
      .where("company_id", "=", companyId)
      .where("kind", "=", kind)
      .where("source_key", "in", keys)
      .execute();
    for (const row of rows) links.set(row.source_key, linkFromRow(row));
  }
  return links;
}

export interface NewPendingLink {
  companyId: number;
  kind: DocumentKind;
  sourceKey: string;
  docNumber?: string | null;
  qboType: string;
  contentHash: string;
  requestId: string;
  txnDate?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  runId?: number | null;
  /** Digest of the body the create is sent with. */
  inputHash?: string | null;
  now: Date;
}

/** Writes the link before the QBO create. UniqueViolationError when the document is already linked. */
export async function insertPendingLink(db: Db, input: NewPendingLink): Promise<DocumentLink> {
  const at = toDbInstant(input.now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "document_links", {
      company_id: input.companyId,
      kind: input.kind,
      source_key: input.sourceKey,
      doc_number: input.docNumber ?? null,
      qbo_type: input.qboType,
      qbo_id: null,
      sync_token: null,
      content_hash: input.contentHash,
      state: "pending",
      request_id: input.requestId,
      txn_date: input.txnDate ?? null,
      amount_minor: input.amountMinor ?? null,
      currency: input.currency ?? null,
      last_run_id: input.runId ?? null,
      voided_at: null,
      input_hash: input.inputHash ?? null,
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getLinkById(db, id))!;
}

export async function getLinkById(db: Db, id: number): Promise<DocumentLink | undefined> {
  const row = await db.selectFrom("document_links").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? linkFromRow(row) : undefined;
}

/** QBO created the document: record its id and SyncToken. */
export async function markSynced(
  db: Db,
  id: number,
  input: { qboId: string; syncToken: string; contentHash?: string; qboType?: string; runId?: number | null; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable("document_links")
    .set({
      state: "synced",
      qbo_id: input.qboId,
      sync_token: input.syncToken,
      ...(input.contentHash !== undefined ? { content_hash: input.contentHash } : {}),
      ...(input.qboType !== undefined ? { qbo_type: input.qboType } : {}),
      ...(input.runId !== undefined ? { last_run_id: input.runId } : {}),
      last_error: null,
      last_error_at: null,
      updated_at: toDbInstant(input.now),
    })
    .where("id", "=", id)
    .executeTakeFirst();
  return affected(result) === 1;
}

/** After a sparse update: the new SyncToken and content hash (and the fields shown in lists). */
export async function recordLinkUpdate(
  db: Db,
  id: number,
  input: {
    syncToken: string;
    contentHash: string;
    docNumber?: string | null;
    txnDate?: string | null;
    amountMinor?: number | null;
    currency?: string | null;
    runId?: number | null;
    now: Date;
  },
): Promise<boolean> {
  const result = await db
    .updateTable("document_links")
    .set({
      sync_token: input.syncToken,
      content_hash: input.contentHash,
      ...linkSnapshotColumns(input),
      updated_at: toDbInstant(input.now),
    })
    .where("id", "=", id)
    .executeTakeFirst();
  return affected(result) === 1;
}

/** The QBO document was voided (rejected in DevPos). */
export async function markVoided(db: Db, id: number, input: { syncToken?: string | null; runId?: number | null; now: Date }): Promise<boolean> {
  const at = toDbInstant(input.now);
  const result = await db
    .updateTable("document_links")
    .set({
      voided_at: at,
      ...(input.syncToken !== undefined ? { sync_token: input.syncToken } : {}),
      ...(input.runId !== undefined ? { last_run_id: input.runId } : {}),
      updated_at: at,
    })
    .where("id", "=", id)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * The document was deleted in QuickBooks and the company chose "recreate": the link goes back
 * to `pending` with a new request id, ready for a fresh create.
 */
export async function resetLinkToPending(db: Db, id: number, input: { requestId: string; contentHash: string; runId?: number | null; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable("document_links")
    .set({
      state: "pending",
      qbo_id: null,
      sync_token: null,
      voided_at: null,
      request_id: input.requestId,
      content_hash: input.contentHash,
      ...(input.runId !== undefined ? { last_run_id: input.runId } : {}),
      updated_at: toDbInstant(input.now),
    })
    .where("id", "=", id)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function deleteDocumentLink(db: Db, id: number): Promise<boolean> {
  return affected(await db.deleteFrom("document_links").where("id", "=", id).executeTakeFirst()) > 0;
}

/** A company's `pending` links (interrupted creates to resolve), oldest first. */
export async function listPendingLinks(db: Db, companyId: number, options: { kind?: DocumentKind; limit?: number } = {}): Promise<DocumentLink[]> {
  let query = db.selectFrom("document_links").selectAll().where("company_id", "=", companyId).where("state", "=", "pending");
  if (options.kind !== undefined) query = query.where("kind", "=", options.kind);
  const rows = await query.orderBy("id").limit(options.limit ?? 1000).execute();
  return rows.map(linkFromRow);
}

export interface ListDocumentLinksOptions extends PageOptions {
  companyId: number;
  kind?: DocumentKind;
  state?: DocumentLinkState;
  qboType?: string;
  voided?: boolean;
  /** txn_date >= from (YYYY-MM-DD) */
  from?: string;
  /** txn_date <= to (YYYY-MM-DD) */
  to?: string;
  /** Case-insensitive substring of the document number or EIC. */
  search?: string;
}

/** Synced documents of a company for the dashboard, newest link first (keyset on id). */
export async function listDocumentLinks(db: Db, options: ListDocumentLinksOptions): Promise<Page<DocumentLink>> {
  const before = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("document_links").selectAll().where("company_id", "=", options.companyId);
      if (options.kind !== undefined) query = query.where("kind", "=", options.kind);
      if (options.state !== undefined) query = query.where("state", "=", options.state);
      if (options.qboType !== undefined) query = query.where("qbo_type", "=", options.qboType);
      if (options.voided !== undefined) query = query.where("voided_at", options.voided ? "is not" : "is", null);
      if (options.from !== undefined) query = query.where("txn_date", ">=", options.from);
      if (options.to !== undefined) query = query.where("txn_date", "<=", options.to);
      if (options.search) query = query.where(matchesAny(["doc_number", "source_key"], options.search));
      if (before !== undefined) query = query.where("id", "<", before);
      return query.orderBy("id", "desc").limit(n).execute();
    },
    linkFromRow,
    (row) => [Number(row.id)],
  );
}

export interface DocumentsPerDay {
  /** YYYY-MM-DD (transaction date). */
  date: string;
  kind: DocumentKind;
  count: number;
  amountMinor: number;
}

/** Synced documents per transaction date and kind, for the stats page. */
export async function countDocumentsPerDay(db: Db, companyId: number, range: { from: string; to: string }): Promise<DocumentsPerDay[]> {
  const rows = await db
    .selectFrom("document_links")
    .select(["txn_date", "kind", (eb) => eb.fn.countAll<number | string>().as("n"), (eb) => eb.fn.sum<number | string | null>("amount_minor").as("amount")])
    .where("company_id", "=", companyId)
    .where("state", "=", "synced")
    .where("txn_date", ">=", range.from)
    .where("txn_date", "<=", range.to)
    .groupBy(["txn_date", "kind"])
    .orderBy("txn_date")
    .orderBy("kind")
    .execute();
  return rows.map((r) => ({ date: r.txn_date ?? "", kind: r.kind, count: Number(r.n), amountMinor: Number(r.amount ?? 0) }));
}

/** Only `synced` links (what the "synced documents" page shows). */
export async function listSyncedDocuments(db: Db, options: Omit<ListDocumentLinksOptions, "state">): Promise<Page<DocumentLink>> {
  return listDocumentLinks(db, { ...options, state: "synced" });
}

/** The document facts a link keeps beside its QuickBooks id; only the fields given are written. */
export interface LinkSnapshot {
  docNumber?: string | null;
  txnDate?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  runId?: number | null;
}

export function linkSnapshotColumns(input: LinkSnapshot) {
  return {
    ...(input.docNumber !== undefined ? { doc_number: input.docNumber } : {}),
    ...(input.txnDate !== undefined ? { txn_date: input.txnDate } : {}),
    ...(input.amountMinor !== undefined ? { amount_minor: input.amountMinor } : {}),
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    ...(input.runId !== undefined ? { last_run_id: input.runId } : {}),
  };
}
