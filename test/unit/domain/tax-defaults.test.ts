import { describe, expect, it } from "vitest";
import type { RealmProfile, RealmTaxCode } from "../../../src/domain/realm-profile.js";
import { chooseTaxDefaults } from "../../../src/domain/tax-defaults.js";

const code = (id: string, name: string, sales: number | null, purchase: number | null = sales, extra: Partial<RealmTaxCode> = {}): RealmTaxCode => ({
  id, name, active: true, taxGroup: false, salesRatePercent: sales, purchaseRatePercent: purchase, ...extra,
});

const profile = (taxCodes: RealmTaxCode[], extra: Partial<RealmProfile> = {}): RealmProfile => ({
  realmId: "9341000000000001",
  country: "AL",
  companyName: "Test Shpk",
  homeCurrency: "ALL",
  multicurrency: true,
  vat: true,
  vatEvidence: "preferences",
  taxCodes,
  ...extra,
});

const home = { homeCurrency: "ALL" };
const albanian = [code("5", "VAT 20%", 20), code("8", "VAT 6%", 6), code("11", "Exempt 0%", 0)];

describe("chooseTaxDefaults", () => {
  it("VAT on: inclusive, the 20 % code, and a code per rate", () => {
    const result = chooseTaxDefaults(profile(albanian), home);
    expect(result.choice).toEqual({ taxMode: "inclusive", vatTaxCodeId: "5", vatRateCodes: { "20": "5", "6": "8", "0": "11" } });
    expect(result.reasons.join(" ")).toContain("Standard rate 20 % → code 'VAT 20%'");
    expect(result.reasons[0]).toContain("VAT on");
    expect(result.warnings).toEqual([]);
  });

  it("VAT off: tax mode none, no codes", () => {
    const result = chooseTaxDefaults(profile([], { vat: false, vatEvidence: "none" }), home);
    expect(result.choice).toEqual({ taxMode: "none", vatTaxCodeId: null, vatRateCodes: null });
    expect(result.reasons[0]).toContain("VAT off");
    expect(result.warnings).toEqual([]);
  });

  it("no 20 % code: the highest rate, with a warning that says so", () => {
    const result = chooseTaxDefaults(profile([code("2", "Reduced 6%", 6), code("3", "Reduced 10%", 10), code("4", "Zero", 0)]), home);
    expect(result.choice).toEqual({ taxMode: "inclusive", vatTaxCodeId: "3", vatRateCodes: { "10": "3", "6": "2", "0": "4" } });
    expect(result.reasons.join(" ")).toContain("No code carries 20 %; the highest rate, 10 %, → code 'Reduced 10%'");
    expect(result.warnings.map((w) => w.code)).toEqual(["no_standard_rate"]);
  });

  it("two codes with one rate: that rate is left out of the map, the VAT code is the first by id, and a warning names both", () => {
    const result = chooseTaxDefaults(profile([code("12", "TVSH 20% B", 20), code("9", "TVSH 20% A", 20), code("8", "VAT 6%", 6), code("14", "Zero A", 0), code("15", "Zero B", 0)]), home);
    expect(result.choice).toEqual({ taxMode: "inclusive", vatTaxCodeId: "9", vatRateCodes: { "6": "8" } });
    const ambiguous = result.warnings.filter((w) => w.code === "ambiguous_rate").map((w) => w.message);
    expect(ambiguous).toHaveLength(2);
    expect(ambiguous[0]).toContain("'TVSH 20% A' and 'TVSH 20% B'");
    expect(ambiguous[1]).toContain("0 %");
  });

  it("ignores tax groups, inactive codes and codes whose sales and purchase rates differ", () => {
    const result = chooseTaxDefaults(
      profile([
        code("1", "Group 20+6", 26, 26, { taxGroup: true }),
        code("2", "Old 20%", 20, 20, { active: false }),
        code("3", "Sales only 20%", 20, null),
        code("4", "Split 20/6", 20, 6),
        code("5", "VAT 20%", 20),
        code("6", "Group 20 again", 20, 20, { taxGroup: true }),
      ]),
      home,
    );
    expect(result.choice).toEqual({ taxMode: "inclusive", vatTaxCodeId: "5", vatRateCodes: { "20": "5" } });
    expect(result.warnings).toEqual([]);
    expect(result.reasons.join(" ")).toContain("Tax groups are not used: 'Group 20+6', 'Group 20 again'");
  });

  it("VAT on without any usable code: inclusive with no code and a warning to choose one", () => {
    const result = chooseTaxDefaults(profile([code("1", "Group", 20, 20, { taxGroup: true })]), home);
    expect(result.choice).toEqual({ taxMode: "inclusive", vatTaxCodeId: null, vatRateCodes: null });
    expect(result.warnings.map((w) => w.code)).toEqual(["no_vat_code"]);
  });

  it("warns when multicurrency is off and when the home currencies differ", () => {
    const off = chooseTaxDefaults(profile(albanian, { multicurrency: false }), home);
    expect(off.warnings.map((w) => w.code)).toEqual(["multicurrency_off"]);
    expect(off.warnings[0]!.message).toContain("documents in a currency other than ALL will fail until multicurrency is switched on in QuickBooks");
    const euro = chooseTaxDefaults(profile(albanian, { homeCurrency: "EUR" }), home);
    expect(euro.warnings.map((w) => w.code)).toEqual(["home_currency_mismatch"]);
    expect(euro.warnings[0]!.message).toContain("QuickBooks' home currency is EUR but this company's is ALL");
  });

  it("says when VAT was inferred from the tax codes rather than the preferences", () => {
    const result = chooseTaxDefaults(profile(albanian, { vatEvidence: "tax_codes" }), home);
    expect(result.reasons[0]).toContain("active tax codes with rates");
    expect(result.choice.taxMode).toBe("inclusive");
  });
});
