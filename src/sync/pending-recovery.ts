import { qboInList } from "../connectors/qbo/query.js";
import type { DocumentLink } from "../storage/repos/document-links.js";
import { hasEicMarker } from "./document-fields.js";
import type { QboEntity, QboGateway } from "./ports.js";

/**
 * Resolves `pending` links (a create whose outcome is unknown: the process died, or the answer
 * never came) by looking the document up in QuickBooks BEFORE anything is re-created
 * (docs/domain.md §3): by DocNumber (filterable), then the `DevPos EIC <eic>` marker in PrivateNote
 * (not filterable) client-side. Links without a number are looked up by TxnDate. Reads are
 * grouped: one query per 30 numbers, not one per document.
 */
export interface PendingLookup {
  link: DocumentLink;
  /** The DocNumber that was sent (≤ 21 characters), or null. */
  docNumber: string | null;
  txnDate: string | null;
}

const GROUP = 30;

/** linkId → the QuickBooks document (found) or null (proved absent). Throws on any QBO error. */
export async function lookUpPending(qbo: QboGateway, pending: readonly PendingLookup[]): Promise<Map<number, QboEntity | null>> {
  const found = new Map<number, QboEntity | null>();
  for (const p of pending) found.set(p.link.id, null);
  const byType = new Map<string, PendingLookup[]>();
  for (const p of pending) byType.set(p.link.qboType, [...(byType.get(p.link.qboType) ?? []), p]);

  for (const [type, group] of byType) {
    const withNumber = group.filter((p) => p.docNumber);
    const withoutNumber = group.filter((p) => !p.docNumber);
    const match = (rows: QboEntity[], candidates: PendingLookup[]) => {
      for (const p of candidates) {
        const hit = rows.find((r) => hasEicMarker(r.PrivateNote, p.link.sourceKey));
        if (hit) found.set(p.link.id, hit);
      }
    };
    const numbers = [...new Set(withNumber.map((p) => p.docNumber!))];
    for (let i = 0; i < numbers.length; i += GROUP) {
      const slice = numbers.slice(i, i + GROUP);
      const rows = await qbo.queryAll<QboEntity>(type, `DocNumber IN ${qboInList(slice)}`);
      match(rows, withNumber.filter((p) => slice.includes(p.docNumber!)));
    }
    const dates = [...new Set(withoutNumber.map((p) => p.txnDate).filter((d): d is string => d !== null))];
    for (let i = 0; i < dates.length; i += GROUP) {
      const slice = dates.slice(i, i + GROUP);
      const rows = await qbo.queryAll<QboEntity>(type, `TxnDate IN ${qboInList(slice)}`);
      match(rows, withoutNumber.filter((p) => p.txnDate !== null && slice.includes(p.txnDate)));
    }
  }
  return found;
}
