import { afterAll, beforeAll, expect, it } from "vitest";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { listPartyLinks } from "../../../src/storage/repos/party-links.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createSyncWorld, realmDocuments, realmEntities, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 13 });
});
afterAll(async () => {
  await sandbox.close();
});

const base = { statusCanBeChanged: false, dueDate: null, invoiceStatus: "Pranuar", partyType: "Shitje" as const, selfIssuingType: null, customer: null };

describeEachDatabase("parties on a DisplayName clash (6240)", (current) => {
  it("adopts an entity of the same kind and currency; disambiguates a different party, kind or currency", async () => {
    const world = await createSyncWorld(sandbox, current().db);
    const client = world.qboWorld.connector.clientFor(world.company.id);
    // Already in QuickBooks: a customer typed in by hand (no marker), a vendor with a customer's
    // name, and a customer of another DevPos party (marker of another NUIS).
    const manual = await client.create("Customer", { DisplayName: "ALBA TRADE SHPK", CurrencyRef: { value: "ALL" } });
    await client.create("Vendor", { DisplayName: "DURRES LOGISTICS SHPK", CurrencyRef: { value: "ALL" } });
    await client.create("Customer", { DisplayName: "VLORA FISH SHPK", CurrencyRef: { value: "ALL" }, Notes: "DevPos party nuis:X99999999X" });
    const tenant = world.company.code;
    const row = (eic: string, buyerNuis: string, buyerName: string, amount: number) => ({
      ...base, eic, documentNumber: `${eic.slice(0, 2)}/2025`, invoiceCreatedDate: "2025-03-10T10:00:00+01:00", amount, buyerNuis, buyerName, sellerNuis: tenant, sellerName: "",
    });
    sandbox.devpos.addDocuments(tenant, [
      row("11111111-1111-4111-8111-111111111111", "L91234567B", "ALBA TRADE SHPK", 100),
      row("22222222-2222-4222-8222-222222222222", "M02345678C", "DURRES LOGISTICS SHPK", 200),
      row("33333333-3333-4333-8333-333333333333", "N12345678D", "VLORA FISH SHPK", 300),
    ]);
    const result = await world.sync({ window: { from: "2025-03-01", to: "2025-03-31" } });
    expect(result.status).toBe("succeeded");
    expect(result.summary.sales.created).toBe(3);
    const customers = new Map(realmEntities(sandbox, world.realmId, "Customer").map((c) => [c.Id as string, c.DisplayName as string]));
    const byAmount = new Map(realmDocuments(sandbox, world.realmId).map((d) => [d.TotalAmt, d.CustomerRef!.value]));
    expect(byAmount.get(100)).toBe(manual.Id); // adopted
    expect(customers.get(byAmount.get(200)!)).toBe("DURRES LOGISTICS SHPK (M02345678C)"); // a vendor had the name
    expect(customers.get(byAmount.get(300)!)).toBe("VLORA FISH SHPK (N12345678D)"); // another DevPos party had it
    expect((await listPartyLinks(current().db, world.company.id)).map((l) => l.displayName).sort()).toEqual([
      "ALBA TRADE SHPK",
      "DURRES LOGISTICS SHPK (M02345678C)",
      "VLORA FISH SHPK (N12345678D)",
    ]);
  });
});
