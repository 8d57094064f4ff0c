import { afterAll, beforeAll, describe, expect, it } from "vitest";
import faultsFixture from "./fixtures/qbo-faults.json" with { type: "json" };
import { connectedClient, startHarness, type ApiClient, type Harness } from "./harness.js";

let h: Harness;
let api: ApiClient;
let customerAll: string;
let customerEur: string;

const line = (amount: number, taxCode?: string, itemId = "1") => ({
  Amount: amount,
  DetailType: "SalesItemLineDetail",
  SalesItemLineDetail: { ItemRef: { value: itemId }, ...(taxCode ? { TaxCodeRef: { value: taxCode } } : {}) },
});
const fault = (res: { body: any }) => res.body.Fault.Error[0];

beforeAll(async () => {
  h = await startHarness();
  ({ api } = await connectedClient(h));
  customerAll = (await api.post("/customer", { DisplayName: "Shitësi" })).body.Customer.Id;
  customerEur = (await api.post("/customer", { DisplayName: "Shitësi - EUR", CurrencyRef: { value: "EUR" } })).body.Customer.Id;
});
afterAll(async () => h.close());

describe("validation faults", () => {
  it("6240: DisplayName is unique across customers and vendors, case-insensitively", async () => {
    const dup = await api.post("/vendor", { DisplayName: "shitësi" });
    expect(dup.status).toBe(400);
    expect(dup.body.Fault).toEqual(faultsFixture.validation_duplicate_name.Fault);
    expect(fault(await api.post("/customer", { DisplayName: "Shitësi" })).code).toBe("6240");
  });

  it("2050: DocNumber over 21 characters", async () => {
    const res = await api.post("/invoice", { CustomerRef: { value: customerAll }, DocNumber: "123456789012345678901234", Line: [line(10, "1")] });
    expect(res.body.Fault).toEqual(faultsFixture.string_too_long.Fault);
  });

  it("6140: duplicate invoice DocNumber unless include=allowduplicatedocnum", async () => {
    expect((await api.post("/invoice", { CustomerRef: { value: customerAll }, DocNumber: "9/2025", Line: [line(10, "1")] })).status).toBe(200);
    expect(fault(await api.post("/invoice", { CustomerRef: { value: customerAll }, DocNumber: "9/2025", Line: [line(10, "1")] })).code).toBe("6140");
    expect((await api.post("/invoice?include=allowduplicatedocnum", { CustomerRef: { value: customerAll }, DocNumber: "9/2025", Line: [line(10, "1")] })).status).toBe(200);
  });

  it("6000: references that do not exist", async () => {
    expect(fault(await api.post("/invoice", { CustomerRef: { value: "999" }, Line: [line(10, "1")] }))).toMatchObject({ code: "6000", element: "CustomerRef" });
    expect(fault(await api.post("/invoice", { CustomerRef: { value: customerAll }, Line: [line(10, "1", "999")] }))).toMatchObject({ code: "6000", element: "ItemRef" });
    expect(fault(await api.post("/invoice", { CustomerRef: { value: customerAll }, Line: [line(10, "999")] }))).toMatchObject({ code: "6000", element: "TaxCodeRef" });
    const vendorId = (await api.post("/vendor", { DisplayName: "V1" })).body.Vendor.Id;
    const badAccount = { VendorRef: { value: vendorId }, Line: [{ Amount: 5, DetailType: "AccountBasedExpenseLineDetail", AccountBasedExpenseLineDetail: { AccountRef: { value: "999" }, TaxCodeRef: { value: "1" } } }] };
    expect(fault(await api.post("/bill", badAccount))).toMatchObject({ code: "6000", element: "AccountRef" });
    expect(fault(await api.post("/bill", { ...badAccount, VendorRef: { value: "999" } }))).toMatchObject({ code: "6000", element: "VendorRef" });
    expect(fault(await api.post("/invoice", { Line: [line(10, "1")] }))).toMatchObject({ code: "2020", element: "CustomerRef" });
  });

  it("6000: transaction currency must match the customer's", async () => {
    const res = await api.post("/invoice", { CustomerRef: { value: customerEur }, Line: [line(10, "1")] });
    expect(fault(res)).toMatchObject({ code: "6000", element: "CurrencyRef" });
    const ok = await api.post("/invoice", { CustomerRef: { value: customerEur }, CurrencyRef: { value: "EUR" }, ExchangeRate: 100.5, Line: [line(10, "1")] });
    expect(ok.status).toBe(200);
  });

  it("6000: a line without TaxCodeRef when tax is on", async () => {
    const res = await api.post("/invoice", { CustomerRef: { value: customerAll }, Line: [line(10)] });
    expect(fault(res).code).toBe("6000");
    expect(fault(res).Detail).toContain("VAT rate");
  });

  it("6000: foreign currency when multicurrency is off", async () => {
    const { api: single } = await connectedClient(h, { multicurrency: false, tax: false });
    expect(fault(await single.post("/customer", { DisplayName: "Euro Co", CurrencyRef: { value: "EUR" } }))).toMatchObject({ code: "6000", element: "CurrencyRef" });
    const cust = (await single.post("/customer", { DisplayName: "Lek Co" })).body.Customer.Id;
    expect(fault(await single.post("/invoice", { CustomerRef: { value: cust }, CurrencyRef: { value: "EUR" }, Line: [line(10)] })).code).toBe("6000");
    // Without tax, lines need no TaxCodeRef.
    expect((await single.post("/invoice", { CustomerRef: { value: cust }, Line: [line(10)] })).body.Invoice.TotalAmt).toBe(10);
  });
});

describe("TotalAmt per tax mode (exact cents)", () => {
  const create = (mode: string, amounts: number[], taxCode = "1") =>
    api.post("/invoice", { CustomerRef: { value: customerAll }, GlobalTaxCalculation: mode, Line: amounts.map((a) => line(a, taxCode)) });

  it("TaxExcluded adds tax from the code's rate", async () => {
    const inv = (await create("TaxExcluded", [0.1, 0.2, 100.05])).body.Invoice;
    // net 100.35, VAT 20% = 20.07
    expect(inv.TotalAmt).toBe(120.42);
    expect(inv.TxnTaxDetail.TotalTax).toBe(20.07);
    expect(inv.TxnTaxDetail.TaxLine[0].TaxLineDetail).toMatchObject({ TaxPercent: 20, NetAmountTaxable: 100.35 });
    const six = (await create("TaxExcluded", [33.33], "2")).body.Invoice;
    expect(six.TotalAmt).toBe(35.33); // 33.33 + 2.00 (1.9998 rounded)
  });

  it("TaxInclusive keeps the gross stated in TaxInclusiveAmt and splits out the tax", async () => {
    const gross = (amount: number, net: number) => ({ ...line(net, "1"), SalesItemLineDetail: { ...line(net, "1").SalesItemLineDetail, TaxInclusiveAmt: amount } });
    const inv = (await api.post("/invoice", { CustomerRef: { value: customerAll }, GlobalTaxCalculation: "TaxInclusive", Line: [gross(1234.57, 1028.81), gross(0.01, 0.01)] })).body.Invoice;
    expect(inv.TotalAmt).toBe(1234.58);
    expect(inv.TxnTaxDetail.TotalTax).toBe(205.76); // 1234.57 = 1028.81 + 205.76; 0.01 carries no tax
    expect(inv.Line[0].Amount).toBe(1028.81);
    expect(inv.Line[0].SalesItemLineDetail.TaxInclusiveAmt).toBe(1234.57);
    expect(inv.Line.at(-1)).toMatchObject({ DetailType: "SubTotalLineDetail", Amount: 1028.82 });
  });

  it("TaxInclusive without TaxInclusiveAmt takes Amount as the net and adds the tax (Intuit's line Amount is before tax)", async () => {
    const inv = (await create("TaxInclusive", [120])).body.Invoice;
    expect(inv.TotalAmt).toBe(144);
    expect(inv.TxnTaxDetail.TotalTax).toBe(24);
    expect(inv.Line[0].Amount).toBe(120);
    expect(inv.Line[0].SalesItemLineDetail.TaxInclusiveAmt).toBe(144);
  });

  it("NotApplicable sums the lines", async () => {
    const inv = (await create("NotApplicable", [0.1, 0.2])).body.Invoice;
    expect(inv.TotalAmt).toBe(0.3);
    expect(inv.TxnTaxDetail.TotalTax).toBe(0);
  });

  it("keeps ExchangeRate and computes HomeTotalAmt", async () => {
    const inv = (await api.post("/invoice", { CustomerRef: { value: customerEur }, CurrencyRef: { value: "EUR" }, ExchangeRate: 98.765, GlobalTaxCalculation: "TaxInclusive", Line: [{ ...line(208.79, "1"), SalesItemLineDetail: { ...line(208.79, "1").SalesItemLineDetail, TaxInclusiveAmt: 250.55 } }] })).body.Invoice;
    expect(inv).toMatchObject({ TotalAmt: 250.55, ExchangeRate: 98.765, HomeTotalAmt: 24745.57, CurrencyRef: { value: "EUR", name: "Euro" } });
  });
});
