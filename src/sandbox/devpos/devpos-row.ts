import { z } from "zod";

/**
 * One row of GetSalesInvoice / GetPurchaseInvoice, with exactly the production field names
 * (see docs/domain.md §1 and the fixtures). Purchase rows carry no selfIssuingType/customer.
 */
export interface DevposRow {
  statusCanBeChanged: boolean;
  eic: string;
  documentNumber: string;
  /** ISO timestamp with the Europe/Tirane offset: the invoice date. */
  invoiceCreatedDate: string;
  dueDate: string | null;
  /** Pranuar (accepted), Dërguar (sent), Refuzuar (rejected). */
  invoiceStatus: string;
  /** Gross total; sometimes 0 in the list although the real total is not. */
  amount: number;
  buyerNuis: string | null;
  buyerName: string | null;
  sellerNuis: string;
  /** Empty string on sales rows. */
  sellerName: string;
  partyType: "Shitje" | "Blerje";
  selfIssuingType?: string | null;
  customer?: { name: string; idNumber: string } | null;
  currencyCode?: string;
  /** ALL per 1 unit of currencyCode. */
  exchangeRate?: number;
  /** VAT rate in percent, when the row carries one (unconfirmed in production lists). */
  vatRate?: number;
  /** Always "ALL" in production, whatever the document currency: a trap for clients. */
  vatCurrency?: string;
  baseCurrency?: string;
}

/** A row as the simulator stores it: the list row plus the total the list may hide. */
export interface StoredDocument {
  row: DevposRow;
  trueAmount: number;
}

export const devposRowSchema = z.object({
  statusCanBeChanged: z.boolean().default(false),
  eic: z.string().min(1),
  documentNumber: z.string().min(1),
  invoiceCreatedDate: z.string().min(10),
  dueDate: z.string().nullable().default(null),
  invoiceStatus: z.string().min(1),
  amount: z.number(),
  buyerNuis: z.string().nullable(),
  buyerName: z.string().nullable(),
  sellerNuis: z.string(),
  sellerName: z.string(),
  partyType: z.enum(["Shitje", "Blerje"]),
  selfIssuingType: z.string().nullable().optional(),
  customer: z.object({ name: z.string(), idNumber: z.string() }).nullable().optional(),
  currencyCode: z.string().length(3).optional(),
  exchangeRate: z.number().positive().optional(),
  vatRate: z.number().min(0).max(99).optional(),
  vatCurrency: z.string().optional(),
  baseCurrency: z.string().optional(),
});

/**
 * Serialises a row in the production key order; JSON clients never care, but people diffing
 * sandbox output against captured production responses do.
 */
export function toListRow(row: DevposRow): DevposRow {
  const out: DevposRow = {
    statusCanBeChanged: row.statusCanBeChanged,
    eic: row.eic,
    documentNumber: row.documentNumber,
    invoiceCreatedDate: row.invoiceCreatedDate,
    dueDate: row.dueDate,
    invoiceStatus: row.invoiceStatus,
    amount: row.amount,
    buyerNuis: row.buyerNuis,
    buyerName: row.buyerName,
    sellerNuis: row.sellerNuis,
    sellerName: row.sellerName,
    partyType: row.partyType,
  };
  if (row.partyType === "Shitje") {
    out.selfIssuingType = row.selfIssuingType ?? null;
    out.customer = row.customer ?? null;
  }
  if (row.currencyCode !== undefined) out.currencyCode = row.currencyCode;
  if (row.exchangeRate !== undefined) out.exchangeRate = row.exchangeRate;
  if (row.vatRate !== undefined) out.vatRate = row.vatRate;
  out.vatCurrency = "ALL";
  out.baseCurrency = "ALL";
  return out;
}
