import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectedClient, startHarness, type ApiClient, type Harness } from "./harness.js";

let h: Harness;
let api: ApiClient;
beforeAll(async () => {
  h = await startHarness();
  ({ api } = await connectedClient(h));
  for (const name of ["Alfa sh.p.k.", "Beta Trading", "O'Brien Ltd", "Gamma", "Delta"]) {
    expect((await api.post("/customer", { DisplayName: name })).status).toBe(200);
  }
  await api.post("/customer", { DisplayName: "Inactive One", Active: false });
});
afterAll(async () => h.close());

const names = (body: any, entity = "Customer") => (body.QueryResponse[entity] ?? []).map((c: any) => c.DisplayName ?? c.Name);

describe("query language", () => {
  it("SELECT * with WHERE =, escaping and case-insensitive keywords", async () => {
    const res = await api.query("SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien Ltd'");
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(["O'Brien Ltd"]);
    expect(res.body.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 1 });
    expect(typeof res.body.time).toBe("string");
    const lower = await api.query("select * from customer where displayname = 'alfa sh.p.k.'");
    expect(names(lower.body)).toEqual(["Alfa sh.p.k."]);
  });

  it("LIKE, IN, comparisons joined by AND, ORDERBY desc", async () => {
    expect(names((await api.query("SELECT * FROM Customer WHERE DisplayName LIKE '%ta%' ORDERBY DisplayName")).body)).toEqual(["Beta Trading", "Delta"]);
    expect(names((await api.query("SELECT * FROM Customer WHERE DisplayName IN ('Gamma', 'Delta', 'Nope') ORDERBY DisplayName DESC")).body)).toEqual(["Gamma", "Delta"]);
    expect(names((await api.query("SELECT * FROM Customer WHERE Id >= '2' AND Id < '4'")).body)).toEqual(["Beta Trading", "O'Brien Ltd"]);
  });

  it("hides inactive rows unless Active is mentioned", async () => {
    expect(names((await api.query("SELECT * FROM Customer")).body)).not.toContain("Inactive One");
    expect(names((await api.query("SELECT * FROM Customer WHERE Active = false")).body)).toEqual(["Inactive One"]);
    expect(names((await api.query("SELECT * FROM Customer WHERE Active IN (true, false)")).body)).toHaveLength(6);
  });

  it("COUNT(*), paging with STARTPOSITION/MAXRESULTS, empty results", async () => {
    expect((await api.query("SELECT COUNT(*) FROM Customer")).body.QueryResponse).toEqual({ totalCount: 5 });
    const page2 = await api.query("SELECT * FROM Customer ORDERBY Id STARTPOSITION 3 MAXRESULTS 2");
    expect(names(page2.body)).toEqual(["O'Brien Ltd", "Gamma"]);
    expect(page2.body.QueryResponse).toMatchObject({ startPosition: 3, maxResults: 2 });
    expect((await api.query("SELECT * FROM Customer WHERE DisplayName = 'none'")).body.QueryResponse).toEqual({});
  });

  it("answers Account, Item, TaxCode queries and POST /query with application/text", async () => {
    const accounts = await api.query("SELECT * FROM Account WHERE AccountType = 'Accounts Payable'");
    expect(names(accounts.body, "Account")).toEqual(["Accounts Payable (A/P)"]);
    expect(names((await api.query("SELECT * FROM TaxCode")).body, "TaxCode")).toEqual(["VAT 20%", "VAT 6%", "Exempt 0%", "VAT 10%"]);
    const { realmId, tokens } = await connectedClient(h);
    const res = await fetch(`${h.base}/v3/company/${realmId}/query?minorversion=75`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/text", accept: "application/json" },
      body: "SELECT * FROM Item WHERE Name = 'Services'",
    });
    expect(((await res.json()) as any).QueryResponse.Item[0].Type).toBe("Service");
  });

  it("rejects bad queries with QBO's parser/validation faults", async () => {
    const bad = await api.query("SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'");
    expect(bad.status).toBe(400);
    expect(bad.body.Fault.Error[0].code).toBe("4000");
    expect((await api.query("SELECT * FROM Customer MAXRESULTS 1001")).body.Fault.Error[0].code).toBe("4001");
    expect((await api.query("SELECT * FROM Invoice WHERE PrivateNote LIKE '%EIC%'")).body.Fault.Error[0].code).toBe("4001");
    expect((await api.query("SELECT * FROM Nothing")).body.Fault.Error[0].code).toBe("4000");
  });
});
