import type { SourceDocument } from "../domain/source-document.js";
import { commonFields, lineAmounts, lineTax, type MappingSettings } from "./document-fields.js";
import { description, type MappedDocument } from "./map-invoice.js";

export interface BillRefs {
  vendorId: string;
  expenseAccountId: string;
}

/**
 * A DevPos purchase row, or a self-issued sales row, as a QBO Bill: one account-based line on
 * the company's expense account; in tax mode `inclusive` the line carries its TaxCodeRef and the
 * gross as TaxInclusiveAmt with the net as Amount, exactly as invoices do. Pure; throws
 * MappingError.
 */
export function mapBill(doc: SourceDocument, settings: MappingSettings, refs: BillRefs): MappedDocument {
  const { fields, warnings } = commonFields(doc, settings);
  const tax = lineTax(settings, doc.vatRate);
  const amounts = lineAmounts(doc, tax);
  const detail: Record<string, unknown> = { AccountRef: { value: refs.expenseAccountId } };
  if (tax) {
    detail.TaxCodeRef = tax.taxCodeRef;
    detail.TaxInclusiveAmt = amounts.taxInclusiveAmt;
  }
  const body: Record<string, unknown> = {
    ...fields,
    VendorRef: { value: refs.vendorId },
    Line: [{ DetailType: "AccountBasedExpenseLineDetail", Amount: amounts.amount, Description: description(doc), AccountBasedExpenseLineDetail: detail }],
  };
  return { body, warnings };
}
