import { describe, expect, it } from "vitest";
import { fromMinor, formatMinor, toMinor, sumMinor, equalsMinor } from "../../../src/domain/money.js";
import { normalisePartyName, partyKey } from "../../../src/domain/party-key.js";
import { parseSourceRow, type SourceDocument } from "../../../src/domain/source-document.js";
import { contentHash } from "../../../src/sync/content-hash.js";
import { docNumberFor, hasEicMarker, MappingError, privateNoteFor, type MappingSettings } from "../../../src/sync/document-fields.js";
import { mapBill } from "../../../src/sync/map-bill.js";
import { mapInvoice } from "../../../src/sync/map-invoice.js";
import { displayNameCandidate, partyIdentityOf, qboTypeOf } from "../../../src/sync/parties.js";
import { documentRequestId, generationOf, nextRequestId, batchRequestId } from "../../../src/sync/request-ids.js";

// Rows copied from ../shared/fixtures/devpos-sales-list.json and devpos-purchase-list.json.
const SALES = [
  { statusCanBeChanged: false, eic: "3f6c1d2a-8b4e-4f1a-9c7d-2e5b6a7c8d90", documentNumber: "9/2025", invoiceCreatedDate: "2025-10-26T17:35:12+01:00", dueDate: "2025-11-25T17:35:12+01:00", invoiceStatus: "Pranuar", amount: 14400.0, buyerNuis: "L91234567B", buyerName: "ALBA TRADE SHPK", sellerNuis: "K12345678A", sellerName: "", partyType: "Shitje", selfIssuingType: null, customer: null },
  { statusCanBeChanged: true, eic: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff", documentNumber: "10/2025", invoiceCreatedDate: "2025-10-27T09:02:44+01:00", dueDate: "2025-11-26T09:02:44+01:00", invoiceStatus: "Dërguar", amount: 0.0, buyerNuis: "M02345678C", buyerName: "DURRES LOGISTICS SHPK", sellerNuis: "K12345678A", sellerName: "", partyType: "Shitje", selfIssuingType: null, customer: null, currencyCode: "EUR", exchangeRate: 97.35 },
  { statusCanBeChanged: false, eic: "0f9e8d7c-6b5a-4948-8372-615049382716", documentNumber: "3/2025", invoiceCreatedDate: "2025-10-28T11:20:00+01:00", dueDate: "2025-10-28T11:20:00+01:00", invoiceStatus: "Pranuar", amount: 5200.5, buyerNuis: "K12345678A", buyerName: "KOMPANIA DEMO SHPK", sellerNuis: "K12345678A", sellerName: "", partyType: "Shitje", selfIssuingType: "AGREEMENT", customer: { name: "Arben Hoxha", idNumber: "I85203411P" } },
];
const PURCHASES = [
  { statusCanBeChanged: false, eic: "5e4d3c2b-1a09-4876-b543-210fedcba987", documentNumber: "1/2025", invoiceCreatedDate: "2025-10-20T08:15:00+02:00", dueDate: "2025-11-19T08:15:00+01:00", invoiceStatus: "Pranuar", amount: 36000.0, buyerNuis: "K12345678A", buyerName: "KOMPANIA DEMO SHPK", sellerNuis: "J61823004R", sellerName: "ENERGJIA VERI SHA", partyType: "Blerje" },
  { statusCanBeChanged: false, eic: "7c6b5a49-3827-4160-a5f4-e3d2c1b0a998", documentNumber: "1/2025", invoiceCreatedDate: "2025-10-21T13:40:10+02:00", dueDate: null, invoiceStatus: "Refuzuar", amount: 1250.75, buyerNuis: "K12345678A", buyerName: "KOMPANIA DEMO SHPK", sellerNuis: "L72019385F", sellerName: "PRINT SERVIS SHPK", partyType: "Blerje" },
];

function parse(row: object, kind: "sale" | "purchase"): SourceDocument {
  const result = parseSourceRow(row, kind);
  if (!result.ok) throw new Error(result.reason);
  return result.document;
}
const [sale, foreignZero, selfIssued] = SALES.map((r) => parse(r, "sale")) as [SourceDocument, SourceDocument, SourceDocument];
const [purchase, rejected] = PURCHASES.map((r) => parse(r, "purchase")) as [SourceDocument, SourceDocument];
const none: MappingSettings = { homeCurrency: "ALL", taxMode: "none", vatTaxCodeId: null, vatRateCodes: null, taxCodeRates: {} };
const inclusive: MappingSettings = { homeCurrency: "ALL", taxMode: "inclusive", vatTaxCodeId: "7", vatRateCodes: { "6": "8", "20": "7" }, taxCodeRates: { "7": 20, "8": 6 } };

describe("money", () => {
  it("is exact in minor units", () => {
    expect(toMinor(0.29)).toBe(29);
    expect(toMinor(1250.75)).toBe(125075);
    expect(toMinor("0.005")).toBe(1);
    expect(fromMinor(125075)).toBe(1250.75);
    expect(JSON.stringify(fromMinor(2900))).toBe("29");
    expect(formatMinor(-5)).toBe("-0.05");
    expect(formatMinor(10000)).toBe("100.00");
    expect(sumMinor([10, 20, 70])).toBe(100);
    expect(equalsMinor(1250.75, 125075)).toBe(true);
    expect(equalsMinor(1250.7, 125075)).toBe(false);
    for (let cents = 0; cents < 100_000; cents += 7) expect(toMinor(fromMinor(cents))).toBe(cents);
    expect(() => fromMinor(1.5)).toThrow(RangeError);
  });
});

describe("party keys and display names", () => {
  it("keys by NUIS, else by normalised name, never mixing the two", () => {
    expect(partyKey({ nuis: " l91234567b ", name: "X" })).toBe("nuis:L91234567B");
    expect(partyKey({ nuis: null, name: "Alba-Trade  SHPK." })).toBe("name:alba trade shpk");
    expect(normalisePartyName("Çelësi Ëmë")).toBe("celesi eme");
    expect(partyKey({ nuis: "", name: "" })).toBe("name:(unnamed)");
  });

  it("names customers by name (+ currency) and vendors with their NUIS", () => {
    expect(partyIdentityOf(sale, "ALL")).toMatchObject({ role: "customer", key: "nuis:L91234567B", currency: "ALL", displayName: "ALBA TRADE SHPK" });
    expect(partyIdentityOf(foreignZero, "ALL")).toMatchObject({ currency: "EUR", displayName: "DURRES LOGISTICS SHPK - EUR" });
    expect(partyIdentityOf(purchase, "ALL")).toMatchObject({ role: "vendor", displayName: "ENERGJIA VERI SHA (J61823004R)" });
    // Self-issued: the real supplier is the nested customer, not the buyer (the tenant itself).
    expect(partyIdentityOf(selfIssued, "ALL")).toMatchObject({ role: "vendor", key: "nuis:I85203411P", displayName: "Arben Hoxha (I85203411P)" });
    const foreignVendor = { role: "vendor" as const, name: "ENERGJIA VERI SHA", nuis: "J61823004R", currency: "EUR" };
    expect(displayNameCandidate(foreignVendor, "ALL", 1)).toBe("ENERGJIA VERI SHA - EUR (J61823004R)");
    const customer = { role: "customer" as const, name: "ALBA TRADE SHPK", nuis: "L91234567B", currency: "ALL" };
    expect([1, 2, 3, 4].map((n) => displayNameCandidate(customer, "ALL", n))).toEqual(["ALBA TRADE SHPK", "ALBA TRADE SHPK (L91234567B)", "ALBA TRADE SHPK [2]", "ALBA TRADE SHPK [3]"]);
  });
});

describe("invoice and bill mapping", () => {
  it("maps a sales row to an Invoice with date, due date, number, note and gross line", () => {
    expect(qboTypeOf(sale)).toBe("Invoice");
    const { body, warnings } = mapInvoice(sale, none, { customerId: "58", incomeItemId: "21" });
    expect(warnings).toEqual([]);
    expect(body).toEqual({
      DocNumber: "9/2025",
      TxnDate: "2025-10-26",
      DueDate: "2025-11-25",
      PrivateNote: "DevPos EIC 3f6c1d2a-8b4e-4f1a-9c7d-2e5b6a7c8d90 | Nr 9/2025",
      CurrencyRef: { value: "ALL" },
      CustomerRef: { value: "58" },
      Line: [{ DetailType: "SalesItemLineDetail", Amount: 14400, Description: "DevPos 9/2025", SalesItemLineDetail: { ItemRef: { value: "21" } } }],
    });
  });

  it("maps purchase and self-issued rows to Bills on the expense account", () => {
    expect(qboTypeOf(purchase)).toBe("Bill");
    expect(qboTypeOf(selfIssued)).toBe("Bill");
    const { body } = mapBill(selfIssued, none, { vendorId: "9", expenseAccountId: "77" });
    expect(body).toMatchObject({ TxnDate: "2025-10-28", DueDate: "2025-10-28", VendorRef: { value: "9" }, CurrencyRef: { value: "ALL" } });
    expect(body.Line).toEqual([{ DetailType: "AccountBasedExpenseLineDetail", Amount: 5200.5, Description: "DevPos 3/2025", AccountBasedExpenseLineDetail: { AccountRef: { value: "77" } } }]);
    // Date part as written: the +02:00 purchase is still the 20th.
    expect(mapBill(purchase, none, { vendorId: "9", expenseAccountId: "77" }).body.TxnDate).toBe("2025-10-20");
    expect(mapBill(rejected, none, { vendorId: "9", expenseAccountId: "77" }).body.DueDate).toBeUndefined();
  });

  it("sends currency and exchange rate on foreign documents", () => {
    const eur = { ...foreignZero, amountMinor: 123456 };
    const { body } = mapInvoice(eur, none, { customerId: "1001", incomeItemId: "21" });
    expect(body.CurrencyRef).toEqual({ value: "EUR" });
    expect(body.ExchangeRate).toBe(97.35);
    expect((body.Line as { Amount: number }[])[0]!.Amount).toBe(1234.56);
  });

  it("tax mode inclusive: net Amount, gross TaxInclusiveAmt and the configured (or rate-mapped) VAT code on the line", () => {
    // 14,400.00 at 20 %: VAT 2,400.00, net 12,000.00; QuickBooks keeps the gross as the total.
    const { body } = mapInvoice(sale, inclusive, { customerId: "58", incomeItemId: "21" });
    expect(body.GlobalTaxCalculation).toBe("TaxInclusive");
    const line = (body.Line as { Amount: number; SalesItemLineDetail: unknown }[])[0]!;
    expect(line.Amount).toBe(12000);
    expect(line.SalesItemLineDetail).toEqual({ ItemRef: { value: "21" }, TaxCodeRef: { value: "7" }, TaxInclusiveAmt: 14400 });
    // 36,000.00 at 6 % (the document's own rate): VAT round(36000 × 6 / 106) = 2,037.74, net 33,962.26.
    const bill = mapBill({ ...purchase, vatRate: 6 }, inclusive, { vendorId: "9", expenseAccountId: "77" }).body;
    const billLine = (bill.Line as { Amount: number; AccountBasedExpenseLineDetail: unknown }[])[0]!;
    expect(billLine.Amount).toBe(33962.26);
    expect(billLine.AccountBasedExpenseLineDetail).toEqual({ AccountRef: { value: "77" }, TaxCodeRef: { value: "8" }, TaxInclusiveAmt: 36000 });
    expect(bill.GlobalTaxCalculation).toBe("TaxInclusive");
    expect(() => mapInvoice(sale, { ...inclusive, vatTaxCodeId: null }, { customerId: "58", incomeItemId: "21" })).toThrow(MappingError);
    // A rate DevPos gives that no code is chosen for fails the document, naming the fix.
    expect(() => mapInvoice({ ...sale, vatRate: 10 }, inclusive, { customerId: "58", incomeItemId: "21" })).toThrow(/VAT 10 %.*Settings/);
    // The company's code with no known rate cannot be split.
    expect(() => mapInvoice(sale, { ...inclusive, taxCodeRates: {} }, { customerId: "58", incomeItemId: "21" })).toThrow(/rate of QuickBooks tax code 7/);
  });

  it("mode none: the gross is the line Amount and no tax field is sent", () => {
    const { body } = mapInvoice(sale, none, { customerId: "58", incomeItemId: "21" });
    const line = (body.Line as { Amount: number; SalesItemLineDetail: Record<string, unknown> }[])[0]!;
    expect(line.Amount).toBe(14400);
    expect(line.SalesItemLineDetail).toEqual({ ItemRef: { value: "21" } });
    expect(body.GlobalTaxCalculation).toBeUndefined();
  });

  it("keeps the last 21 characters of long numbers and reports it; refuses zero amounts", () => {
    expect(docNumberFor("FAT/TR-POS1/00000042/2025")).toEqual({ docNumber: "TR-POS1/00000042/2025", truncatedFrom: "FAT/TR-POS1/00000042/2025" });
    expect(docNumberFor("9/2025").truncatedFrom).toBeNull();
    const long = { ...sale, documentNumber: "FAT/TR-POS1/00000042/2025" };
    const mapped = mapInvoice(long, none, { customerId: "58", incomeItemId: "21" });
    expect(mapped.body.DocNumber).toHaveLength(21);
    expect(mapped.body.PrivateNote).toContain("FAT/TR-POS1/00000042/2025");
    expect(mapped.warnings[0]).toMatch(/longer than 21/);
    expect(() => mapInvoice(foreignZero, none, { customerId: "1", incomeItemId: "21" })).toThrow(MappingError);
  });

  it("finds the EIC marker, also after a void", () => {
    const note = privateNoteFor(sale);
    expect(hasEicMarker(note, sale.eic)).toBe(true);
    expect(hasEicMarker(`Voided ${note}`, sale.eic)).toBe(true);
    expect(hasEicMarker(note, purchase.eic)).toBe(false);
  });
});

describe("content hash and request ids", () => {
  it("changes with amount, dates, currency, rate, party, number and rejection, not with sent → accepted", () => {
    const base = contentHash(sale, "ALL");
    expect(contentHash({ ...sale }, "ALL")).toBe(base);
    expect(contentHash({ ...sale, status: "sent", statusText: "Dërguar" }, "ALL")).toBe(base);
    const variants: Partial<SourceDocument>[] = [
      { amountMinor: 1 },
      { txnDate: "2025-10-27" },
      { dueDate: null },
      { currency: "EUR", exchangeRate: 100 },
      { buyer: { nuis: "X11111111X", name: "ALBA TRADE SHPK" } },
      { documentNumber: "9/2026" },
      { status: "rejected" },
    ];
    for (const v of variants) expect(contentHash({ ...sale, ...v }, "ALL")).not.toBe(base);
    expect(contentHash({ ...foreignZero, exchangeRate: 98 }, "ALL")).not.toBe(contentHash(foreignZero, "ALL"));
  });

  it("derives deterministic request ids within Intuit's limits", () => {
    const id = documentRequestId(4, "sale", sale.eic);
    expect(id).toBe(documentRequestId(4, "sale", sale.eic.toUpperCase()));
    expect(id.length).toBeLessThanOrEqual(36);
    expect(generationOf(id)).toBe(1);
    const next = nextRequestId(4, "sale", sale.eic, id);
    expect(generationOf(next)).toBe(2);
    expect(next).not.toBe(id);
    expect(documentRequestId(5, "sale", sale.eic)).not.toBe(id);
    expect(batchRequestId([id, next])).toHaveLength(32);
    expect(batchRequestId([id, next])).not.toBe(batchRequestId([next, id]));
  });
});
