import { afterAll, beforeAll, expect, it } from "vitest";
import type { FetchLike } from "../../../src/connectors/http.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { getCompany, updateCompany } from "../../../src/storage/repos/companies.js";
import { getQboConnection } from "../../../src/storage/repos/qbo-connections.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { connectCompany, createQboWorld, newCompany, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** The realm's tax code ids by name, from the sandbox's own state (not through the API). */
function taxCodeIds(realmId: string): Record<string, string> {
  const state = sandbox.qbo.snapshot() as { realms: Record<string, { entities: Record<string, Record<string, { Id: string; Name: string }>> }> };
  return Object.fromEntries(Object.values(state.realms[realmId]!.entities.TaxCode ?? {}).map((c) => [c.Name, c.Id]));
}

describeEachDatabase("QuickBooks company settings on connect", (current) => {
  it("a VAT realm: inclusive with the 20 % code and one code per rate, stored with the reasons", async () => {
    const db = current().db;
    const world = createQboWorld(sandbox, db);
    const companyId = await newCompany(db);
    const realmId = sandbox.qbo.createRealm({ tax: true, multicurrency: true });
    const result = await connectCompany(world, companyId, { realmId });
    expect(result.realmCheck).toBe("applied");
    const ids = taxCodeIds(realmId);
    expect(ids["VAT 20%"]).toBeDefined();
    const company = (await getCompany(db, companyId))!;
    expect(company).toMatchObject({
      taxMode: "inclusive",
      vatTaxCodeId: ids["VAT 20%"],
      vatRateCodes: { "20": ids["VAT 20%"], "6": ids["VAT 6%"], "0": ids["Exempt 0%"], "10": ids["VAT 10%"] },
      taxSettingsSource: "detected",
    });
    expect(company.realmCheck?.profile).toMatchObject({ realmId, country: "AL", homeCurrency: "ALL", multicurrency: true, vat: true, vatEvidence: "preferences" });
    expect(company.realmCheck?.profile.taxCodes).toHaveLength(4);
    expect(company.realmCheck?.defaults.reasons.join(" ")).toContain("Standard rate 20 % → code 'VAT 20%'");
    expect(company.realmCheck?.defaults.warnings).toEqual([]);
    expect(Math.abs(company.realmCheck!.checkedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("a realm with VAT off: tax mode none and no codes, even over settings nobody chose", async () => {
    const db = current().db;
    const world = createQboWorld(sandbox, db);
    const companyId = await newCompany(db);
    await db.updateTable("companies").set({ tax_mode: "inclusive", vat_tax_code_id: "99" }).where("id", "=", companyId).execute();
    const realmId = sandbox.qbo.createRealm({ tax: false });
    expect((await connectCompany(world, companyId, { realmId })).realmCheck).toBe("applied");
    const company = (await getCompany(db, companyId))!;
    expect(company).toMatchObject({ taxMode: "none", vatTaxCodeId: null, vatRateCodes: null, taxSettingsSource: "detected" });
    expect(company.realmCheck?.profile).toMatchObject({ vat: false, taxCodes: [] });
  });

  it("a person's tax settings are kept on connect (the detected ones are stored next to them) until a forced check", async () => {
    const db = current().db;
    const world = createQboWorld(sandbox, db);
    const companyId = await newCompany(db);
    await updateCompany(db, companyId, { taxMode: "none" }, new Date());
    const realmId = sandbox.qbo.createRealm({ tax: true });
    expect((await connectCompany(world, companyId, { realmId })).realmCheck).toBe("kept_user_settings");
    const company = (await getCompany(db, companyId))!;
    expect(company).toMatchObject({ taxMode: "none", taxSettingsSource: "user" });
    expect(company.realmCheck?.defaults.choice).toMatchObject({ taxMode: "inclusive", vatTaxCodeId: taxCodeIds(realmId)["VAT 20%"] });
    const forced = await world.connector.checkRealm(companyId, "force");
    expect(forced.applied).toBe(true);
    expect(forced.company).toMatchObject({ taxMode: "inclusive", taxSettingsSource: "detected" });
  });

  it("connecting does not fail when QuickBooks will not give its settings: nothing is stored", async () => {
    const db = current().db;
    const refusePreferences: FetchLike = async (input, init) => {
      if (new URL(String(input)).pathname.endsWith("/preferences")) return new Response(JSON.stringify({ Fault: { Error: [{ Message: "nope", code: "5020" }], type: "ValidationFault" } }), { status: 403, headers: { "content-type": "application/json" } });
      return fetch(input, init);
    };
    const world = createQboWorld(sandbox, db, { fetch: refusePreferences });
    const companyId = await newCompany(db);
    const result = await connectCompany(world, companyId, { realmId: sandbox.qbo.createRealm({ tax: true }) });
    expect(result.realmCheck).toBe("failed");
    expect((await getQboConnection(db, companyId))?.status).toBe("connected");
    const company = (await getCompany(db, companyId))!;
    expect(company).toMatchObject({ taxMode: "none", taxSettingsSource: "default", realmCheck: null });
    expect(world.wire.count((c) => c.url.includes("/preferences"))).toBe(1);
  });
});
