import type { MappingSettings } from "./document-fields.js";
import type { QboEntity, QboGateway } from "./ports.js";

/**
 * The rate (percent) of each tax code a run may put on a line, so a gross can be split into the
 * net `Amount` and the gross `TaxInclusiveAmt` (src/sync/document-fields.ts lineAmounts).
 * `vat_rate_codes` already says the rate of every code it maps; only a company VAT code outside
 * that map costs two reads (TaxCode and TaxRate lists) per run. Mode `none` reads nothing.
 */
export async function taxCodeRatesFor(qbo: QboGateway, settings: MappingSettings): Promise<Record<string, number>> {
  const rates: Record<string, number> = {};
  if (settings.taxMode !== "inclusive") return rates;
  for (const [rate, codeId] of Object.entries(settings.vatRateCodes ?? {})) {
    const percent = Number(rate);
    if (Number.isFinite(percent)) rates[codeId] = percent;
  }
  if (!settings.vatTaxCodeId || rates[settings.vatTaxCodeId] !== undefined) return rates;
  const [codes, taxRates] = await Promise.all([qbo.queryAll<QboEntity>("TaxCode"), qbo.queryAll<QboEntity>("TaxRate")]);
  const ratePercent = new Map(taxRates.map((r) => [String(r.Id), Number(r.RateValue)]));
  for (const code of codes) {
    const percent = codeRate(code, ratePercent);
    if (percent !== undefined && rates[code.Id] === undefined) rates[code.Id] = percent;
  }
  return rates;
}

/**
 * A code's single rate: its sales rate, which must equal its purchase rate when it has both (a
 * code whose two sides differ, or a group of several rates, has no one rate to split by).
 */
function codeRate(code: QboEntity, ratePercent: ReadonlyMap<string, number>): number | undefined {
  const side = (list: unknown): number[] => {
    const details = (list as { TaxRateDetail?: { TaxRateRef?: { value?: unknown } }[] } | undefined)?.TaxRateDetail ?? [];
    return details.map((d) => ratePercent.get(String(d.TaxRateRef?.value))).filter((p): p is number => p !== undefined && Number.isFinite(p));
  };
  const sales = side(code.SalesTaxRateList);
  const purchases = side(code.PurchaseTaxRateList);
  const all = [...sales, ...purchases];
  if (all.length === 0 || sales.length > 1 || purchases.length > 1) return undefined;
  return all.every((p) => p === all[0]) ? all[0] : undefined;
}
