import { describe, expect, it } from "vitest";
import { parseSourceRow, type SourceDocument } from "../../../src/domain/source-document.js";
import type { DocumentLink } from "../../../src/storage/repos/document-links.js";
import { contentHash } from "../../../src/sync/content-hash.js";
import { coveredByJob, linkKey, planDocuments, planOne } from "../../../src/sync/plan.js";

const row = {
  statusCanBeChanged: false, eic: "3f6c1d2a-8b4e-4f1a-9c7d-2e5b6a7c8d90", documentNumber: "9/2025", invoiceCreatedDate: "2025-10-26T17:35:12+01:00",
  dueDate: null, invoiceStatus: "Pranuar", amount: 14400.0, buyerNuis: "L91234567B", buyerName: "ALBA TRADE SHPK", sellerNuis: "K12345678A",
  sellerName: "", partyType: "Shitje", selfIssuingType: null, customer: null, currencyCode: null, exchangeRate: null,
};
const doc = (over: Record<string, unknown> = {}, kind: "sale" | "purchase" = "sale"): SourceDocument => {
  const r = parseSourceRow({ ...row, ...over }, kind);
  if (!r.ok) throw new Error(r.reason);
  return r.document;
};
const link = (d: SourceDocument, over: Partial<DocumentLink> = {}): DocumentLink => ({
  id: 1, companyId: 1, kind: d.kind, sourceKey: d.eic, docNumber: d.documentNumber, qboType: "Invoice", qboId: "130", syncToken: "0",
  contentHash: contentHash(d, "ALL"), state: "synced", requestId: "x-g1", txnDate: d.txnDate, amountMinor: d.amountMinor, currency: "ALL",
  lastRunId: 1, voidedAt: null, inputHash: null, lastError: null, lastErrorAt: null, failedAttempts: 0, createdAt: new Date(), updatedAt: new Date(), ...over,
});

describe("plan", () => {
  it("new → create; same hash → unchanged; changed → update", () => {
    const d = doc();
    expect(planOne(d, undefined, "ALL").action).toBe("create");
    expect(planOne(d, link(d), "ALL").action).toBe("unchanged");
    expect(planOne(doc({ amount: 1 }), link(d), "ALL").action).toBe("update");
  });

  it("rejected: not created, voided when synced as an invoice, flagged when a bill, nothing once voided", () => {
    const r = doc({ invoiceStatus: "REFUZUAR" });
    expect(planOne(r, undefined, "ALL")).toMatchObject({ action: "skip", reason: "rejected" });
    expect(planOne(r, link(r), "ALL").action).toBe("void");
    expect(planOne(r, link(r, { qboType: "Bill" }), "ALL").action).toBe("attention");
    expect(planOne(r, link(r, { voidedAt: new Date() }), "ALL").action).toBe("unchanged");
  });

  it("zero or missing amounts are never created nor written over a synced document", () => {
    expect(planOne(doc({ amount: 0 }), undefined, "ALL")).toMatchObject({ action: "skip", reason: "zero_amount" });
    expect(planOne(doc({ amount: null }), undefined, "ALL")).toMatchObject({ action: "skip", reason: "zero_amount" });
    const d = doc();
    expect(planOne(doc({ amount: 0 }), link(d), "ALL")).toMatchObject({ action: "skip", reason: "zero_amount" });
  });

  it("pending links are resolved first", () => {
    const d = doc();
    expect(planOne(d, link(d, { state: "pending", qboId: null }), "ALL").action).toBe("resolve");
  });

  it("counts by action and covers job types", () => {
    const a = doc();
    const b = doc({ eic: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff" });
    const plan = planDocuments([a, b], new Map([[linkKey("sale", a.eic), link(a)]]), "ALL");
    expect(plan.counts).toMatchObject({ unchanged: 1, create: 1 });
    const self = doc({ selfIssuingType: "AGREEMENT", customer: { name: "A", idNumber: "I1" } });
    expect(coveredByJob(a, "sales")).toBe(true);
    expect(coveredByJob(self, "sales")).toBe(false);
    expect(coveredByJob(self, "bills")).toBe(true);
    expect(coveredByJob(doc({}, "purchase"), "bills")).toBe(true);
    expect(coveredByJob(doc({}, "purchase"), "full")).toBe(true);
  });
});
