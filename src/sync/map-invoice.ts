import type { SourceDocument } from "../domain/source-document.js";
import { commonFields, lineAmount, lineTaxCode, type MappingSettings } from "./document-fields.js";

export interface InvoiceRefs {
  customerId: string;
  incomeItemId: string;
}

export interface MappedDocument {
  body: Record<string, unknown>;
  warnings: string[];
}

/**
 * A DevPos sales row (not self-issued) as a QBO Invoice: one line with the gross amount on the
 * company's income item; tax mode `inclusive` adds TaxInclusive and the line's TaxCodeRef.
 * Pure; throws MappingError when the document or the settings cannot make a valid invoice.
 */
export function mapInvoice(doc: SourceDocument, settings: MappingSettings, refs: InvoiceRefs, vatRate?: number | null): MappedDocument {
  const { fields, warnings } = commonFields(doc, settings);
  const taxCode = lineTaxCode(settings, vatRate);
  const amount = lineAmount(doc);
  const detail: Record<string, unknown> = { ItemRef: { value: refs.incomeItemId } };
  if (taxCode) {
    detail.TaxCodeRef = taxCode;
    detail.TaxInclusiveAmt = amount;
  }
  const body: Record<string, unknown> = {
    ...fields,
    CustomerRef: { value: refs.customerId },
    Line: [{ DetailType: "SalesItemLineDetail", Amount: amount, Description: description(doc), SalesItemLineDetail: detail }],
  };
  return { body, warnings };
}

export function description(doc: SourceDocument): string {
  return doc.documentNumber ? `DevPos ${doc.documentNumber}` : `DevPos ${doc.eic}`;
}
