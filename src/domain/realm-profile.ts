/**
 * What devsync knows about a QuickBooks company's own settings (its "realm"): read from
 * CompanyInfo, Preferences and the TaxCode/TaxRate lists by connectors/qbo/realm-profile.ts.
 * Pure data, so the tax defaults (tax-defaults.ts) can be chosen and tested without I/O.
 */

export interface RealmTaxCode {
  id: string;
  name: string;
  active: boolean;
  /** A combined code (several rates on one side): never offered as a default. */
  taxGroup: boolean;
  /** Percent of the sales side (`SalesTaxRateList`), null when the code has no sales rate. */
  salesRatePercent: number | null;
  /** Percent of the purchase side (`PurchaseTaxRateList`), null when none. */
  purchaseRatePercent: number | null;
}

export interface RealmProfile {
  realmId: string;
  /** CompanyInfo.Country (`AL` for Albanian companies), null when QuickBooks gives none. */
  country: string | null;
  companyName: string | null;
  /** Preferences.CurrencyPrefs.HomeCurrency, upper-case. */
  homeCurrency: string | null;
  multicurrency: boolean;
  /** VAT/sales tax is on: QuickBooks then rejects a transaction line without a TaxCodeRef (fault 6000). */
  vat: boolean;
  /** Why `vat` is what it is: the Preferences flags, or only active codes that carry rates. */
  vatEvidence: "preferences" | "tax_codes" | "none";
  taxCodes: RealmTaxCode[];
}
