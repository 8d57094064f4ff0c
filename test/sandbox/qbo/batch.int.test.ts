import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectedClient, startHarness, type ApiClient, type Harness } from "./harness.js";

let h: Harness;
let api: ApiClient;
let realmId: string;
let token: string;
let customerId: string;

const invoice = (docNumber: string, customer = customerId) => ({
  CustomerRef: { value: customer },
  DocNumber: docNumber,
  Line: [{ Amount: 10, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: { value: "1" }, TaxCodeRef: { value: "1" } } }],
});

beforeAll(async () => {
  h = await startHarness();
  const c = await connectedClient(h);
  ({ api, realmId } = c);
  token = c.tokens.access_token;
  customerId = (await api.post("/customer", { DisplayName: "Batch Customer" })).body.Customer.Id;
});
afterAll(async () => h.close());

describe("batch", () => {
  it("runs items independently: successes and per-item faults in one 200", async () => {
    const res = await api.post("/batch", {
      BatchItemRequest: [
        { bId: "1", operation: "create", Invoice: invoice("B1") },
        { bId: "2", operation: "create", Invoice: invoice("B2", "999") },
        { bId: "3", operation: "create", Customer: { DisplayName: "Batch Customer" } },
        { bId: "4", Query: "SELECT * FROM Customer WHERE DisplayName = 'Batch Customer'" },
      ],
    });
    expect(res.status).toBe(200);
    const [one, two, three, four] = res.body.BatchItemResponse;
    expect(one).toMatchObject({ bId: "1", Invoice: { DocNumber: "B1", TotalAmt: 12 } });
    expect(two).toMatchObject({ bId: "2", Fault: { type: "ValidationFault", Error: [{ code: "6000" }] } });
    expect(three.Fault.Error[0].code).toBe("6240");
    expect(four.QueryResponse.Customer).toHaveLength(1);
  });

  it("supports update, delete and void items", async () => {
    const inv = (await api.post("/invoice", invoice("B3"))).body.Invoice;
    const other = (await api.post("/invoice", invoice("B4"))).body.Invoice;
    const res = await api.post("/batch", {
      BatchItemRequest: [
        { bId: "u", operation: "update", Invoice: { Id: inv.Id, SyncToken: "0", sparse: true, PrivateNote: "x" } },
        { bId: "s", operation: "update", Invoice: { Id: inv.Id, SyncToken: "0", sparse: true, PrivateNote: "y" } },
        { bId: "v", operation: "void", Invoice: { Id: other.Id, SyncToken: "0" } },
        { bId: "d", operation: "delete", Invoice: { Id: inv.Id, SyncToken: "1" } },
      ],
    });
    const [u, s, v, d] = res.body.BatchItemResponse;
    expect(u.Invoice.SyncToken).toBe("1");
    expect(s.Fault.Error[0].code).toBe("5010");
    expect(v.Invoice.TotalAmt).toBe(0);
    expect(d.Invoice.status).toBe("Deleted");
  });

  it("more than maxBatchItems is fault 1040 and nothing is created", async () => {
    const before = h.sim.stats(realmId).documents.Invoice;
    const items = Array.from({ length: 31 }, (_, i) => ({ bId: String(i), operation: "create", Invoice: invoice(`X${i}`) }));
    const res = await api.post("/batch", { BatchItemRequest: items });
    expect(res.status).toBe(400);
    expect(res.body.Fault.Error[0].code).toBe("1040");
    expect(h.sim.stats(realmId).documents.Invoice).toBe(before);
  });
});

describe("requestid", () => {
  it("replays the original response without creating anything", async () => {
    const before = h.sim.createdDocuments(realmId).length;
    const first = await api.post("/invoice?requestid=doc-42", invoice("R1"));
    const second = await api.post("/invoice?requestid=doc-42", invoice("R1"));
    expect(second.body).toEqual(first.body);
    expect(h.sim.createdDocuments(realmId).length).toBe(before + 1);
    const batch1 = await api.post("/batch?requestid=batch-1", { BatchItemRequest: [{ bId: "1", operation: "create", Invoice: invoice("R2") }] });
    const batch2 = await api.post("/batch?requestid=batch-1", { BatchItemRequest: [{ bId: "1", operation: "create", Invoice: invoice("R2") }] });
    expect(batch2.body).toEqual(batch1.body);
    expect(h.sim.createdDocuments(realmId).length).toBe(before + 2);
    expect((await api.post(`/invoice?requestid=${"x".repeat(51)}`, invoice("R3"))).body.Fault.Error[0].code).toBe("6000");
  });

  it("does not remember failed attempts", async () => {
    const bad = await api.post("/invoice?requestid=retry-me", invoice("R4", "999"));
    expect(bad.status).toBe(400);
    const good = await api.post("/invoice?requestid=retry-me", invoice("R4"));
    expect(good.status).toBe(200);
  });
});

describe("upload", () => {
  it("attaches a file to an invoice via multipart", async () => {
    const inv = (await api.post("/invoice", invoice("U1"))).body.Invoice;
    const form = new FormData();
    form.append("file_metadata_0", new Blob([JSON.stringify({ AttachableRef: [{ EntityRef: { type: "Invoice", value: inv.Id } }], FileName: "fature.pdf", ContentType: "application/pdf" })], { type: "application/json" }), "meta.json");
    form.append("file_content_0", new Blob([Buffer.from("%PDF-1.4 fake")], { type: "application/pdf" }), "fature.pdf");
    const res = await fetch(`${h.base}/v3/company/${realmId}/upload?minorversion=75`, { method: "POST", headers: { authorization: `Bearer ${token}`, accept: "application/json" }, body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.AttachableResponse[0].Attachable).toMatchObject({ FileName: "fature.pdf", ContentType: "application/pdf", Size: 13, AttachableRef: [{ EntityRef: { type: "Invoice", value: inv.Id } }] });
    expect(typeof body.time).toBe("string");
    const found = await api.query(`SELECT * FROM Attachable WHERE FileName = 'fature.pdf'`);
    expect(found.body.QueryResponse.Attachable).toHaveLength(1);

    const bad = new FormData();
    bad.append("file_metadata_0", new Blob([JSON.stringify({ AttachableRef: [{ EntityRef: { type: "Invoice", value: "999" } }] })], { type: "application/json" }));
    bad.append("file_content_0", new Blob(["x"], { type: "text/plain" }), "x.txt");
    const badRes = (await (await fetch(`${h.base}/v3/company/${realmId}/upload`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: bad })).json()) as any;
    expect(badRes.AttachableResponse[0].Fault.Error[0].code).toBe("6000");
  });
});
