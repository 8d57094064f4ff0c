import type { RandomSource } from "./rng.js";
import { emptyEntities, emptyStats, type RealmPrefs, type RealmState } from "./state.js";
import { insertEntity } from "./entities/store.js";
import { currencyName } from "./currencies.js";

export interface CreateRealmOptions {
  companyName?: string;
  multicurrency?: boolean;
  tax?: boolean;
  homeCurrency?: string;
}

/**
 * A fresh company as an Albanian QBO subscription looks after setup: a chart of accounts with
 * income, expense and Accounts Payable, two items, and (with VAT on) the 20 %, 6 %, 0 % and 10 % codes.
 * Real ids look like 9130 3486 5186 6736, so generated ones do too.
 */
export function seedRealm(random: RandomSource, now: number, options: CreateRealmOptions = {}): RealmState {
  const realmId = `9341${random.token(12, "0123456789")}`;
  const prefs: RealmPrefs = {
    companyName: options.companyName ?? `Sandbox Company ${realmId.slice(-4)}`,
    multicurrency: options.multicurrency ?? true,
    tax: options.tax ?? true,
    homeCurrency: options.homeCurrency ?? "ALL",
  };
  const realm: RealmState = {
    realmId,
    prefs,
    createdAt: now,
    nextId: {},
    entities: emptyEntities(),
    deleted: {},
    requestIds: {},
    created: [],
    stats: emptyStats(),
  };
  const home = { value: prefs.homeCurrency, name: currencyName(prefs.homeCurrency) };
  const account = (Name: string, AccountType: string, AccountSubType: string, Classification: string) =>
    insertEntity(realm, "Account", { Name, FullyQualifiedName: Name, AccountType, AccountSubType, Classification, Active: true, SubAccount: false, CurrentBalance: 0, CurrentBalanceWithSubAccounts: 0, CurrencyRef: home }, now);

  const sales = account("Sales", "Income", "SalesOfProductIncome", "Revenue");
  const services = account("Services", "Income", "ServiceFeeIncome", "Revenue");
  const purchases = account("Purchases", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense");
  account("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "Expense");
  account("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability");
  account("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "Asset");

  const item = (Name: string, income: string, expense: string) =>
    insertEntity(realm, "Item", { Name, FullyQualifiedName: Name, Type: "Service", Active: true, Taxable: false, UnitPrice: 0, IncomeAccountRef: { value: income, name: "" }, ExpenseAccountRef: { value: expense, name: "" } }, now);
  item("Services", services.Id, purchases.Id);
  item("Sales", sales.Id, purchases.Id);

  if (prefs.tax) {
    for (const [name, rate] of [["VAT 20%", 20], ["VAT 6%", 6], ["Exempt 0%", 0], ["VAT 10%", 10]] as const) {
      const sale = insertEntity(realm, "TaxRate", { Name: `${name} (sales)`, RateValue: rate, Active: true, AgencyRef: { value: "1" }, SpecialTaxType: rate === 0 ? "ZERO_RATE" : "NONE", DisplayType: "ReadOnly" }, now);
      const purchase = insertEntity(realm, "TaxRate", { Name: `${name} (purchases)`, RateValue: rate, Active: true, AgencyRef: { value: "1" }, SpecialTaxType: rate === 0 ? "ZERO_RATE" : "NONE", DisplayType: "ReadOnly" }, now);
      const detail = (rateId: string, rateName: string) => ({ TaxRateDetail: [{ TaxRateRef: { value: rateId, name: rateName }, TaxTypeApplicable: "TaxOnAmount", TaxOrder: 0 }] });
      insertEntity(realm, "TaxCode", {
        Name: name, Description: `Albanian ${name}`, Active: true, Hidden: false, Taxable: rate > 0, TaxGroup: false,
        SalesTaxRateList: detail(sale.Id, sale.Name as string), PurchaseTaxRateList: detail(purchase.Id, purchase.Name as string),
      }, now);
    }
  }
  return realm;
}
