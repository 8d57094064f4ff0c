import { describe, expect, it } from "vitest";
import { localDateOf } from "../../../src/sandbox/devpos/tirane-time.js";
import { EIC_PATTERN, NUIS_PATTERN, createRng, generateCompany, generateDocuments, generatePerson } from "../../../src/sandbox/generator/index.js";

const base = { tenantNuis: "K12345678A", tenantName: "KOMPANIA DEMO SHPK", from: "2025-01-01", to: "2025-12-31" };

describe("generateDocuments", () => {
  it("is deterministic by seed", () => {
    const a = generateDocuments({ ...base, seed: 42, count: 300 });
    const b = generateDocuments({ ...base, seed: 42, count: 300 });
    const c = generateDocuments({ ...base, seed: 43, count: 300 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("produces production-shaped rows inside the local date range", () => {
    const docs = generateDocuments({ ...base, seed: 1, count: 500, from: "2025-03-28", to: "2025-04-02" });
    for (const { row, kind } of docs) {
      expect(row.eic).toMatch(EIC_PATTERN);
      expect(row.invoiceCreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
      expect(localDateOf(row.invoiceCreatedDate)! >= "2025-03-28" && localDateOf(row.invoiceCreatedDate)! <= "2025-04-02").toBe(true);
      expect(row.vatCurrency).toBe("ALL");
      expect(row.baseCurrency).toBe("ALL");
      if (kind === "sales") {
        expect(row.partyType).toBe("Shitje");
        expect(row.sellerNuis).toBe(base.tenantNuis);
        expect(row.sellerName).toBe("");
        expect(row).toHaveProperty("selfIssuingType");
        expect(row).toHaveProperty("customer");
      } else {
        expect(row.partyType).toBe("Blerje");
        expect(row.buyerNuis).toBe(base.tenantNuis);
        expect(row.buyerName).toBe(base.tenantName);
        expect(row).not.toHaveProperty("customer");
      }
      expect(row.sellerNuis).toMatch(NUIS_PATTERN);
    }
    // Both offsets appear across the DST change (30 March 2025, 02:00 → 03:00).
    expect(docs.some((d) => d.row.invoiceCreatedDate.endsWith("+01:00"))).toBe(true);
    expect(docs.some((d) => d.row.invoiceCreatedDate.endsWith("+02:00"))).toBe(true);
  });

  it("keeps amounts exact to the cent, and the true amount behind zero-amount rows", () => {
    const docs = generateDocuments({ ...base, seed: 7, count: 2000 });
    for (const { row, trueAmount } of docs) {
      expect(Math.round(trueAmount * 100) / 100).toBe(trueAmount);
      expect(Number.isInteger(Math.round(trueAmount * 100))).toBe(true);
      expect(trueAmount).toBeGreaterThan(0);
      expect(row.amount === 0 || row.amount === trueAmount).toBe(true);
    }
    expect(docs.some((d) => d.trueAmount.toFixed(2).slice(-2) !== "00")).toBe(true);
  });

  it("produces the edge cases at roughly the configured rates", () => {
    const count = 4000;
    const edgeCases = { foreignCurrencyRate: 0.2, selfIssuedRate: 0.1, rejectedRate: 0.1, zeroAmountRate: 0.05, longDocNumberRate: 0.05, repeatedDocNumbers: 0.05 };
    const docs = generateDocuments({ ...base, seed: 99, count, edgeCases });
    const share = (pred: (d: (typeof docs)[number]) => boolean, of = docs) => of.filter(pred).length / of.length;
    const sales = docs.filter((d) => d.kind === "sales");
    expect(share((d) => d.row.currencyCode !== undefined)).toBeCloseTo(0.2, 1);
    expect(share((d) => d.row.selfIssuingType != null, sales)).toBeCloseTo(0.1, 1);
    expect(share((d) => d.row.invoiceStatus === "Refuzuar")).toBeCloseTo(0.1, 1);
    expect(share((d) => d.row.amount === 0)).toBeCloseTo(0.05, 1);
    expect(share((d) => d.row.documentNumber.length > 21)).toBeCloseTo(0.05, 1);

    for (const { row } of docs.filter((d) => d.row.currencyCode)) {
      expect(["EUR", "USD"]).toContain(row.currencyCode);
      const [lo, hi] = row.currencyCode === "EUR" ? [97, 105] : [88, 98];
      expect(row.exchangeRate).toBeGreaterThanOrEqual(lo);
      expect(row.exchangeRate).toBeLessThanOrEqual(hi);
    }
    for (const { row } of docs.filter((d) => d.row.selfIssuingType != null)) {
      expect(row.customer?.name).toMatch(/^[A-Z][a-zë]+ [A-Z][a-zë]+$/);
      expect(row.buyerNuis).toBe(base.tenantNuis);
    }
    const bySeller = new Map<string, string[]>();
    for (const { row } of docs) bySeller.set(row.sellerNuis, [...(bySeller.get(row.sellerNuis) ?? []), row.documentNumber]);
    const withinSeller = [...bySeller.values()].some((nums) => new Set(nums).size < nums.length);
    const numberToSellers = new Map<string, Set<string>>();
    for (const { row } of docs) numberToSellers.set(row.documentNumber, (numberToSellers.get(row.documentNumber) ?? new Set()).add(row.sellerNuis));
    expect(withinSeller).toBe(true);
    expect([...numberToSellers.values()].some((s) => s.size > 1)).toBe(true);
    expect(new Set(docs.map((d) => d.row.eic)).size).toBe(count);
  });

  it("turns every edge case off when the rates are 0", () => {
    const zero = { foreignCurrencyRate: 0, selfIssuedRate: 0, rejectedRate: 0, zeroAmountRate: 0, longDocNumberRate: 0, repeatedDocNumbers: 0 };
    const docs = generateDocuments({ ...base, seed: 5, count: 500, edgeCases: zero });
    expect(docs.every((d) => !d.row.currencyCode && d.row.invoiceStatus !== "Refuzuar" && d.row.amount > 0 && d.row.documentNumber.length <= 21)).toBe(true);
  });
});

describe("parties", () => {
  it("generates NUIS-shaped ids and Albanian names", () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const company = generateCompany(rng);
      expect(company.nuis).toMatch(/^[A-Z]\d{8}[A-Z]$/);
      expect(company.name).toMatch(/ (SHPK|SHA)$/);
      expect(generatePerson(rng).idNumber).toMatch(/^[A-Z]\d{8}[A-Z]$/);
    }
  });
});
