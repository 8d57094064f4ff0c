import type { RealmState } from "../state.js";
import { intuitMetaTime } from "../time.js";

/** CompanyInfo and Preferences: the settings devsync reads to decide currency and tax handling. */
export function companyInfo(realm: RealmState): Record<string, unknown> {
  const created = intuitMetaTime(realm.createdAt);
  return {
    CompanyName: realm.prefs.companyName,
    LegalName: realm.prefs.companyName,
    CompanyAddr: { Id: "1", Line1: "Rruga e Kavajës", City: "Tiranë", Country: "AL", PostalCode: "1001" },
    Country: "AL",
    SupportedLanguages: "en",
    DefaultTimeZone: "Europe/Tirane",
    FiscalYearStartMonth: "January",
    CompanyStartDate: created.slice(0, 10),
    NameValue: [{ Name: "NeoEnabled", Value: "true" }, { Name: "OfferingSku", Value: "QuickBooks Online Plus" }],
    domain: "QBO",
    sparse: false,
    Id: "1",
    SyncToken: "0",
    MetaData: { CreateTime: created, LastUpdatedTime: created },
  };
}

export function preferences(realm: RealmState): Record<string, unknown> {
  const created = intuitMetaTime(realm.createdAt);
  return {
    AccountingInfoPrefs: { TrackDepartments: false, ClassTrackingPerTxn: false, CustomerTerminology: "Customers" },
    SalesFormsPrefs: { CustomTxnNumbers: true, AllowDeposit: false, AllowDiscount: false, AllowShipping: false },
    VendorAndPurchasesPrefs: { BillableExpenseTracking: false },
    TaxPrefs: { UsingSalesTax: realm.prefs.tax, PartnerTaxEnabled: realm.prefs.tax },
    CurrencyPrefs: { MultiCurrencyEnabled: realm.prefs.multicurrency, HomeCurrency: { value: realm.prefs.homeCurrency } },
    OtherPrefs: { NameValue: [{ Name: "SalesFormsPrefs.DefaultTaxCodeRef", Value: "" }] },
    domain: "QBO",
    sparse: false,
    Id: "1",
    SyncToken: "0",
    MetaData: { CreateTime: created, LastUpdatedTime: created },
  };
}
