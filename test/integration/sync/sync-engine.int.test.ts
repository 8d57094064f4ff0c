import { afterAll, beforeAll, expect, it } from "vitest";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { getCompany } from "../../../src/storage/repos/companies.js";
import { listDocumentLinks } from "../../../src/storage/repos/document-links.js";
import { listPartyLinks } from "../../../src/storage/repos/party-links.js";
import { countRunItemsByAction } from "../../../src/storage/repos/run-log.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createSyncWorld, eicOf, realmDocuments, realmEntities, seedDocuments, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11 });
});
afterAll(async () => {
  await sandbox.close();
});

const window = { from: "2025-03-01", to: "2025-03-31" };

describeEachDatabase("sync engine against the sandbox", (current) => {
  it("first sync: every document once with the right amount, currency, rate, date and party; re-run makes no write", async () => {
    const world = await createSyncWorld(sandbox, current().db);
    const docs = seedDocuments(world, { count: 240, parties: 25, seed: 3, edgeCases: { foreignCurrencyRate: 0.2, selfIssuedRate: 0.1, rejectedRate: 0.06, zeroAmountRate: 0.05, longDocNumberRate: 0.05, repeatedDocNumbers: 0.05 } });

    const first = await world.sync({ window, hooks: { log: async (l, m, d) => { if (process.env.SYNC_DEBUG) console.log(l, m, JSON.stringify(d)?.slice(0, 300)); } } });
    if (process.env.SYNC_DEBUG) console.log(JSON.stringify(first.summary));
    expect(first.status).toBe("succeeded");

    const expected = docs.filter((d) => d.row.invoiceStatus !== "Refuzuar" && Number(d.row.amount) !== 0);
    const created = realmDocuments(sandbox, world.realmId);
    expect(created).toHaveLength(expected.length);
    const byEic = new Map(created.map((c) => [eicOf(c.PrivateNote), c]));
    expect(byEic.size).toBe(created.length);

    const customers = new Map(realmEntities(sandbox, world.realmId, "Customer").map((c) => [c.Id as string, c]));
    const vendors = new Map(realmEntities(sandbox, world.realmId, "Vendor").map((c) => [c.Id as string, c]));
    for (const d of expected) {
      const row = d.row;
      const qbo = byEic.get(row.eic)!;
      expect(qbo, row.eic).toBeDefined();
      const selfIssued = d.kind === "sales" && row.selfIssuingType != null;
      expect(qbo.type).toBe(d.kind === "sales" && !selfIssued ? "Invoice" : "Bill");
      expect(Math.round(qbo.TotalAmt * 100)).toBe(Math.round(d.trueAmount * 100));
      expect(qbo.TotalAmt).toBe(Number(row.amount));
      expect(qbo.CurrencyRef?.value).toBe(row.currencyCode ?? "ALL");
      if (row.currencyCode) expect(qbo.ExchangeRate).toBe(row.exchangeRate);
      expect(qbo.TxnDate).toBe(row.invoiceCreatedDate.slice(0, 10));
      if (row.dueDate) expect(qbo.DueDate).toBe(row.dueDate.slice(0, 10));
      expect(qbo.DocNumber).toBe(row.documentNumber.slice(-21));
      expect(qbo.PrivateNote).toContain(row.documentNumber);
      if (qbo.type === "Invoice") {
        const customer = customers.get(qbo.CustomerRef!.value)!;
        expect(customer.DisplayName).toBe(row.currencyCode ? `${row.buyerName} - ${row.currencyCode}` : row.buyerName);
        expect((customer.CurrencyRef as { value: string }).value).toBe(row.currencyCode ?? "ALL");
      } else {
        const vendor = vendors.get(qbo.VendorRef!.value)!;
        const name = selfIssued ? row.customer!.name : row.sellerName;
        const nuis = selfIssued ? row.customer!.idNumber : row.sellerNuis;
        expect(vendor.DisplayName).toBe(`${name}${row.currencyCode ? ` - ${row.currencyCode}` : ""} (${nuis})`);
      }
    }
    expect(first.summary.sales.created + first.summary.bills.created).toBe(expected.length);
    const zero = docs.filter((d) => Number(d.row.amount) === 0 && d.row.invoiceStatus !== "Refuzuar").length;
    expect(first.summary.sales.zeroAmount + first.summary.bills.zeroAmount).toBe(zero);
    expect(first.summary.sales.total + first.summary.bills.total).toBe(docs.length);

    // Defaults were created and saved to the company.
    const company = await getCompany(current().db, world.company.id);
    expect(company!.incomeItemId).not.toBeNull();
    expect(company!.expenseAccountId).not.toBeNull();
    expect((await listPartyLinks(current().db, world.company.id)).length).toBeGreaterThan(0);

    // Re-run: zero writes, (almost) zero reads.
    const before = sandbox.qbo.stats(world.realmId).requests;
    const second = await world.sync({ window });
    const after = sandbox.qbo.stats(world.realmId).requests;
    expect(second.status).toBe("succeeded");
    expect(after.writes - before.writes).toBe(0);
    expect(after.reads - before.reads).toBe(0);
    expect(second.summary.sales.unchanged + second.summary.bills.unchanged).toBe(expected.length);
  });

  it("changed documents get a sparse update; rejected invoices are voided; a deleted one is reported or recreated", async () => {
    const world = await createSyncWorld(sandbox, current().db, { settings: { onDeletedInQbo: "recreate" } });
    const docs = seedDocuments(world, { count: 40, parties: 6, seed: 5, edgeCases: { rejectedRate: 0, zeroAmountRate: 0, selfIssuedRate: 0, foreignCurrencyRate: 0 } });
    expect((await world.sync({ window })).status).toBe("succeeded");
    const sales = docs.filter((d) => d.kind === "sales");
    const purchases = docs.filter((d) => d.kind === "purchase");
    const [amountChanged, dateChanged, rejected, deleted] = sales;
    const currencyChanged = purchases[0]!;
    const patch = (eic: string, body: Record<string, unknown>) =>
      fetch(`${sandbox.url}/devpos/_admin/tenants/${world.company.code}/documents/${eic}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => {
        if (r.status >= 300) throw new Error(`patch ${r.status}`);
      });
    await patch(amountChanged!.row.eic, { amount: 1234.56 });
    await patch(dateChanged!.row.eic, { invoiceCreatedDate: "2025-03-30" });
    await patch(rejected!.row.eic, { invoiceStatus: "Refuzuar" });
    await patch(currencyChanged.row.eic, { currencyCode: "EUR", exchangeRate: 100.5 });
    await patch(deleted!.row.eic, { amount: 99.99 });
    // Deleted in QuickBooks by a user.
    const victim = realmDocuments(sandbox, world.realmId).find((d) => eicOf(d.PrivateNote) === deleted!.row.eic)!;
    const client = world.qboWorld.connector.clientFor(world.company.id);
    await client.delete("Invoice", { Id: victim.Id, SyncToken: victim.SyncToken });

    const before = sandbox.qbo.stats(world.realmId).requests;
    const result = await world.sync({ window });
    const after = sandbox.qbo.stats(world.realmId).requests;
    expect(result.status).toBe("succeeded");
    expect(result.summary.sales.updated).toBe(3); // amount, date, void
    expect(result.summary.sales.voided).toBe(1);
    expect(result.summary.bills.updated).toBe(1);
    expect(result.summary.sales.created).toBe(1); // recreated
    expect(after.writes - before.writes).toBeLessThanOrEqual(8);

    const now = new Map(realmDocuments(sandbox, world.realmId).map((d) => [eicOf(d.PrivateNote), d]));
    expect(now.get(amountChanged!.row.eic)!.TotalAmt).toBe(1234.56);
    expect(now.get(amountChanged!.row.eic)!.SyncToken).not.toBe("0");
    expect(now.get(dateChanged!.row.eic)!.TxnDate).toBe("2025-03-30");
    expect(now.get(rejected!.row.eic)!.PrivateNote).toMatch(/^Voided /);
    expect(now.get(rejected!.row.eic)!.TotalAmt).toBe(0);
    expect(now.get(currencyChanged.row.eic)!.CurrencyRef!.value).toBe("EUR");
    expect(now.get(currencyChanged.row.eic)!.ExchangeRate).toBe(100.5);
    expect(now.get(deleted!.row.eic)!.TotalAmt).toBe(99.99);
    expect(now.get(deleted!.row.eic)!.Id).not.toBe(victim.Id);

    const third = await world.sync({ window });
    expect(third.summary.sales.updated + third.summary.bills.updated + third.summary.sales.created + third.summary.bills.created).toBe(0);
  });

  it("records one run item per document and honours cancellation between batches", async () => {
    const world = await createSyncWorld(sandbox, current().db);
    seedDocuments(world, { count: 600, parties: 10, seed: 9, edgeCases: { rejectedRate: 0, zeroAmountRate: 0 } });
    const result = await world.sync({ window, hooks: { shouldStop: async () => realmDocuments(sandbox, world.realmId).length > 0 } });
    expect(result.status).toBe("cancelled");
    const created = realmDocuments(sandbox, world.realmId).length;
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(600);
    const resumed = await world.sync({ window });
    expect(resumed.status).toBe("succeeded");
    expect(realmDocuments(sandbox, world.realmId)).toHaveLength(600);
    const links = await listDocumentLinks(current().db, { companyId: world.company.id, limit: 1000 });
    expect(links.items).toHaveLength(600);
    expect(links.items.every((l) => l.state === "synced")).toBe(true);
    const runId = Math.max(...links.items.map((l) => l.lastRunId ?? 0));
    const counts = await countRunItemsByAction(current().db, runId);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(600);
    expect(counts.unchanged).toBe(created);
  });
});
