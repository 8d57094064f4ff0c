import { z } from "zod";
import type { StoredDocument } from "./devpos-row.js";
import { isLocalDate, tiraneTimestamp } from "./tirane-time.js";

/** What the admin endpoint may change on a document; everything else is identity. */
export const documentPatchSchema = z
  .object({
    /** The list amount. Unless trueAmount is also sent, a non-zero amount is the new true total. */
    amount: z.number().nonnegative(),
    trueAmount: z.number().positive(),
    invoiceStatus: z.string().min(1),
    statusCanBeChanged: z.boolean(),
    /** Full ISO timestamp, or a bare local date that keeps the time of day. */
    invoiceCreatedDate: z.string().min(10),
    dueDate: z.string().min(10).nullable(),
    documentNumber: z.string().min(1),
    /** null turns the document back into a home-currency (ALL) one. */
    currencyCode: z.string().length(3).nullable(),
    exchangeRate: z.number().positive().nullable(),
    buyerNuis: z.string().nullable(),
    buyerName: z.string().nullable(),
    sellerName: z.string(),
    selfIssuingType: z.string().nullable(),
    customer: z.object({ name: z.string(), idNumber: z.string() }).nullable(),
  })
  .partial()
  .strict();

export type DocumentPatch = z.infer<typeof documentPatchSchema>;

/** Returns a new document: rows are never mutated, which keeps cached derived values honest. */
export function applyDocumentPatch(doc: StoredDocument, patch: DocumentPatch): StoredDocument {
  const { amount, trueAmount, currencyCode, exchangeRate, invoiceCreatedDate, dueDate, ...rest } = patch;
  const row = { ...doc.row, ...rest };
  let total = doc.trueAmount;
  if (amount !== undefined) {
    row.amount = amount;
    if (amount > 0) total = amount;
  }
  if (trueAmount !== undefined) total = trueAmount;
  if (invoiceCreatedDate !== undefined) row.invoiceCreatedDate = withLocalDate(doc.row.invoiceCreatedDate, invoiceCreatedDate);
  if (dueDate !== undefined) row.dueDate = dueDate === null ? null : withLocalDate(doc.row.dueDate ?? row.invoiceCreatedDate, dueDate);
  if (rest.invoiceStatus !== undefined && rest.statusCanBeChanged === undefined) row.statusCanBeChanged = rest.invoiceStatus === "Dërguar";
  if (currencyCode === null || (currencyCode !== undefined && currencyCode.toUpperCase() === "ALL")) {
    delete row.currencyCode;
    delete row.exchangeRate;
  } else if (currencyCode !== undefined) {
    row.currencyCode = currencyCode.toUpperCase();
  }
  if (exchangeRate === null) delete row.exchangeRate;
  else if (exchangeRate !== undefined) row.exchangeRate = exchangeRate;
  return { row, trueAmount: total };
}

function withLocalDate(previous: string, value: string): string {
  if (!isLocalDate(value)) return value;
  const time = /T(\d{2}):(\d{2}):(\d{2})/.exec(previous);
  return tiraneTimestamp(value, Number(time?.[1] ?? 12), Number(time?.[2] ?? 0), Number(time?.[3] ?? 0));
}
