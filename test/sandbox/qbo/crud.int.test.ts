import { afterAll, beforeAll, describe, expect, it } from "vitest";
import faultsFixture from "./fixtures/qbo-faults.json" with { type: "json" };
import { connectedClient, startHarness, type ApiClient, type Harness } from "./harness.js";

let h: Harness;
let api: ApiClient;
let realmId: string;
let customerId: string;
let vendorId: string;
const VAT20 = "1";

beforeAll(async () => {
  h = await startHarness();
  ({ api, realmId } = await connectedClient(h));
  customerId = (await api.post("/customer", { DisplayName: "Klienti A" })).body.Customer.Id;
  vendorId = (await api.post("/vendor", { DisplayName: "Furnitori B" })).body.Vendor.Id;
});
afterAll(async () => h.close());

const invoice = (extra: Record<string, unknown> = {}) => ({
  CustomerRef: { value: customerId },
  GlobalTaxCalculation: "TaxInclusive",
  // Intuit: Amount is the net; the gross goes in TaxInclusiveAmt.
  Line: [{ Amount: 100, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: { value: "1" }, TaxCodeRef: { value: VAT20 }, TaxInclusiveAmt: 120 } }],
  ...extra,
});
const bill = (extra: Record<string, unknown> = {}) => ({
  VendorRef: { value: vendorId },
  GlobalTaxCalculation: "TaxExcluded",
  Line: [{ Amount: 50, DetailType: "AccountBasedExpenseLineDetail", AccountBasedExpenseLineDetail: { AccountRef: { value: "3" }, TaxCodeRef: { value: VAT20 } } }],
  ...extra,
});

describe("create / read / sparse update", () => {
  it("creates an entity with Id and SyncToken 0, reads it back, and sparse-updates it", async () => {
    const created = await api.post("/invoice", invoice({ DocNumber: "1/2026", PrivateNote: "DevPos EIC abc", TxnDate: "2026-01-10" }));
    expect(created.status).toBe(200);
    const inv = created.body.Invoice;
    expect(inv).toMatchObject({ SyncToken: "0", DocNumber: "1/2026", TotalAmt: 120, CustomerRef: { value: customerId, name: "Klienti A" }, CurrencyRef: { value: "ALL" } });
    expect(typeof created.body.time).toBe("string");
    const read = await api.get(`/invoice/${inv.Id}`);
    expect(read.body.Invoice).toEqual(inv);
    const updated = await api.post("/invoice", { Id: inv.Id, SyncToken: "0", sparse: true, PrivateNote: "changed" });
    expect(updated.body.Invoice).toMatchObject({ SyncToken: "1", PrivateNote: "changed", DocNumber: "1/2026", TotalAmt: 120 });
    const viaOperation = await api.post("/invoice?operation=update", { Id: inv.Id, SyncToken: "1", sparse: true, DueDate: "2026-02-01" });
    expect(viaOperation.body.Invoice.SyncToken).toBe("2");
  });

  it("a stale SyncToken is fault 5010", async () => {
    const inv = (await api.post("/invoice", invoice())).body.Invoice;
    await api.post("/invoice", { Id: inv.Id, SyncToken: "0", sparse: true, PrivateNote: "first" });
    const stale = await api.post("/invoice", { Id: inv.Id, SyncToken: "0", sparse: true, PrivateNote: "second" });
    expect(stale.status).toBe(400);
    expect(stale.body.Fault).toEqual(faultsFixture.stale_object.Fault);
  });

  it("read of a missing object is 610", async () => {
    const res = await api.get("/invoice/9999");
    expect(res.status).toBe(400);
    expect(res.body.Fault.Error[0].code).toBe("610");
  });

  it("voids an invoice: zero amounts, Voided note prepended, still readable", async () => {
    const inv = (await api.post("/invoice", invoice({ PrivateNote: "DevPos EIC v1" }))).body.Invoice;
    const voided = await api.post("/invoice?operation=void", { Id: inv.Id, SyncToken: inv.SyncToken });
    expect(voided.status).toBe(200);
    expect(voided.body.Invoice).toMatchObject({ TotalAmt: 0, Balance: 0, SyncToken: "1", PrivateNote: "Voided DevPos EIC v1" });
    expect((await api.get(`/invoice/${inv.Id}`)).body.Invoice.TotalAmt).toBe(0);
  });

  it("deletes a bill: gone from reads and queries, still listed as created", async () => {
    const b = (await api.post("/bill", bill({ DocNumber: "B-7" }))).body.Bill;
    const deleted = await api.post("/bill?operation=delete", { Id: b.Id, SyncToken: b.SyncToken });
    expect(deleted.body.Bill).toEqual({ status: "Deleted", domain: "QBO", Id: b.Id });
    expect((await api.get(`/bill/${b.Id}`)).body.Fault.Error[0].code).toBe("610");
    expect((await api.query(`SELECT * FROM Bill WHERE Id = '${b.Id}'`)).body.QueryResponse).toEqual({});
    expect(h.sim.createdDocuments(realmId).some((d) => d.type === "Bill" && d.Id === b.Id && d.DocNumber === "B-7")).toBe(true);
  });

  it("companyinfo and preferences describe the realm", async () => {
    const info = await api.get(`/companyinfo/${realmId}`);
    expect(info.body.CompanyInfo.CompanyName).toMatch(/Sandbox Company/);
    const prefs = await api.get("/preferences");
    expect(prefs.body.Preferences.CurrencyPrefs).toEqual({ MultiCurrencyEnabled: true, HomeCurrency: { value: "ALL" } });
    expect(prefs.body.Preferences.TaxPrefs.UsingSalesTax).toBe(true);
  });

  it("creates items and accounts", async () => {
    const account = await api.post("/account", { Name: "DevPos sales", AccountType: "Income" });
    expect(account.body.Account).toMatchObject({ Classification: "Revenue", Active: true });
    const item = await api.post("/item", { Name: "DevPos sales", Type: "Service", IncomeAccountRef: { value: account.body.Account.Id } });
    expect(item.body.Item.IncomeAccountRef).toEqual({ value: account.body.Account.Id, name: "DevPos sales" });
    expect((await api.post("/item", { Name: "devpos SALES", IncomeAccountRef: { value: "1" } })).body.Fault.Error[0].code).toBe("6240");
  });
});
