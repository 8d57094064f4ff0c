import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxClock } from "../../../src/sandbox/clock.js";
import { createDevposSimulator, type DevposSimulator } from "../../../src/sandbox/devpos/index.js";
import { adminJson, listInvoices, login } from "./devpos-client.js";
import { TENANT, salesRows } from "./devpos-fixture-rows.js";

let app: FastifyInstance;
let devpos: DevposSimulator;
let base: string;
const clock = createSandboxClock(() => Date.parse("2025-11-15T10:00:00Z"));

beforeAll(async () => {
  devpos = createDevposSimulator({ clock, seed: 9 });
  app = Fastify();
  await app.register(devpos.plugin, { prefix: "/devpos" });
  base = `${await app.listen({ port: 0, host: "127.0.0.1" })}/devpos`;
});

afterAll(async () => {
  await app.close();
});

describe("DevPos admin endpoints", () => {
  it("creates tenants, validating the NUIS", async () => {
    const created = await adminJson(base, "POST", "/_admin/tenants", { tenant: TENANT, username: "demo", password: "pw", companyName: "KOMPANIA DEMO SHPK" });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ tenant: TENANT, companyName: "KOMPANIA DEMO SHPK", usernames: ["demo"] });
    const bad = await adminJson(base, "POST", "/_admin/tenants", { tenant: "123", username: "x", password: "y" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("validation_failed");
    expect(bad.json.error.fields).toHaveProperty("tenant");
    expect((await login(base, TENANT, "demo", "pw")).length).toBeGreaterThan(20);
  });

  it("adds rows (with or without a true amount) and generated documents, and lists them", async () => {
    const zeroRow = salesRows[1]!;
    const added = await adminJson(base, "POST", `/_admin/tenants/${TENANT}/documents`, {
      documents: [salesRows[0], { row: zeroRow, trueAmount: 1234.56 }],
      generate: { count: 40, from: "2025-11-01", to: "2025-11-10", seed: 5 },
    });
    expect(added.status).toBe(201);
    expect(added.json.added).toBe(42);

    const listed = await adminJson(base, "GET", `/_admin/tenants/${TENANT}/documents`);
    expect(listed.json.documents).toHaveLength(42);
    const zero = listed.json.documents.find((d: { row: { eic: string } }) => d.row.eic === zeroRow.eic);
    expect(zero).toMatchObject({ row: { amount: 0 }, trueAmount: 1234.56 });
    expect(listed.json.documents.every((d: { row: { sellerNuis: string; buyerNuis: string } }) => d.row.sellerNuis === TENANT || d.row.buyerNuis === TENANT)).toBe(true);

    expect((await adminJson(base, "POST", "/_admin/tenants/X00000000X/documents", { documents: [] })).status).toBe(404);
  });

  it("changes a document's amount, status, date and currency", async () => {
    const eic = salesRows[1]!.eic;
    const patched = await adminJson(base, "PATCH", `/_admin/tenants/${TENANT}/documents/${eic}`, {
      amount: 99.99,
      invoiceStatus: "Refuzuar",
      invoiceCreatedDate: "2025-11-12",
      currencyCode: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.json.trueAmount).toBe(99.99);
    expect(patched.json.row).toMatchObject({ amount: 99.99, invoiceStatus: "Refuzuar", statusCanBeChanged: false, invoiceCreatedDate: "2025-11-12T09:02:44+01:00" });
    expect(patched.json.row).not.toHaveProperty("currencyCode");
    expect(patched.json.row).not.toHaveProperty("exchangeRate");

    const token = await login(base, TENANT, "demo", "pw");
    const rows = (await (await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-11-12", toDate: "2025-11-12" })).json()) as { eic: string }[];
    expect(rows.map((r) => r.eic)).toContain(eic);

    const usd = await adminJson(base, "PATCH", `/_admin/tenants/${TENANT}/documents/${eic}`, { currencyCode: "usd", exchangeRate: 92.5 });
    expect(usd.json.row).toMatchObject({ currencyCode: "USD", exchangeRate: 92.5, vatCurrency: "ALL" });
    expect((await adminJson(base, "PATCH", `/_admin/tenants/${TENANT}/documents/${eic}`, { eic: "changed" })).status).toBe(400);
    expect((await adminJson(base, "PATCH", `/_admin/tenants/${TENANT}/documents/nope`, { amount: 1 })).status).toBe(404);
  });

  it("counts requests per tenant and endpoint, including 5xx", async () => {
    await adminJson(base, "POST", "/_admin/config", { quirks: { emptyRange500: true } });
    const before = (await adminJson(base, "GET", `/_admin/tenants/${TENANT}/stats`)).json;
    const token = await login(base, TENANT, "demo", "pw");
    await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2020-01-01", toDate: "2020-01-02" });
    await listInvoices(base, "GetPurchaseInvoice", { token, tenant: TENANT, fromDate: "2025-11-01", toDate: "2025-11-30" });
    const after = devpos.stats(TENANT);
    expect(after.requests.total - before.requests.total).toBe(3);
    expect(after.requests.byEndpoint.token! - (before.requests.byEndpoint.token ?? 0)).toBe(1);
    expect(after.requests.byEndpoint.GetSalesInvoice! - (before.requests.byEndpoint.GetSalesInvoice ?? 0)).toBe(1);
    expect(after.requests.errors5xx - before.requests.errors5xx).toBe(1);
    expect(devpos.stats("Z99999999Z").requests.total).toBe(0);
  });

  it("changes quirks and latency through /_admin/config", async () => {
    const res = await adminJson(base, "POST", "/_admin/config", { quirks: { includePdf500: false }, latency: { jitterMs: 5 } });
    expect(res.json).toEqual({ quirks: { emptyRange500: true, includePdf500: false }, latency: { baseMs: 0, perDocumentMs: 0, jitterMs: 5 } });
    expect((await adminJson(base, "POST", "/_admin/config", { latency: { baseMs: -1 } })).status).toBe(400);
    await adminJson(base, "POST", "/_admin/config", { quirks: { includePdf500: true }, latency: { jitterMs: 0 } });
  });
});

describe("DevPos snapshot", () => {
  it("restores tenants, documents, tokens and config into a fresh simulator", async () => {
    const token = await login(base, TENANT, "demo", "pw");
    const copy = createDevposSimulator({ clock, seed: 9 });
    copy.restore(JSON.parse(JSON.stringify(devpos.snapshot())));
    expect(copy.snapshot()).toEqual(devpos.snapshot());

    const other = Fastify();
    await other.register(copy.plugin, { prefix: "/devpos" });
    const otherBase = `${await other.listen({ port: 0, host: "127.0.0.1" })}/devpos`;
    try {
      const res = await listInvoices(otherBase, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-11-30" });
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
    expect(() => copy.restore({ version: 2 })).toThrow();
  });
});
