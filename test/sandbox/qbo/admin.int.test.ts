import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQboSimulator } from "../../../src/sandbox/qbo/index.js";
import { apiClient, connect, connectedClient, REDIRECT_URI, startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("admin endpoints", () => {
  it("creates realms with preferences", async () => {
    const res = await postJson(`${h.base}/_admin/realms`, { companyName: "No Tax Co", tax: false, multicurrency: false });
    expect(res.status).toBe(201);
    const { realmId } = (await res.json()) as { realmId: string };
    const { tokens } = await connect(h, { sandbox_realm: realmId });
    const api = apiClient(h, realmId, tokens.access_token);
    const prefs = (await api.get("/preferences")).body.Preferences;
    expect(prefs.TaxPrefs.UsingSalesTax).toBe(false);
    expect(prefs.CurrencyPrefs.MultiCurrencyEnabled).toBe(false);
    expect((await api.query("SELECT * FROM TaxCode")).body.QueryResponse).toEqual({});
  });

  it("patches config, registers clients and lists created documents", async () => {
    const config = (await (await postJson(`${h.base}/_admin/config`, { limits: { perMinute: 100 }, autoApprove: true })).json()) as any;
    expect(config.limits).toEqual({ perMinute: 100, concurrent: 10, batchPerMinute: 40, maxBatchItems: 30 });
    expect(config.autoApprove).toBe(true);
    await postJson(`${h.base}/_admin/config`, { limits: { perMinute: 500 }, autoApprove: false });

    expect((await postJson(`${h.base}/_admin/clients`, { clientId: "devsync-app", clientSecret: "s3cret", redirectUris: [REDIRECT_URI] })).status).toBe(201);
    const denied = await fetch(`${h.base}/connect/oauth2?client_id=devsync-app&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=${encodeURIComponent("http://evil.example/cb")}`, { redirect: "manual" });
    expect(denied.status).toBe(400);

    const { api, realmId } = await connectedClient(h);
    const cust = (await api.post("/customer", { DisplayName: "Doc Co" })).body.Customer.Id;
    await api.post("/invoice", { CustomerRef: { value: cust }, DocNumber: "7/2026", PrivateNote: "DevPos EIC e-1", TxnDate: "2026-01-02", Line: [{ Amount: 99.99, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: { value: "1" }, TaxCodeRef: { value: "3" } } }] });
    const docs = (await (await fetch(`${h.base}/_admin/realms/${realmId}/documents`)).json()) as any;
    expect(docs.documents).toEqual([{ type: "Invoice", Id: "1", DocNumber: "7/2026", TotalAmt: 99.99, CurrencyRef: { value: "ALL" }, PrivateNote: "DevPos EIC e-1", TxnDate: "2026-01-02" }]);
    expect(h.sim.stats(realmId).documents).toEqual({ Invoice: 1, Bill: 0 });
  });

  it("reset forgets realms and tokens", async () => {
    const { api } = await connectedClient(h);
    expect((await postJson(`${h.base}/_admin/reset`, {})).status).toBe(200);
    expect((await api.get("/preferences")).status).toBe(401);
    expect(((await (await fetch(`${h.base}/_admin/realms`)).json()) as any).realms).toEqual([]);
  });
});

describe("encapsulation", () => {
  it("leaves the host app's JSON parsing alone", async () => {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    app.post("/echo", async (request) => request.body);
    await app.register(createQboSimulator({ clock: h.clock }).plugin, { prefix: "/qbo" });
    const empty = await app.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: "" });
    expect(empty.statusCode).toBe(400); // Fastify's own rule, not the simulator's lenient one
    const form = await app.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "a=1" });
    expect(form.statusCode).toBe(415);
    await app.close();
  });
});

describe("snapshot / restore", () => {
  it("round-trips through JSON: data, tokens and created documents survive a restart", async () => {
    const { api, realmId, tokens } = await connectedClient(h);
    await api.post("/customer", { DisplayName: "Persisted" });
    await api.post("/invoice?requestid=persist-1", { CustomerRef: { value: "1" }, Line: [{ Amount: 5, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { TaxCodeRef: { value: "1" } } }] });
    const saved = JSON.parse(JSON.stringify(h.sim.snapshot()));

    const second = await startHarness({ clock: h.clock });
    try {
      second.sim.restore(saved);
      expect(second.sim.snapshot()).toEqual(saved);
      const api2 = apiClient(second, realmId, tokens.access_token);
      expect((await api2.query("SELECT * FROM Customer WHERE DisplayName = 'Persisted'")).body.QueryResponse.Customer).toHaveLength(1);
      const replay = await api2.post("/invoice?requestid=persist-1", {});
      expect(replay.body.Invoice.TotalAmt).toBe(6);
      expect(second.sim.createdDocuments(realmId)).toEqual(h.sim.createdDocuments(realmId));
      expect(() => second.sim.restore({ nope: true })).toThrow(/snapshot/);
    } finally {
      await second.close();
    }
  });

  it("is deterministic by seed", () => {
    const clock = h.clock;
    const a = createQboSimulator({ clock, seed: 42 });
    const b = createQboSimulator({ clock, seed: 42 });
    expect(a.createRealm()).toBe(b.createRealm());
  });
});
