import type { SourceDocument } from "../domain/source-document.js";
import { commonFields, lineAmount, lineTaxCode, type MappingSettings } from "./document-fields.js";
import { description, type MappedDocument } from "./map-invoice.js";

export interface BillRefs {
  vendorId: string;
  expenseAccountId: string;
}

/**
 * A DevPos purchase row, or a self-issued sales row, as a QBO Bill: one account-based line with
 * the gross amount on the company's expense account. Pure; throws MappingError.
 */
export function mapBill(doc: SourceDocument, settings: MappingSettings, refs: BillRefs, vatRate?: number | null): MappedDocument {
  const { fields, warnings } = commonFields(doc, settings);
  const taxCode = lineTaxCode(settings, vatRate);
  const detail: Record<string, unknown> = { AccountRef: { value: refs.expenseAccountId } };
  if (taxCode) detail.TaxCodeRef = taxCode;
  const body: Record<string, unknown> = {
    ...fields,
    VendorRef: { value: refs.vendorId },
    Line: [{ DetailType: "AccountBasedExpenseLineDetail", Amount: lineAmount(doc), Description: description(doc), AccountBasedExpenseLineDetail: detail }],
  };
  return { body, warnings };
}
