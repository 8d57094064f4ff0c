import type { SourceDocument } from "../domain/source-document.js";
import { commonFields, lineAmounts, lineTax, type MappingSettings } from "./document-fields.js";

export interface InvoiceRefs {
  customerId: string;
  incomeItemId: string;
}

export interface MappedDocument {
  body: Record<string, unknown>;
  warnings: string[];
}

/**
 * A DevPos sales row (not self-issued) as a QBO Invoice: one line with the amount on the
 * company's income item; tax mode `inclusive` adds TaxInclusive, the line's TaxCodeRef (by the
 * document's VAT rate when known) and the gross as TaxInclusiveAmt, so TotalAmt is the DevPos
 * amount to the cent. Pure; throws MappingError when the document or the settings cannot make a
 * valid invoice.
 */
export function mapInvoice(doc: SourceDocument, settings: MappingSettings, refs: InvoiceRefs): MappedDocument {
  const { fields, warnings } = commonFields(doc, settings);
  const tax = lineTax(settings, doc.vatRate);
  const amounts = lineAmounts(doc, tax);
  const detail: Record<string, unknown> = { ItemRef: { value: refs.incomeItemId } };
  if (tax) {
    detail.TaxCodeRef = tax.taxCodeRef;
    detail.TaxInclusiveAmt = amounts.taxInclusiveAmt;
  }
  const body: Record<string, unknown> = {
    ...fields,
    CustomerRef: { value: refs.customerId },
    Line: [{ DetailType: "SalesItemLineDetail", Amount: amounts.amount, Description: description(doc), SalesItemLineDetail: detail }],
  };
  return { body, warnings };
}

export function description(doc: SourceDocument): string {
  return doc.documentNumber ? `DevPos ${doc.documentNumber}` : `DevPos ${doc.eic}`;
}
