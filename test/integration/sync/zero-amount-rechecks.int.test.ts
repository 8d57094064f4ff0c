import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.js";
import { createDevposClient } from "../../../src/connectors/devpos/devpos-client.js";
import type { SourceDocument } from "../../../src/domain/source-document.js";
import type { DevposRow } from "../../../src/sandbox/devpos/devpos-row.js";
import { tiraneTimestamp } from "../../../src/sandbox/devpos/tirane-time.js";
import { generateDocuments } from "../../../src/sandbox/generator/index.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import type { SecretBox } from "../../../src/secrets/secret-box.js";
import { upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import { insertPendingLink } from "../../../src/storage/repos/document-links.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { confirmZeroAmount, findZeroAmountDocumentByEic, listOpenZeroAmountDocuments } from "../../../src/storage/repos/zero-amount-documents.js";
import type { JobType } from "../../../src/sync/plan.js";
import type { DevposReader } from "../../../src/sync/ports.js";
import { recheckZeroAmounts, settleZeroAmounts, type ZeroAmountRecheckDeps } from "../../../src/sync/zero-amount-rechecks.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { newCompany, newSecretBox, silentLogger, startSandbox } from "../connectors/harness.js";

/**
 * The two functions the engine calls around planning, against the DevPos sandbox over HTTP:
 * `run()` below does what a run does with them (list the window, re-check, settle).
 */
let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
  // What is measured here is calls, not DevPos's slowness.
  sandbox.devpos.configure({ latency: { baseMs: 0, perDocumentMs: 0, jitterMs: 0 } });
});
afterAll(async () => {
  await sandbox.close();
});

let tenantSeq = 0;

interface Tenant {
  tenant: string;
  companyId: number;
  devpos: DevposReader;
  /** DevPos list calls (sales + purchases) the sandbox answered so far. */
  listCalls(): number;
  patch(eic: string, body: Record<string, unknown>): Promise<void>;
}

async function tenantWith(db: Db, box: SecretBox, rows: DevposRow[]): Promise<Tenant> {
  tenantSeq += 1;
  const tenant = `Z${String((process.pid * 100 + tenantSeq) % 100_000_000).padStart(8, "0")}Z`;
  sandbox.devpos.addTenant({ tenant, username: "accountant", password: "zero-pass" });
  sandbox.devpos.addDocuments(tenant, rows.map((row) => ({ row, trueAmount: row.amount === 0 ? 1234.56 : row.amount })));
  const companyId = await newCompany(db);
  await upsertDevposCredentials(db, box, companyId, { tenant, username: "accountant", password: "zero-pass" }, new Date());
  const client = createDevposClient(
    { db, box, clock: systemClock, logger: silentLogger, sleep: async () => {} },
    { baseUrl: `${sandbox.url}/devpos`, listTimeoutMs: 10_000, loginTimeoutMs: 5000 },
  );
  return {
    tenant,
    companyId,
    devpos: client.forCompany(companyId),
    listCalls: () => {
      const by = sandbox.devpos.stats(tenant).requests.byEndpoint;
      return Object.entries(by).reduce((n, [endpoint, count]) => (endpoint === "token" ? n : n + count), 0);
    },
    async patch(eic, body) {
      const res = await fetch(`${sandbox.url}/devpos/_admin/tenants/${tenant}/documents/${eic}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status, await res.text()).toBe(200);
    },
  };
}

/** Plain rows (no edge cases) on the given local dates; `zero` picks the ones listed with amount 0. */
function rowsOn(dates: readonly { date: string; kind: "sale" | "purchase"; zero?: boolean }[], seed = 11): DevposRow[] {
  const generated = generateDocuments({
    seed,
    tenantNuis: "K00000000Z",
    count: dates.length * 4,
    from: "2025-01-01",
    to: "2025-01-31",
    edgeCases: { foreignCurrencyRate: 0, selfIssuedRate: 0, rejectedRate: 0, zeroAmountRate: 0, longDocNumberRate: 0, repeatedDocNumbers: 0 },
  });
  const sales = generated.filter((d) => d.kind === "sales");
  const purchases = generated.filter((d) => d.kind === "purchase");
  return dates.map((d, i) => {
    const source = (d.kind === "sale" ? sales : purchases)[i];
    if (!source) throw new Error("not enough generated rows");
    return { ...source.row, invoiceCreatedDate: tiraneTimestamp(d.date, 10, 0, 0), dueDate: null, amount: d.zero ? 0 : source.row.amount };
  });
}

/** One run as the engine does it: list the window, re-check the rest, settle everything. */
async function run(db: Db, t: Tenant, window: { from: string; to: string }, options: { jobType?: JobType; now?: Date; devpos?: DevposReader; budget?: ZeroAmountRecheckDeps["budget"] } = {}) {
  const jobType = options.jobType ?? "full";
  const devpos = options.devpos ?? t.devpos;
  const listed: SourceDocument[] = [];
  if (jobType !== "bills") listed.push(...(await devpos.listSales(window)).documents);
  if (jobType !== "sales") listed.push(...(await devpos.listPurchases(window)).documents);
  const now = options.now ?? new Date();
  const before = t.listCalls();
  const recheck = await recheckZeroAmounts({ db, devpos, now, budget: options.budget }, t.companyId, jobType, window, listed);
  const recheckCalls = t.listCalls() - before;
  const counts = await settleZeroAmounts(db, t.companyId, [...listed, ...recheck.documents], now, recheck);
  return { listed, recheck, recheckCalls, counts };
}

const Q1 = { from: "2025-01-01", to: "2025-03-31" };
const APRIL = { from: "2025-04-01", to: "2025-04-30" };

describeEachDatabase("zero-amount re-checks against the DevPos sandbox", (current) => {
  it("keeps a zero-amount document after it leaves the window, re-reads it, and takes its amount once DevPos gives one", async () => {
    const { db } = current();
    const box = newSecretBox();
    const rows = rowsOn([
      { date: "2025-01-10", kind: "sale", zero: true },
      { date: "2025-01-11", kind: "sale" },
      { date: "2025-02-14", kind: "purchase", zero: true },
      { date: "2025-03-03", kind: "sale", zero: true },
      { date: "2025-03-04", kind: "purchase" },
      { date: "2025-04-07", kind: "sale" },
      { date: "2025-04-08", kind: "purchase" },
    ]);
    const t = await tenantWith(db, box, rows);
    const [janSale, , febPurchase, marSale] = [rows[0]!, rows[1]!, rows[2]!, rows[3]!];

    // Run 1 lists them inside its window: three open rows, nothing to re-read.
    const first = await run(db, t, Q1);
    expect(first.listed).toHaveLength(5);
    expect(first.recheck).toMatchObject({ documents: [], checked: 0, deferred: 0, ranges: [] });
    expect(first.recheckCalls).toBe(0);
    expect(first.counts).toEqual({ open: 3, rechecked: 0, resolved: 0, confirmedZero: 0 });

    // Run 2 covers April only: the three are re-read from DevPos, still without an amount.
    const second = await run(db, t, APRIL);
    expect(second.listed.map((d) => d.eic)).toEqual([rows[5]!.eic, rows[6]!.eic]);
    expect(second.recheck.documents.map((d) => d.eic).sort()).toEqual([janSale.eic, febPurchase.eic, marSale.eic].sort());
    expect(second.recheck.documents.every((d) => d.amountMinor === 0)).toBe(true);
    expect(second.recheck.ranges).toEqual([
      { kind: "purchase", from: "2025-02-14", to: "2025-02-14" },
      { kind: "sale", from: "2025-01-10", to: "2025-01-10" },
      { kind: "sale", from: "2025-03-03", to: "2025-03-03" },
    ]);
    expect(second.recheckCalls).toBe(3);
    expect(second.counts).toEqual({ open: 3, rechecked: 3, resolved: 0, confirmedZero: 0 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, janSale.eic)).toMatchObject({ status: "open", checks: 2, kind: "sale", qboType: "Invoice", txnDate: "2025-01-10", docNumber: janSale.documentNumber });

    // DevPos now shows the January sale's real total: the next run returns it with that amount.
    await t.patch(janSale.eic, { amount: 1234.56 });
    const third = await run(db, t, APRIL);
    const found = third.recheck.documents.find((d) => d.eic === janSale.eic);
    expect(found).toMatchObject({ kind: "sale", amountMinor: 123_456, txnDate: "2025-01-10" });
    expect(third.counts).toEqual({ open: 2, rechecked: 3, resolved: 1, confirmedZero: 0 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, janSale.eic)).toMatchObject({ status: "resolved", resolution: "amount", resolvedAmountMinor: 123_456 });

    // A sales run re-reads only what becomes an invoice; a bills run only what becomes a bill.
    const sales = await run(db, t, APRIL, { jobType: "sales" });
    expect(sales.recheck.documents.map((d) => d.eic)).toEqual([marSale.eic]);
    expect(sales.recheckCalls).toBe(1);
    const bills = await run(db, t, APRIL, { jobType: "bills" });
    expect(bills.recheck.documents.map((d) => d.eic)).toEqual([febPurchase.eic]);

    // A person confirms the March sale is truly zero: it is no longer re-read, and when a run
    // lists it again in its window it is counted as confirmed, not open.
    const marRow = (await findZeroAmountDocumentByEic(db, t.companyId, marSale.eic))!;
    await confirmZeroAmount(db, { companyId: t.companyId, id: marRow.id, userId: null, by: "test", note: "really zero", now: new Date() });
    const fifth = await run(db, t, APRIL);
    expect(fifth.recheck.documents.map((d) => d.eic)).toEqual([febPurchase.eic]);
    expect(fifth.recheckCalls).toBe(1);
    const inWindow = await run(db, t, { from: "2025-03-01", to: "2025-04-30" });
    expect(inWindow.counts).toEqual({ open: 1, rechecked: 1, resolved: 0, confirmedZero: 1 });
  });

  it("a document already linked to QuickBooks is not tracked when the list shows 0, and rejection resolves a row", async () => {
    const { db } = current();
    const box = newSecretBox();
    const rows = rowsOn([
      { date: "2025-02-01", kind: "sale", zero: true },
      { date: "2025-02-02", kind: "sale", zero: true },
      { date: "2025-03-15", kind: "purchase" },
      { date: "2025-04-02", kind: "purchase" },
      { date: "2025-04-03", kind: "sale" },
    ]);
    const t = await tenantWith(db, box, rows);
    await insertPendingLink(db, { companyId: t.companyId, kind: "sale", sourceKey: rows[0]!.eic, qboType: "Invoice", contentHash: "h", requestId: "r1", now: new Date() });
    expect((await run(db, t, Q1)).counts).toMatchObject({ open: 1 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, rows[0]!.eic)).toBeUndefined();

    await t.patch(rows[1]!.eic, { invoiceStatus: "Refuzuar" });
    const later = await run(db, t, APRIL);
    expect(later.recheck.documents.map((d) => [d.eic, d.status])).toEqual([[rows[1]!.eic, "rejected"]]);
    expect(later.counts).toMatchObject({ open: 0, resolved: 1 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, rows[1]!.eic)).toMatchObject({ status: "resolved", resolution: "rejected" });
  });

  it("groups two years of scattered dates into at most 12 list calls of at most 31 days; the longest unchecked go first", { timeout: 90_000 }, async () => {
    const { db } = current();
    const box = newSecretBox();
    // 30 zero-amount sales, one every 25 days from 2023-01-05 (spanning ~2 years), plus one row in the run's window.
    const dates = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2023, 0, 5) + i * 25 * 86_400_000).toISOString().slice(0, 10));
    const rows = rowsOn([...dates.map((date) => ({ date, kind: "sale" as const, zero: true })), { date: "2025-04-02", kind: "sale" }, { date: "2025-04-02", kind: "purchase" }], 21);
    const t = await tenantWith(db, box, rows);
    // Seen once each (one day listed per date: a two-year list would be mostly empty months).
    let clock = Date.parse("2025-05-01T08:00:00Z");
    const seen: SourceDocument[] = [];
    for (const date of dates) seen.push(...(await t.devpos.listSales({ from: date, to: date })).documents);
    expect((await settleZeroAmounts(db, t.companyId, seen, new Date(clock))).open).toBe(30);

    const checkedIn: Set<string>[] = [];
    while (checkedIn.flatMap((set) => [...set]).length < 30 && checkedIn.length < 4) {
      clock += 3_600_000;
      const before = new Map((await listOpenZeroAmountDocuments(db, t.companyId)).map((r) => [r.sourceKey, r.checks]));
      const r = await run(db, t, APRIL, { now: new Date(clock) });
      expect(r.recheckCalls).toBeLessThanOrEqual(12);
      expect(r.recheck.ranges.length).toBe(r.recheckCalls);
      for (const range of r.recheck.ranges) expect((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1).toBeLessThanOrEqual(31);
      expect(r.recheck.checked + r.recheck.deferred).toBe(30);
      // Every re-read row counted exactly one check, found or not; the others none.
      const after = await listOpenZeroAmountDocuments(db, t.companyId);
      expect(after).toHaveLength(30);
      const rechecked = after.filter((row) => row.checks === before.get(row.sourceKey)! + 1).map((row) => row.sourceKey);
      expect(rechecked).toHaveLength(r.recheck.checked);
      expect(after.every((row) => row.checks === before.get(row.sourceKey)! || row.checks === before.get(row.sourceKey)! + 1)).toBe(true);
      checkedIn.push(new Set(rechecked));
    }
    // 12 calls of 31 days cannot hold 30 dates 25 days apart: the first run leaves some…
    expect(checkedIn[0]!.size).toBeGreaterThanOrEqual(12);
    expect(checkedIn[0]!.size).toBeLessThan(30);
    // …and the next run starts with exactly those, the longest unchecked.
    const waiting = seen.map((d) => d.eic).filter((eic) => !checkedIn[0]!.has(eic));
    expect(waiting.length).toBeLessThanOrEqual(12);
    for (const eic of waiting) expect(checkedIn[1]!.has(eic), eic).toBe(true);
  });

  it("a DevPos failure while re-reading becomes a warning: the run goes on and the rows wait", async () => {
    const { db } = current();
    const box = newSecretBox();
    const rows = rowsOn([
      { date: "2025-01-20", kind: "sale", zero: true },
      { date: "2025-02-20", kind: "purchase", zero: true },
      { date: "2025-04-03", kind: "sale" },
      { date: "2025-04-04", kind: "purchase" },
    ]);
    const t = await tenantWith(db, box, rows);
    await run(db, t, Q1);
    let salesCalls = 0;
    const flaky: DevposReader = {
      listSales: async (window) => {
        salesCalls += 1;
        // The window's own listing works; the re-read of January fails.
        if (window.from === "2025-01-20") throw new Error("DevPos answered 503 three times");
        return t.devpos.listSales(window);
      },
      listPurchases: (window) => t.devpos.listPurchases(window),
    };
    const r = await run(db, t, APRIL, { devpos: flaky });
    expect(salesCalls).toBe(2);
    expect(r.recheck.warnings).toEqual([expect.objectContaining({ code: "zero_amount_recheck_failed", message: expect.stringContaining("2025-01-20..2025-01-20") })]);
    expect(r.recheck.documents.map((d) => d.eic)).toEqual([rows[1]!.eic]);
    expect(r.recheck).toMatchObject({ checked: 1, deferred: 1 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, rows[0]!.eic)).toMatchObject({ status: "open", checks: 1 });
    expect(await findZeroAmountDocumentByEic(db, t.companyId, rows[1]!.eic)).toMatchObject({ status: "open", checks: 2 });
  });
});
