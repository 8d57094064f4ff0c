import type { Insertable } from "kysely";
import { dialectOf } from "../db.js";
import { withDbErrors } from "../errors.js";
import type { DocumentLinksTable } from "../schema.js";
import { getDocumentLinks, linkSnapshotColumns, type DocumentKind, type DocumentLink, type NewPendingLink } from "./document-links.js";
import { affected, chunk, inTransaction, rowsPerInsert, toDbInstant, type Db } from "./repo-helpers.js";

/**
 * Bulk ledger writes for the sync engine: a batch of 30 creates is preceded by 30 pending links,
 * and followed by 30 `synced` marks, in one statement / one transaction each instead of 60
 * round trips.
 */

/**
 * Inserts pending links, skipping documents that are already linked (another run got there
 * first), and returns the links of all the given keys as they now are.
 */
export async function insertPendingLinks(db: Db, links: readonly Omit<NewPendingLink, "now">[], now: Date): Promise<Map<string, DocumentLink>> {
  if (links.length === 0) return new Map();
  const at = toDbInstant(now);
  const rows: Insertable<DocumentLinksTable>[] = links.map((l) => ({
    company_id: l.companyId,
    kind: l.kind,
    source_key: l.sourceKey,
    doc_number: l.docNumber ?? null,
    qbo_type: l.qboType,
    qbo_id: null,
    sync_token: null,
    content_hash: l.contentHash,
    state: "pending",
    request_id: l.requestId,
    txn_date: l.txnDate ?? null,
    amount_minor: l.amountMinor ?? null,
    currency: l.currency ?? null,
    last_run_id: l.runId ?? null,
    voided_at: null,
    input_hash: l.inputHash ?? null,
    created_at: at,
    updated_at: at,
  }));
  const mysql = dialectOf(db) === "mysql";
  for (const part of chunk(rows, rowsPerInsert(db, 18))) {
    await withDbErrors(() => {
      const insert = db.insertInto("document_links").values(part);
      return mysql
        ? insert.ignore().execute()
        : insert.onConflict((oc) => oc.columns(["company_id", "kind", "source_key"]).doNothing()).execute();
    });
  }
  const byKind = new Map<DocumentKind, string[]>();
  for (const l of links) byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), l.sourceKey]);
  const result = new Map<string, DocumentLink>();
  const companyId = links[0]!.companyId;
  for (const [kind, keys] of byKind) {
    for (const [key, link] of await getDocumentLinks(db, companyId, kind, keys)) result.set(`${kind}|${key}`, link);
  }
  return result;
}

export interface SyncedMark {
  id: number;
  qboId: string;
  syncToken: string;
  contentHash?: string;
  runId?: number | null;
}

/** Marks links `synced` (QBO answered with the created document), in one transaction. */
export async function markLinksSynced(db: Db, marks: readonly SyncedMark[], now: Date): Promise<void> {
  if (marks.length === 0) return;
  const at = toDbInstant(now);
  await inTransaction(db, async (trx) => {
    for (const m of marks) {
      await trx
        .updateTable("document_links")
        .set({
          state: "synced",
          qbo_id: m.qboId,
          sync_token: m.syncToken,
          ...(m.contentHash !== undefined ? { content_hash: m.contentHash } : {}),
          ...(m.runId !== undefined ? { last_run_id: m.runId } : {}),
          last_error: null,
          last_error_at: null,
          updated_at: at,
        })
        .where("id", "=", m.id)
        .execute();
    }
  });
}

/** Drops pending links whose create QuickBooks refused (a fault proves nothing was created). */
export async function deletePendingLinks(db: Db, ids: readonly number[]): Promise<number> {
  let deleted = 0;
  for (const part of chunk([...ids], 1000)) {
    deleted += affected(await db.deleteFrom("document_links").where("id", "in", part).where("state", "=", "pending").executeTakeFirst());
  }
  return deleted;
}

/**
 * A pending link whose create was looked up and is not in QuickBooks: the document's current
 * hash and list fields, and the request id its next create goes out under (kept, or a new
 * generation when its inputs changed: see createInputDecision in src/sync/request-ids.ts).
 */
export async function renewPendingLink(
  db: Db,
  id: number,
  input: { requestId: string; contentHash: string; inputHash?: string | null; docNumber?: string | null; txnDate?: string | null; amountMinor?: number | null; currency?: string | null; runId?: number | null; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable("document_links")
    .set({
      request_id: input.requestId,
      content_hash: input.contentHash,
      ...(input.inputHash !== undefined ? { input_hash: input.inputHash } : {}),
      ...linkSnapshotColumns(input),
      updated_at: toDbInstant(input.now),
    })
    .where("id", "=", id)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return affected(result) === 1;
}

export interface CreateFailure {
  id: number;
  message: string;
}

/**
 * Creates that did not confirm (a fault in the answer, an item missing from it, or no answer):
 * the links stay `pending`, so the next run looks the documents up before creating anything,
 * and remember why for the run page.
 */
export async function recordCreateFailures(db: Db, failures: readonly CreateFailure[], runId: number | null, now: Date): Promise<void> {
  if (failures.length === 0) return;
  const at = toDbInstant(now);
  await inTransaction(db, async (trx) => {
    for (const f of failures) {
      await trx
        .updateTable("document_links")
        .set((eb) => ({
          last_error: f.message.slice(0, 1000),
          last_error_at: at,
          failed_attempts: eb("failed_attempts", "+", 1),
          ...(runId !== null ? { last_run_id: runId } : {}),
          updated_at: at,
        }))
        .where("id", "=", f.id)
        .where("state", "=", "pending")
        .execute();
    }
  });
}

/**
 * A person asks for failed documents to be tried again: their next create goes out under a new
 * request id even if nothing devsync sends has changed (QuickBooks' side may have: a VAT code,
 * multicurrency). Returns how many links were marked.
 */
export async function requestCreateRetry(db: Db, companyId: number, sourceKeys?: readonly string[]): Promise<number> {
  const query = db
    .updateTable("document_links")
    .set({ input_hash: null })
    .where("company_id", "=", companyId)
    .where("state", "=", "pending")
    .where("last_error", "is not", null);
  if (sourceKeys !== undefined) {
    if (sourceKeys.length === 0) return 0;
    let total = 0;
    for (const part of chunk([...sourceKeys], 1000)) total += affected(await query.where("source_key", "in", part).executeTakeFirst());
    return total;
  }
  return affected(await query.executeTakeFirst());
}
