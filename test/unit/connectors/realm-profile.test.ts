import { describe, expect, it } from "vitest";
import { realmProfileFrom } from "../../../src/connectors/qbo/realm-profile.js";

const detail = (...ids: string[]) => ({ TaxRateDetail: ids.map((value) => ({ TaxRateRef: { value }, TaxTypeApplicable: "TaxOnAmount", TaxOrder: 0 })) });

describe("realmProfileFrom", () => {
  const rates = [{ Id: "1", RateValue: 20 }, { Id: "2", RateValue: 20 }, { Id: "3", RateValue: 6 }, { Id: "4", RateValue: "0" }];

  it("reads country, currencies, VAT flags and each code's rates as QuickBooks spells them", () => {
    const profile = realmProfileFrom(
      "9341",
      { CompanyName: "Alfa Shpk", Country: "AL" },
      { TaxPrefs: { UsingSalesTax: "true" }, CurrencyPrefs: { MultiCurrencyEnabled: false, HomeCurrency: { value: "all" } } },
      [
        { Id: "10", Name: "VAT 20%", Active: true, SalesTaxRateList: detail("1"), PurchaseTaxRateList: detail("2") },
        { Id: "11", Name: "Group", Active: true, SalesTaxRateList: detail("1", "3"), PurchaseTaxRateList: detail("2", "3") },
        { Id: "12", Name: "Exempt", Active: false, SalesTaxRateList: detail("4"), PurchaseTaxRateList: detail("4") },
        { Id: "13", Name: "NON" },
      ],
      rates,
    );
    expect(profile).toMatchObject({ realmId: "9341", country: "AL", companyName: "Alfa Shpk", homeCurrency: "ALL", multicurrency: false, vat: true, vatEvidence: "preferences" });
    expect(profile.taxCodes).toEqual([
      { id: "10", name: "VAT 20%", active: true, taxGroup: false, salesRatePercent: 20, purchaseRatePercent: 20 },
      { id: "11", name: "Group", active: true, taxGroup: true, salesRatePercent: 26, purchaseRatePercent: 26 },
      { id: "12", name: "Exempt", active: false, taxGroup: false, salesRatePercent: 0, purchaseRatePercent: 0 },
      { id: "13", name: "NON", active: true, taxGroup: false, salesRatePercent: null, purchaseRatePercent: null },
    ]);
  });

  it("VAT is on when active codes carry rates even if the preferences say nothing, and off otherwise", () => {
    const codes = [{ Id: "10", Name: "VAT 20%", Active: true, SalesTaxRateList: detail("1"), PurchaseTaxRateList: detail("2") }];
    expect(realmProfileFrom("1", {}, {}, codes, rates)).toMatchObject({ vat: true, vatEvidence: "tax_codes", multicurrency: false, homeCurrency: null, country: null });
    expect(realmProfileFrom("1", {}, { TaxPrefs: { UsingSalesTax: false, PartnerTaxEnabled: false } }, [], [])).toMatchObject({ vat: false, vatEvidence: "none" });
  });
});
