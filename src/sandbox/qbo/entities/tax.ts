import { faults } from "../faults.js";
import { fromCents, taxInGross, taxOnNet, type Cents } from "../money.js";
import type { RealmState } from "../state.js";
import { findEntity, refValue } from "./store.js";

/**
 * Turns line amounts into QBO's totals. All arithmetic is integer cents; tax is computed per
 * tax rate on the summed amounts (how QBO groups TaxLine entries), and for TaxInclusive the
 * gross figure is authoritative so TotalAmt equals exactly what the client sent.
 */
export type TaxMode = "TaxExcluded" | "TaxInclusive" | "NotApplicable";

export interface PricedLine {
  amountCents: Cents; // as sent: net for TaxExcluded/NotApplicable, gross for TaxInclusive
  taxCodeId?: string;
}

export interface TaxRateInfo {
  rateId: string;
  rateName: string;
  percent: number;
}

export interface TotalsResult {
  lineNetCents: Cents[];
  totalCents: Cents;
  taxCents: Cents;
  taxLines: { rate: TaxRateInfo; netCents: Cents; taxCents: Cents }[];
}

/** Looks up the sales or purchase rate behind a TaxCode; unknown codes are invalid references. */
export function taxRateFor(realm: RealmState, taxCodeId: string, side: "sales" | "purchase"): TaxRateInfo {
  const code = findEntity(realm, "TaxCode", taxCodeId);
  if (!code) throw faults.invalidReference("TaxCode", taxCodeId, "TaxCodeRef");
  const list = (side === "sales" ? code.SalesTaxRateList : code.PurchaseTaxRateList) as { TaxRateDetail?: { TaxRateRef?: unknown }[] } | undefined;
  const rateId = refValue(list?.TaxRateDetail?.[0]?.TaxRateRef);
  const rate = rateId ? findEntity(realm, "TaxRate", rateId) : undefined;
  if (!rate) throw faults.business(`Tax code ${String(code.Name)} cannot be used on ${side} transactions.`, "TaxCodeRef");
  return { rateId: rate.Id, rateName: String(rate.Name), percent: Number(rate.RateValue) };
}

export function computeTotals(realm: RealmState, lines: PricedLine[], mode: TaxMode, side: "sales" | "purchase"): TotalsResult {
  if (mode === "NotApplicable" || !realm.prefs.tax) {
    const total = lines.reduce((sum, line) => sum + line.amountCents, 0);
    return { lineNetCents: lines.map((l) => l.amountCents), totalCents: total, taxCents: 0, taxLines: [] };
  }
  const groups = new Map<string, { rate: TaxRateInfo; netCents: Cents; grossCents: Cents }>();
  const lineNetCents: Cents[] = [];
  for (const line of lines) {
    const rate = taxRateFor(realm, line.taxCodeId!, side);
    const net = mode === "TaxInclusive" ? line.amountCents - taxInGross(line.amountCents, rate.percent) : line.amountCents;
    lineNetCents.push(net);
    const group = groups.get(rate.rateId) ?? { rate, netCents: 0, grossCents: 0 };
    group.netCents += net;
    group.grossCents += line.amountCents;
    groups.set(rate.rateId, group);
  }
  const taxLines = [...groups.values()].map((g) => ({
    rate: g.rate,
    netCents: g.netCents,
    taxCents: mode === "TaxInclusive" ? g.grossCents - g.netCents : taxOnNet(g.netCents, g.rate.percent),
  }));
  const netTotal = lineNetCents.reduce((a, b) => a + b, 0);
  const taxCents = taxLines.reduce((a, t) => a + t.taxCents, 0);
  return { lineNetCents, totalCents: netTotal + taxCents, taxCents, taxLines };
}

export function txnTaxDetail(result: TotalsResult): Record<string, unknown> {
  if (result.taxLines.length === 0) return { TotalTax: 0 };
  return {
    TotalTax: fromCents(result.taxCents),
    TaxLine: result.taxLines.map((t) => ({
      Amount: fromCents(t.taxCents),
      DetailType: "TaxLineDetail",
      TaxLineDetail: { TaxRateRef: { value: t.rate.rateId, name: t.rate.rateName }, PercentBased: true, TaxPercent: t.rate.percent, NetAmountTaxable: fromCents(t.netCents) },
    })),
  };
}
