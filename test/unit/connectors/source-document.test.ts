import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalToMinorUnits, localDatePart, normaliseStatus, parseSourceRow } from "../../../src/domain/source-document.js";

const ROW = {
  statusCanBeChanged: true,
  eic: "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF",
  documentNumber: "10/2025",
  invoiceCreatedDate: "2025-10-27T23:59:44+01:00",
  dueDate: "2025-11-26T09:02:44+01:00",
  invoiceStatus: "Dërguar",
  amount: 0.29,
  buyerNuis: "M02345678C",
  buyerName: "DURRES LOGISTICS SHPK",
  sellerNuis: "K12345678A",
  sellerName: "",
  partyType: "Shitje",
  selfIssuingType: null,
  customer: null,
  currencyCode: "eur",
  exchangeRate: "97.35",
  vatCurrency: "ALL",
  baseCurrency: "ALL",
};

describe("decimalToMinorUnits", () => {
  it("converts exactly, without float arithmetic", () => {
    expect(decimalToMinorUnits(0.29)).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(decimalToMinorUnits(1250.75)).toBe(125075);
    expect(decimalToMinorUnits(14400.0)).toBe(1440000);
    expect(decimalToMinorUnits(5200.5)).toBe(520050);
    expect(decimalToMinorUnits("36000.00")).toBe(3600000);
    expect(decimalToMinorUnits(1e21 / 1e10)).toBe(1e13);
    expect(decimalToMinorUnits("1.5e3")).toBe(150000);
    expect(decimalToMinorUnits("-12.345")).toBe(-1235);
    expect(decimalToMinorUnits("0.005")).toBe(1);
    expect(decimalToMinorUnits("0.0049")).toBe(0);
    expect(decimalToMinorUnits(1e-7)).toBe(0);
    expect(decimalToMinorUnits("-0.001")).toBe(0);
    expect(decimalToMinorUnits(".5")).toBe(50);
    expect(decimalToMinorUnits("7.")).toBe(700);
  });

  it("rejects what is not a finite decimal", () => {
    for (const bad of ["", "abc", "1,5", "1.2.3", "--1", Number.NaN, Number.POSITIVE_INFINITY, "1e400"]) {
      expect(() => decimalToMinorUnits(bad as number | string)).toThrow();
    }
  });

  it("agrees with integer arithmetic on every amount with two decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const text = `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
        expect(decimalToMinorUnits(text)).toBe(cents === 0 ? 0 : cents);
        expect(decimalToMinorUnits(Number(text))).toBe(cents === 0 ? 0 : cents);
      }),
    );
  });
});

describe("parseSourceRow", () => {
  it("normalises a full row and ignores vatCurrency/baseCurrency", () => {
    const result = parseSourceRow(ROW, "sale");
    expect(result).toEqual({
      ok: true,
      warnings: [],
      document: {
        eic: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
        kind: "sale",
        documentNumber: "10/2025",
        issuedAt: "2025-10-27T23:59:44+01:00",
        txnDate: "2025-10-27",
        dueDate: "2025-11-26",
        status: "sent",
        statusText: "Dërguar",
        amountMinor: 29,
        currency: "EUR",
        exchangeRate: 97.35,
        vatRate: null,
        buyer: { nuis: "M02345678C", name: "DURRES LOGISTICS SHPK" },
        seller: { nuis: "K12345678A", name: null },
        selfIssued: false,
        selfIssuingType: null,
        customer: null,
        statusCanBeChanged: true,
        partyType: "Shitje",
      },
    });
  });

  it("is tolerant of missing optional fields", () => {
    const result = parseSourceRow({ eic: ROW.eic, invoiceCreatedDate: "2025-10-27T09:02:44+01:00" }, "purchase");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document).toMatchObject({ documentNumber: null, dueDate: null, amountMinor: null, currency: null, exchangeRate: null, status: "other", selfIssued: false, customer: null, statusCanBeChanged: null });
    expect(result.warnings).toEqual([]);
  });

  it("keeps odd optional values out with a warning instead of failing the row", () => {
    const result = parseSourceRow({ ...ROW, amount: "n/a", dueDate: "soon", currencyCode: "EURO", exchangeRate: -1, vatRate: "twenty" }, "sale");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document).toMatchObject({ amountMinor: null, dueDate: null, currency: null, exchangeRate: null, vatRate: null });
    expect(parseSourceRow({ ...ROW, vatRate: "6" }, "sale")).toMatchObject({ ok: true, document: { vatRate: 6 } });
    expect(result.warnings).toHaveLength(5);
  });

  it("is strict on the EIC and the invoice date", () => {
    expect(parseSourceRow({ ...ROW, eic: undefined }, "sale")).toMatchObject({ ok: false, eic: null });
    expect(parseSourceRow({ ...ROW, eic: "9/2025" }, "sale")).toMatchObject({ ok: false, eic: "9/2025" });
    expect(parseSourceRow({ ...ROW, invoiceCreatedDate: undefined }, "sale")).toMatchObject({ ok: false });
    expect(parseSourceRow({ ...ROW, invoiceCreatedDate: "27/10/2025" }, "sale")).toMatchObject({ ok: false });
    expect(parseSourceRow({ ...ROW, invoiceCreatedDate: "2025-02-30T10:00:00+01:00" }, "sale")).toMatchObject({ ok: false });
    expect(parseSourceRow(null, "sale")).toMatchObject({ ok: false });
  });

  it("self-issued only on sales rows, with the nested customer", () => {
    const row = { ...ROW, selfIssuingType: "AGREEMENT", customer: { name: "Arben Hoxha", idNumber: "I85203411P" } };
    expect(parseSourceRow(row, "sale")).toMatchObject({ ok: true, document: { selfIssued: true, customer: { name: "Arben Hoxha", idNumber: "I85203411P" } } });
    expect(parseSourceRow(row, "purchase")).toMatchObject({ ok: true, document: { selfIssued: false, selfIssuingType: null } });
  });

  it("takes the date part as written, with no time-zone conversion", () => {
    expect(localDatePart("2025-10-27T23:59:44-11:00")).toBe("2025-10-27");
    expect(localDatePart("2025-03-30T00:30:00+01:00")).toBe("2025-03-30");
    expect(localDatePart("2025-10-27")).toBe("2025-10-27");
    expect(localDatePart("2025-13-01T00:00:00Z")).toBeNull();
  });

  it("reads statuses in any case, with or without diacritics", () => {
    expect(["Refuzuar", "REFUZUAR", " refuzuar "].map(normaliseStatus)).toEqual(["rejected", "rejected", "rejected"]);
    expect(["Dërguar", "Derguar", "DËRGUAR"].map(normaliseStatus)).toEqual(["sent", "sent", "sent"]);
    expect(normaliseStatus("Pranuar")).toBe("accepted");
    expect(normaliseStatus("Anuluar")).toBe("other");
  });
});
