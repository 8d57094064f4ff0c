import type { SourceDocument } from "../domain/source-document.js";
import type { DocumentLink } from "../storage/repos/document-links.js";
import { contentHash } from "./content-hash.js";
import { qboTypeOf, type QboTxnType } from "./parties.js";

/**
 * Plan before writing (docs/domain.md §3): every listed document against its `document_links` row,
 * with no QuickBooks call. Unchanged documents cost nothing; nothing is read from QuickBooks
 * per document to "check it still exists".
 */
export type JobType = "sales" | "bills" | "full";

export type PlannedDocument =
  /** Not linked yet: create. */
  | { action: "create"; doc: SourceDocument; qboType: QboTxnType; hash: string }
  /** A create was interrupted (pending link): look it up by DocNumber + EIC marker first. */
  | { action: "resolve"; doc: SourceDocument; qboType: QboTxnType; hash: string; link: DocumentLink }
  /** Synced, and the content changed: sparse update. */
  | { action: "update"; doc: SourceDocument; qboType: QboTxnType; hash: string; link: DocumentLink }
  | { action: "unchanged"; doc: SourceDocument; qboType: QboTxnType; link: DocumentLink }
  /** Rejected in DevPos after it was synced as an invoice: void it. */
  | { action: "void"; doc: SourceDocument; qboType: QboTxnType; link: DocumentLink }
  /** Needs a person: a rejected bill that was synced, a voided invoice that is no longer rejected. */
  | { action: "attention"; doc: SourceDocument; qboType: QboTxnType; link: DocumentLink; message: string }
  /** Not created: rejected, or the list shows no amount (retried next run). */
  | { action: "skip"; doc: SourceDocument; qboType: QboTxnType; reason: "rejected" | "zero_amount"; message: string; link?: DocumentLink };

export interface SyncPlan {
  items: PlannedDocument[];
  counts: Record<PlannedDocument["action"], number>;
}

/** Which rows a job type covers: sales → invoices, bills → bills (purchases and self-issued sales). */
export function coveredByJob(doc: Pick<SourceDocument, "kind" | "selfIssued">, jobType: JobType): boolean {
  if (jobType === "full") return true;
  const type = qboTypeOf(doc);
  return jobType === "sales" ? type === "Invoice" : type === "Bill";
}

export function linkKey(kind: string, eic: string): string {
  return `${kind}|${eic}`;
}

export function planDocuments(docs: readonly SourceDocument[], links: ReadonlyMap<string, DocumentLink>, homeCurrency: string): SyncPlan {
  const items: PlannedDocument[] = [];
  const counts = { create: 0, resolve: 0, update: 0, unchanged: 0, void: 0, attention: 0, skip: 0 };
  for (const doc of docs) {
    const item = planOne(doc, links.get(linkKey(doc.kind, doc.eic)), homeCurrency);
    counts[item.action]++;
    items.push(item);
  }
  return { items, counts };
}

export function planOne(doc: SourceDocument, link: DocumentLink | undefined, homeCurrency: string): PlannedDocument {
  const qboType = qboTypeOf(doc);
  const rejected = doc.status === "rejected";
  const noAmount = doc.amountMinor === null || doc.amountMinor === 0;

  if (!link) {
    if (rejected) return { action: "skip", doc, qboType, reason: "rejected", message: `rejected in DevPos (${doc.statusText}); not created` };
    if (noAmount) return { action: "skip", doc, qboType, reason: "zero_amount", message: "DevPos lists no amount for this document; not created, retried next run" };
    return { action: "create", doc, qboType, hash: contentHash(doc, homeCurrency) };
  }

  if (link.state === "pending") {
    // Whatever happens next, the interrupted create must be looked up before anything else.
    return { action: "resolve", doc, qboType, hash: contentHash(doc, homeCurrency), link };
  }

  if (rejected) {
    if (link.voidedAt !== null) return { action: "unchanged", doc, qboType, link };
    if (link.qboType === "Invoice") return { action: "void", doc, qboType, link };
    return { action: "attention", doc, qboType, link, message: `rejected in DevPos after it was synced as ${link.qboType} ${link.qboId}; bills cannot be voided, review it in QuickBooks` };
  }
  if (link.voidedAt !== null) {
    return { action: "attention", doc, qboType, link, message: `no longer rejected in DevPos, but ${link.qboType} ${link.qboId} was voided; review it in QuickBooks` };
  }
  if (noAmount) {
    // A synced document never gets its amount overwritten by the list's 0.
    return { action: "skip", doc, qboType, reason: "zero_amount", message: "DevPos lists no amount for this document; the synced document was left as it is", link };
  }
  const hash = contentHash(doc, homeCurrency);
  if (hash === link.contentHash) return { action: "unchanged", doc, qboType, link };
  if (link.qboType !== qboType) {
    return { action: "attention", doc, qboType, link, message: `DevPos now makes this a ${qboType}, but it was synced as ${link.qboType} ${link.qboId}; review it in QuickBooks` };
  }
  return { action: "update", doc, qboType, hash, link };
}
