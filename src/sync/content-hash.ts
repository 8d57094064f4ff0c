import { createHash } from "node:crypto";
import type { SourceDocument } from "../domain/source-document.js";
import { documentCurrency, partyIdentityOf, qboTypeOf } from "./parties.js";

/**
 * A digest of the fields that decide what devsync writes to QuickBooks: type, amount, dates,
 * currency, rate, party, number, VAT rate (when known) and whether the row is rejected. Equal hash → the document is
 * unchanged and costs no QuickBooks call. The status enters only as rejected / not rejected:
 * `Dërguar` → `Pranuar` changes nothing in the books and must not cause a write.
 */
export function contentHash(doc: SourceDocument, homeCurrency: string): string {
  const party = partyIdentityOf(doc, homeCurrency);
  const currency = documentCurrency(doc, homeCurrency);
  const fields = [
    "v1",
    qboTypeOf(doc),
    doc.amountMinor ?? "null",
    doc.txnDate,
    doc.dueDate ?? "",
    currency,
    currency === homeCurrency.toUpperCase() ? "" : (doc.exchangeRate ?? ""),
    party.key,
    doc.documentNumber ?? "",
    doc.status === "rejected" ? "rejected" : "active",
  ];
  // Appended only when present, so documents without a rate keep the hash they were synced with.
  if (doc.vatRate !== null) fields.push(`vat:${doc.vatRate}`);
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex").slice(0, 40);
}
