import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createManualClock, systemClock, type Clock } from "../../../src/clock.js";
import { createDevposClient, type DevposClientOptions } from "../../../src/connectors/devpos/devpos-client.js";
import { DevposAuthError, DevposCredentialsError, DevposHttpError } from "../../../src/connectors/devpos/errors.js";
import type { DevposRawPayload } from "../../../src/connectors/devpos/raw-payload.js";
import { TimeoutError, type FetchLike } from "../../../src/connectors/http.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import type { SeedDocument } from "../../../src/sandbox/devpos/index.js";
import type { SecretBox } from "../../../src/secrets/secret-box.js";
import { getDevposCredentials, upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { PURCHASE_ROWS, SALES_ROWS } from "./devpos-fixture-rows.js";
import { advanceSandboxClock, countingFetch, newCompany, newSecretBox, silentLogger, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  sandbox.devpos.configure({ latency: { baseMs: 0, perDocumentMs: 0, jitterMs: 0 } });
});

let tenantSeq = 0;
/** A DevPos tenant in the sandbox and a company in devsync holding its login. */
async function tenantWithCompany(db: Db, box: SecretBox, docs: readonly unknown[] = []) {
  tenantSeq += 1;
  const tenant = `L${String((process.pid * 100 + tenantSeq) % 100_000_000).padStart(8, "0")}B`;
  const password = `pw-${tenantSeq}-secret`;
  sandbox.devpos.addTenant({ tenant, username: "accountant", password });
  if (docs.length > 0) sandbox.devpos.addDocuments(tenant, docs as SeedDocument[]);
  const companyId = await newCompany(db);
  await upsertDevposCredentials(db, box, companyId, { tenant, username: "accountant", password }, new Date());
  return { tenant, password, companyId };
}

function client(db: Db, box: SecretBox, options: { clock?: Clock; fetch?: FetchLike; onRawPayload?: (p: DevposRawPayload) => void } & Partial<DevposClientOptions> = {}) {
  const { clock, fetch: fetchFn, onRawPayload, ...rest } = options;
  return createDevposClient(
    { db, box, clock: clock ?? systemClock, fetch: fetchFn, logger: silentLogger, sleep: async () => {}, ...(onRawPayload ? { onRawPayload } : {}) },
    { baseUrl: `${sandbox.url}/devpos`, listTimeoutMs: 5000, loginTimeoutMs: 5000, ...rest },
  );
}

const OCTOBER = { from: "2025-10-01", to: "2025-10-31" };
const stats = (tenant: string) => sandbox.devpos.stats(tenant).requests;

describeEachDatabase("DevPos client", (current) => {
  it("logs in with the tenant header, caches the token sealed, and reuses it across clients", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { tenant, companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    const first = await client(db, box).forCompany(companyId).listSales(OCTOBER);
    expect(first.documents).toHaveLength(3);
    await client(db, box).forCompany(companyId).listSales(OCTOBER); // a new process: token from the database
    await client(db, box).forCompany(companyId).listPurchases(OCTOBER);
    expect(stats(tenant).byEndpoint.token).toBe(1);
    const raw = await db.selectFrom("devpos_credentials").select(["token_enc", "token_expires_at"]).where("company_id", "=", companyId).executeTakeFirstOrThrow();
    expect(raw.token_enc).toMatch(/^v1\./);
    expect(raw.token_enc).not.toContain("eyJ");
    expect(new Date(raw.token_expires_at!).getTime() - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    expect((await getDevposCredentials(db, companyId))!.lastOkAt).not.toBeNull();
  });

  it("logs in again 5 minutes before the token expires", async () => {
    const { db } = current();
    const box = newSecretBox();
    const clock = createManualClock(new Date());
    const { tenant, companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    const devpos = client(db, box, { clock }).forCompany(companyId);
    await devpos.listSales(OCTOBER);
    clock.advance(8 * 3_600_000 - 6 * 60_000); // 6 minutes left: still reused
    await devpos.listSales(OCTOBER);
    expect(stats(tenant).byEndpoint.token).toBe(1);
    clock.advance(2 * 60_000); // 4 minutes left: renewed first
    await devpos.listSales(OCTOBER);
    expect(stats(tenant).byEndpoint.token).toBe(2);
    expect(stats(tenant).byEndpoint.GetSalesInvoice).toBe(3);
  });

  it("re-logs in once on 401, and gives up when a fresh token is refused too", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { tenant, companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    await client(db, box).forCompany(companyId).listSales(OCTOBER);
    await advanceSandboxClock(sandbox, 9 * 3_600_000); // DevPos expired the token; our cache does not know
    const result = await client(db, box).forCompany(companyId).listSales(OCTOBER);
    expect(result.documents).toHaveLength(3);
    expect(stats(tenant).byEndpoint.token).toBe(2);
    expect(stats(tenant).byEndpoint.GetSalesInvoice).toBe(3);

    const always401: FetchLike = async (input, init) => (String(input).includes("/api/v3/") ? new Response(null, { status: 401 }) : fetch(input, init));
    const wire = countingFetch(always401);
    const error = await client(db, box, { fetch: wire.fetch }).forCompany(companyId).listSales(OCTOBER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevposAuthError);
    expect(wire.count((c) => c.url.includes("/api/v3/"))).toBe(2);
    expect(wire.count((c) => c.url.includes("/connect/token"))).toBe(1);
  });

  it("bad credentials are a permanent, recorded error; a wrong client id too", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { tenant, companyId } = await tenantWithCompany(db, box);
    await upsertDevposCredentials(db, box, companyId, { tenant, username: "accountant", password: "wrong" }, new Date());
    const error = await client(db, box).forCompany(companyId).listSales(OCTOBER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevposCredentialsError);
    expect(stats(tenant).byEndpoint.token).toBe(1);
    expect((await getDevposCredentials(db, companyId))!.lastError).toMatch(/refused the login/);
    const wrongClient = await client(db, box, { clientId: "someone-else" }).forCompany(companyId).checkLogin().catch((e: unknown) => e);
    expect(wrongClient).toBeInstanceOf(DevposHttpError);
    expect((wrongClient as DevposHttpError).httpStatus).toBe(400);
  });

  it("an empty range (DevPos answers 500) is split down to single days, each retried once, then empty with a warning", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { tenant, companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    const result = await client(db, box).forCompany(companyId).listSales({ from: "2025-09-01", to: "2025-09-04" });
    expect(result.documents).toEqual([]);
    expect(result.warnings.map((w) => (w.code === "empty_range_500" ? w.day : w.code))).toEqual(["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04"]);
    // [1-4], [1-2], [3-4] and four days: 7 ranges × (1 try + 1 retry).
    expect(stats(tenant).byEndpoint.GetSalesInvoice).toBe(14);
    expect(stats(tenant).errors5xx).toBe(14);
    expect(result.requests).toBe(15); // and one login
  });

  it("a range failing with 500 is split; days with documents come back, empty days are warnings", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    // DevPos also falls over on long ranges in production: fail anything longer than two days.
    const longRanges500: FetchLike = async (input, init) => {
      const url = new URL(String(input));
      const from = url.searchParams.get("fromDate");
      const to = url.searchParams.get("toDate");
      if (from && to && (Date.parse(to) - Date.parse(from)) / 86_400_000 >= 2) return new Response("boom", { status: 500 });
      return fetch(input, init);
    };
    const result = await client(db, box, { fetch: longRanges500 }).forCompany(companyId).listSales({ from: "2025-10-24", to: "2025-10-29" });
    expect(result.documents.map((d) => d.eic).sort()).toEqual(SALES_ROWS.map((r) => r.eic).sort());
    expect(result.warnings.filter((w) => w.code === "empty_range_500").map((w) => (w.code === "empty_range_500" ? w.day : ""))).toEqual(["2025-10-24", "2025-10-25", "2025-10-29"]);
  });

  it("parses the fixture rows into SourceDocuments (exact minor units, currency, self-issued, status)", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { companyId } = await tenantWithCompany(db, box, [...SALES_ROWS, ...PURCHASE_ROWS]);
    const devpos = client(db, box).forCompany(companyId);
    const sales = await devpos.listSales(OCTOBER);
    expect(sales.warnings).toEqual([]);
    expect(sales.documents).toEqual([
      expect.objectContaining({ eic: SALES_ROWS[0].eic, kind: "sale", documentNumber: "9/2025", txnDate: "2025-10-26", dueDate: "2025-11-25", status: "accepted", amountMinor: 1_440_000, currency: null, exchangeRate: null, selfIssued: false, buyer: { nuis: "L91234567B", name: "ALBA TRADE SHPK" } }),
      expect.objectContaining({ eic: SALES_ROWS[1].eic, status: "sent", statusText: "Dërguar", amountMinor: 0, currency: "EUR", exchangeRate: 97.35, selfIssued: false }),
      expect.objectContaining({ eic: SALES_ROWS[2].eic, amountMinor: 520_050, selfIssued: true, selfIssuingType: "AGREEMENT", customer: { name: "Arben Hoxha", idNumber: "I85203411P" } }),
    ]);
    const purchases = await devpos.listPurchases(OCTOBER);
    expect(purchases.documents).toEqual([
      expect.objectContaining({ eic: PURCHASE_ROWS[0].eic, kind: "purchase", txnDate: "2025-10-20", amountMinor: 3_600_000, seller: { nuis: "J61823004R", name: "ENERGJIA VERI SHA" }, selfIssued: false }),
      expect.objectContaining({ eic: PURCHASE_ROWS[1].eic, documentNumber: "1/2025", status: "rejected", amountMinor: 125_075, dueDate: null }),
    ]);
  });

  it("captures raw payloads only when asked, with secrets redacted", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { companyId, password } = await tenantWithCompany(db, box, SALES_ROWS);
    const captured: DevposRawPayload[] = [];
    await client(db, box, { onRawPayload: (p) => captured.push(p) }).forCompany(companyId).listSales(OCTOBER);
    expect(captured).toEqual([]);
    await db.updateTable("devpos_credentials").set({ token_enc: null, token_expires_at: null }).where("company_id", "=", companyId).execute();
    await client(db, box, { captureRawPayloads: true, onRawPayload: (p) => captured.push(p) }).forCompany(companyId).listSales(OCTOBER);
    expect(captured.map((p) => [p.endpoint, p.status])).toEqual([["token", 200], ["GetSalesInvoice", 200]]);
    const text = JSON.stringify(captured);
    expect(text).not.toContain(password);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(captured[0]!.request.form).toMatchObject({ grant_type: "password", username: "accountant", password: "[redacted]" });
    expect(captured[1]!.request.headers.authorization).toBe("[redacted]");
    expect(captured[1]!.body).toHaveLength(3);
  });

  it("times out a slow list and retries it a bounded number of times", async () => {
    const { db } = current();
    const box = newSecretBox();
    const { companyId } = await tenantWithCompany(db, box, SALES_ROWS);
    sandbox.devpos.configure({ latency: { baseMs: 400 } });
    let listCalls = 0;
    const counting: FetchLike = (input, init) => {
      if (String(input).includes("GetSalesInvoice")) listCalls++;
      return fetch(input, init);
    };
    const error = await client(db, box, { fetch: counting, listTimeoutMs: 100, transientRetries: 1 }).forCompany(companyId).listSales(OCTOBER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(listCalls).toBe(2);
    await new Promise((r) => setTimeout(r, 400)); // let the sandbox finish the abandoned answers
  });
});
