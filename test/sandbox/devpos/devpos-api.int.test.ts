import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSandboxClock, type SandboxClock } from "../../../src/sandbox/clock.js";
import { createDevposSimulator, type DevposSimulator } from "../../../src/sandbox/devpos/index.js";
import { listInvoices, login, requestToken } from "./devpos-client.js";
import { TENANT, purchaseRows, salesRows } from "./devpos-fixture-rows.js";

const OTHER = "L11111111B";
let app: FastifyInstance;
let clock: SandboxClock;
let devpos: DevposSimulator;
let base: string;

beforeAll(async () => {
  clock = createSandboxClock(() => Date.parse("2025-11-01T10:00:00Z"));
  devpos = createDevposSimulator({ clock, seed: 1 });
  devpos.addTenant({ tenant: TENANT, username: "demo", password: "s3cret", companyName: "KOMPANIA DEMO SHPK" });
  devpos.addTenant({ tenant: OTHER, username: "other", password: "pw" });
  devpos.addDocuments(TENANT, [...salesRows, ...purchaseRows]);
  app = Fastify();
  await app.register(devpos.plugin, { prefix: "/devpos" });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  base = `${address}/devpos`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => devpos.configure({ quirks: { emptyRange500: true, includePdf500: true } }));

describe("POST /connect/token", () => {
  it("issues an 8-hour bearer token for good credentials", async () => {
    const res = await requestToken(base, { tenant: TENANT, username: "demo", password: "s3cret" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 28800 });
    expect(typeof body.access_token).toBe("string");
    expect(body).not.toHaveProperty("refresh_token");
  });

  it("rejects a bad password, an unknown tenant and a missing tenant header with invalid_grant", async () => {
    for (const attempt of [
      { tenant: TENANT, username: "demo", password: "wrong" },
      { tenant: "X99999999X", username: "demo", password: "s3cret" },
      { username: "demo", password: "s3cret" },
      { tenant: OTHER, username: "demo", password: "s3cret" },
    ]) {
      const res = await requestToken(base, attempt);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_grant", error_description: "invalid_username_or_password" });
    }
  });

  it("rejects an unknown or missing client with invalid_client", async () => {
    const wrong = `Basic ${Buffer.from("someone_else:").toString("base64")}`;
    for (const authorization of [wrong, null]) {
      const res = await requestToken(base, { tenant: TENANT, username: "demo", password: "s3cret", authorization });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid_client" });
    }
  });

  it("rejects other grant types", async () => {
    const res = await fetch(`${base}/connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("fiskalizimi_spa:").toString("base64")}`, tenant: TENANT },
      body: "grant_type=client_credentials",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "unsupported_grant_type" });
  });
});

describe("GetSalesInvoice / GetPurchaseInvoice", () => {
  it("returns a bare array with exactly the production field names", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    const res = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-10-31" });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Record<string, unknown>[];
    expect(rows.map((r) => r.eic)).toEqual(salesRows.map((r) => r.eic));
    expect(rows[0]).toEqual({ ...salesRows[0], vatCurrency: "ALL", baseCurrency: "ALL" });
    expect(Object.keys(rows[1]!)).toEqual([...Object.keys(salesRows[1]!), "vatCurrency", "baseCurrency"]);
    expect(rows[1]).toMatchObject({ currencyCode: "EUR", exchangeRate: 97.35, amount: 0, vatCurrency: "ALL" });

    const purchases = await listInvoices(base, "GetPurchaseInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-10-31" });
    const purchaseList = (await purchases.json()) as Record<string, unknown>[];
    expect(purchaseList.map((r) => r.partyType)).toEqual(["Blerje", "Blerje"]);
    expect(purchaseList[0]).not.toHaveProperty("customer");
    expect(purchaseList[0]).not.toHaveProperty("selfIssuingType");
  });

  it("filters by the local date of invoiceCreatedDate, both ends inclusive", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    const eics = async (fromDate: string, toDate: string) =>
      ((await (await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate, toDate })).json()) as { eic: string }[]).map((r) => r.eic);
    expect(await eics("2025-10-26", "2025-10-26")).toEqual([salesRows[0]!.eic]);
    expect(await eics("2025-10-27", "2025-10-28")).toEqual([salesRows[1]!.eic, salesRows[2]!.eic]);

    // 23:30 UTC on 30 Oct is already 31 Oct in Tirana: it belongs to the 31st, not the 30th.
    devpos.addDocuments(TENANT, [{ ...salesRows[0]!, eic: "11111111-2222-4333-8444-555555555555", invoiceCreatedDate: "2025-10-30T23:30:00Z" }]);
    const res = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-10-30", toDate: "2025-10-30" });
    expect(res.status).toBe(500);
    expect(await eics("2025-10-31", "2025-10-31")).toEqual(["11111111-2222-4333-8444-555555555555"]);
  });

  it("answers 401 without a token, with another tenant's token, and after 8 hours", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    const otherToken = await login(base, OTHER, "other", "pw");
    const range = { fromDate: "2025-10-01", toDate: "2025-10-31" };
    expect((await listInvoices(base, "GetSalesInvoice", { tenant: TENANT, ...range })).status).toBe(401);
    expect((await listInvoices(base, "GetSalesInvoice", { token, ...range })).status).toBe(401);
    expect((await listInvoices(base, "GetSalesInvoice", { token: otherToken, tenant: TENANT, ...range })).status).toBe(401);
    expect((await listInvoices(base, "GetSalesInvoice", { token: "garbage", tenant: TENANT, ...range })).status).toBe(401);

    clock.advance(8 * 3600_000 - 1000);
    expect((await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, ...range })).status).toBe(200);
    clock.advance(2000);
    const expired = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, ...range });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toMatch(/invalid_token/);
  });

  it("has the production quirks on by default and lets them be switched off", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    const empty = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2024-01-01", toDate: "2024-01-31" });
    expect(empty.status).toBe(500);
    expect(await empty.text()).toMatch(/^System\.NullReferenceException: Object reference not set to an instance of an object\./);
    const withPdf = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-10-31", extra: { includePdf: "true" } });
    expect(withPdf.status).toBe(500);

    devpos.configure({ quirks: { emptyRange500: false, includePdf500: false } });
    const emptyOk = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2024-01-01", toDate: "2024-01-31" });
    expect(emptyOk.status).toBe(200);
    expect(await emptyOk.json()).toEqual([]);
    const pdfOk = await listInvoices(base, "GetPurchaseInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-10-31", extra: { includePdf: "true" } });
    expect(pdfOk.status).toBe(200);
  });

  it("answers 400 problem+json for a missing or malformed date", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    const res = await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "01/10/2025" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(Object.keys(((await res.json()) as { errors: object }).errors).sort()).toEqual(["fromDate", "toDate"]);
  });

  it("applies the configured latency per document", async () => {
    const token = await login(base, TENANT, "demo", "s3cret");
    devpos.configure({ latency: { baseMs: 50, perDocumentMs: 20 } });
    const started = performance.now();
    await listInvoices(base, "GetSalesInvoice", { token, tenant: TENANT, fromDate: "2025-10-01", toDate: "2025-10-28" });
    devpos.configure({ latency: { baseMs: 0, perDocumentMs: 0 } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });
});
