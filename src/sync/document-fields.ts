import { fromMinor } from "../domain/money.js";
import type { SourceDocument } from "../domain/source-document.js";
import { documentCurrency } from "./parties.js";

/** QuickBooks limits DocNumber to 21 characters (fault 2050). */
export const MAX_DOC_NUMBER = 21;

export interface DocNumberResult {
  docNumber: string | null;
  /** Set when the number was shortened: a line for the run report. */
  truncatedFrom: string | null;
}

/** DevPos numbers longer than 21 characters keep their last 21 (the distinctive counter end). */
export function docNumberFor(documentNumber: string | null): DocNumberResult {
  if (documentNumber === null || documentNumber === "") return { docNumber: null, truncatedFrom: null };
  if (documentNumber.length <= MAX_DOC_NUMBER) return { docNumber: documentNumber, truncatedFrom: null };
  return { docNumber: documentNumber.slice(-MAX_DOC_NUMBER), truncatedFrom: documentNumber };
}

/** The marker that identifies a QBO document as this EIC's (PrivateNote is not queryable). */
export function eicMarker(eic: string): string {
  return `DevPos EIC ${eic}`;
}

export function privateNoteFor(doc: Pick<SourceDocument, "eic" | "documentNumber">): string {
  return doc.documentNumber ? `${eicMarker(doc.eic)} | Nr ${doc.documentNumber}` : eicMarker(doc.eic);
}

export function hasEicMarker(privateNote: unknown, eic: string): boolean {
  if (typeof privateNote !== "string") return false;
  const marker = eicMarker(eic).toLowerCase();
  const note = privateNote.toLowerCase();
  const at = note.indexOf(marker);
  if (at < 0) return false;
  // The EIC must end there (a UUID is fixed-length, but be strict anyway).
  const next = note.charAt(at + marker.length);
  return next === "" || !/[0-9a-f-]/.test(next);
}

/** Settings of the company that shape every document. */
export interface MappingSettings {
  homeCurrency: string;
  taxMode: "none" | "inclusive";
  /** The company's VAT code (inclusive mode). */
  vatTaxCodeId: string | null;
  /** VAT rate as text ("20") → tax code id, used when a document's rate is known. */
  vatRateCodes: Record<string, string> | null;
}

export class MappingError extends Error {
  override readonly name = "MappingError";
}

/** The header fields Invoice and Bill share. */
export function commonFields(doc: SourceDocument, settings: MappingSettings): { fields: Record<string, unknown>; warnings: string[] } {
  if (doc.amountMinor === null || doc.amountMinor === 0) throw new MappingError(`document ${doc.eic} has no amount`);
  const warnings: string[] = [];
  const fields: Record<string, unknown> = {};
  const number = docNumberFor(doc.documentNumber);
  if (number.docNumber !== null) fields.DocNumber = number.docNumber;
  if (number.truncatedFrom !== null) warnings.push(`DocNumber ${number.truncatedFrom} is longer than ${MAX_DOC_NUMBER} characters; sent as ${number.docNumber}`);
  fields.TxnDate = doc.txnDate;
  if (doc.dueDate !== null) fields.DueDate = doc.dueDate;
  fields.PrivateNote = privateNoteFor(doc);
  const currency = documentCurrency(doc, settings.homeCurrency);
  fields.CurrencyRef = { value: currency };
  if (currency !== settings.homeCurrency.toUpperCase()) {
    if (doc.exchangeRate !== null) fields.ExchangeRate = doc.exchangeRate;
    else warnings.push(`no exchange rate on a ${currency} document; QuickBooks applies its own rate`);
  }
  if (settings.taxMode === "inclusive") fields.GlobalTaxCalculation = "TaxInclusive";
  return { fields, warnings };
}

/** The TaxCodeRef of the single line in inclusive mode, or undefined in mode none. */
export function lineTaxCode(settings: MappingSettings, vatRate?: number | null): { value: string } | undefined {
  if (settings.taxMode !== "inclusive") return undefined;
  if (vatRate !== undefined && vatRate !== null && settings.vatRateCodes) {
    const mapped = settings.vatRateCodes[String(vatRate)];
    if (mapped) return { value: mapped };
  }
  if (!settings.vatTaxCodeId) throw new MappingError("tax mode is inclusive but the company has no VAT tax code configured");
  return { value: settings.vatTaxCodeId };
}

/** The gross amount of the one line (TaxInclusive: the line amount is the gross). */
export function lineAmount(doc: SourceDocument): number {
  return fromMinor(doc.amountMinor ?? 0);
}
