import { fromMinor, vatInGross } from "../domain/money.js";
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
  /**
   * Tax code id → its rate in percent, for every code the company may use: needed to split a
   * gross into the net `Amount` Intuit expects (read from QuickBooks when vat_rate_codes does
   * not say it).
   */
  taxCodeRates: Record<string, number>;
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

/** The VAT treatment of a document's single line: which code, at which rate. */
export interface LineTax {
  taxCodeRef: { value: string };
  ratePercent: number;
}

/**
 * The line's tax in inclusive mode (undefined in mode none): the code mapped to the document's
 * own VAT rate when DevPos gives one, else the company's VAT code. A rate DevPos gives that no
 * code is mapped to fails the document (booking 20 % VAT on a 6 % invoice would keep the gross
 * but misstate the VAT return).
 */
export function lineTax(settings: MappingSettings, vatRate?: number | null): LineTax | undefined {
  if (settings.taxMode !== "inclusive") return undefined;
  if (vatRate !== undefined && vatRate !== null) {
    const mapped = settings.vatRateCodes?.[String(vatRate)];
    if (!mapped) throw new MappingError(`DevPos gives VAT ${vatRate} % but no QuickBooks tax code is chosen for ${vatRate} %: choose one in Settings → Tax`);
    return { taxCodeRef: { value: mapped }, ratePercent: vatRate };
  }
  if (!settings.vatTaxCodeId) throw new MappingError("tax mode is inclusive but the company has no VAT tax code configured: choose one in Settings → Tax");
  const rate = settings.taxCodeRates[settings.vatTaxCodeId];
  if (rate === undefined) throw new MappingError(`the rate of QuickBooks tax code ${settings.vatTaxCodeId} is unknown: re-check the QuickBooks settings in Settings → Tax`);
  return { taxCodeRef: { value: settings.vatTaxCodeId }, ratePercent: rate };
}

/**
 * The amounts of the single line. Intuit's line `Amount` is always before tax; with
 * GlobalTaxCalculation TaxInclusive the gross goes in the detail's `TaxInclusiveAmt`, and
 * QuickBooks then keeps the gross as the line's total (docs/domain.md "Tax inclusive"). Without
 * tax, Amount is the gross itself.
 */
export function lineAmounts(doc: SourceDocument, tax: LineTax | undefined): { amount: number; taxInclusiveAmt?: number } {
  const gross = doc.amountMinor ?? 0;
  if (!tax) return { amount: fromMinor(gross) };
  return { amount: fromMinor(gross - vatInGross(gross, tax.ratePercent)), taxInclusiveAmt: fromMinor(gross) };
}
