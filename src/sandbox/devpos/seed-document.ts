import { z } from "zod";
import { devposRowSchema, type DevposRow, type StoredDocument } from "./devpos-row.js";

/**
 * What callers may hand to addDocuments: a bare production row (its amount is the true total)
 * or a row with its true total, as the generator produces for zero-amount rows.
 */
export type SeedDocument = DevposRow | StoredDocument;

export const seedDocumentSchema = z.union([z.object({ row: devposRowSchema, trueAmount: z.number() }), devposRowSchema]);

export function toStoredDocument(doc: SeedDocument): StoredDocument {
  if ("row" in doc) return { row: { ...doc.row }, trueAmount: doc.trueAmount };
  return { row: { ...doc }, trueAmount: doc.amount };
}
