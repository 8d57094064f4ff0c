import type { RealmProfile, RealmTaxCode } from "../../domain/realm-profile.js";
import type { QboClient } from "./qbo-client.js";

type Row = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const isTrue = (v: unknown): boolean => v === true || v === "true";
const record = (v: unknown): Row => (v && typeof v === "object" && !Array.isArray(v) ? (v as Row) : {});
const list = (v: unknown): Row[] => (Array.isArray(v) ? v.filter((x): x is Row => !!x && typeof x === "object") : []);

/**
 * Reads a realm's own settings: CompanyInfo (country, name), Preferences (VAT and currency) and
 * the TaxCode and TaxRate lists: up to four reads, which Intuit meters, so callers read it on
 * connect, on a re-check and in `devsync doctor`, never per sync.
 */
export async function readRealmProfile(client: Pick<QboClient, "companyInfo" | "request" | "queryAll">, realmId: string): Promise<RealmProfile> {
  const info = await client.companyInfo();
  const prefs = record((await client.request({ method: "GET", path: "/preferences", kind: "read" })).Preferences);
  const taxCodes = await client.queryAll<Row>("TaxCode");
  // Rates are only worth a read when some code points at one.
  const rates = taxCodes.some((c) => rateIds(c).length > 0) ? await client.queryAll<Row>("TaxRate") : [];
  return realmProfileFrom(realmId, info, prefs, taxCodes, rates);
}

/** The profile from the four answers, as QuickBooks spells them (exported for unit tests). */
export function realmProfileFrom(realmId: string, info: Row, prefs: Row, taxCodeRows: Row[], taxRateRows: Row[]): RealmProfile {
  const ratePercent = new Map<string, number>();
  for (const rate of taxRateRows) {
    const value = Number(rate.RateValue);
    if (rate.Id !== undefined && Number.isFinite(value)) ratePercent.set(String(rate.Id), value);
  }
  const taxCodes = taxCodeRows.map((row) => taxCodeFrom(row, ratePercent));
  const taxPrefs = record(prefs.TaxPrefs);
  const currencyPrefs = record(prefs.CurrencyPrefs);
  const byPreferences = isTrue(taxPrefs.UsingSalesTax) || isTrue(taxPrefs.PartnerTaxEnabled);
  const byCodes = taxCodes.some((c) => c.active && ((c.salesRatePercent ?? 0) > 0 || (c.purchaseRatePercent ?? 0) > 0));
  const home = text(record(currencyPrefs.HomeCurrency).value);
  return {
    realmId,
    country: text(info.Country),
    companyName: text(info.CompanyName) ?? text(info.LegalName),
    homeCurrency: home ? home.toUpperCase() : null,
    multicurrency: isTrue(currencyPrefs.MultiCurrencyEnabled),
    vat: byPreferences || byCodes,
    vatEvidence: byPreferences ? "preferences" : byCodes ? "tax_codes" : "none",
    taxCodes,
  };
}

function rateIds(code: Row, side?: "SalesTaxRateList" | "PurchaseTaxRateList"): string[] {
  const sides = side ? [side] : (["SalesTaxRateList", "PurchaseTaxRateList"] as const);
  return sides.flatMap((s) => list(record(code[s]).TaxRateDetail).map((d) => record(d.TaxRateRef).value).filter((v) => v !== undefined).map(String));
}

function taxCodeFrom(row: Row, ratePercent: Map<string, number>): RealmTaxCode {
  const side = (name: "SalesTaxRateList" | "PurchaseTaxRateList") => {
    const ids = rateIds(row, name);
    if (ids.length === 0 || ids.some((id) => !ratePercent.has(id))) return { percent: null, count: ids.length };
    return { percent: ids.reduce((sum, id) => sum + ratePercent.get(id)!, 0), count: ids.length };
  };
  const sales = side("SalesTaxRateList");
  const purchase = side("PurchaseTaxRateList");
  return {
    id: String(row.Id),
    name: text(row.Name) ?? String(row.Id),
    active: row.Active !== false && row.Active !== "false",
    taxGroup: isTrue(row.TaxGroup) || sales.count > 1 || purchase.count > 1,
    salesRatePercent: sales.percent,
    purchaseRatePercent: purchase.percent,
  };
}
