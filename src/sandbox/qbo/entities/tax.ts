import { faults } from "../faults.js";
import { fromCents, taxInGross, taxOnNet, type Cents } from "../money.js";
import type { RealmState } from "../state.js";
import { findEntity, refValue } from "./store.js";

/**
 * Turns line amounts into QBO's totals. All arithmetic is integer cents; tax is computed per
 * tax rate on the summed amounts (how QBO groups TaxLine entries).
 *
 * As Intuit documents the line fields (docs/domain.md "Tax inclusive"): `Line.Amount` is the
 * line amount before tax whatever GlobalTaxCalculation says; under TaxInclusive a line that
 * carries `TaxInclusiveAmt` (SalesItemLineDetail, AccountBasedExpenseLineDetail,
 * ItemBasedExpenseLineDetail) states its gross, which is then authoritative: the tax is the part
 * contained in it and TotalAmt equals the grosses sent. A TaxInclusive line WITHOUT
 * TaxInclusiveAmt is taken as net and the tax is added on top: sending a gross as Amount books
 * the VAT twice.
 */
export type TaxMode = "TaxExcluded" | "TaxInclusive" | "NotApplicable";

export interface PricedLine {
  /** Line.Amount as sent: the amount before tax. */
  amountCents: Cents;
  /** TaxInclusiveAmt as sent (TaxInclusive only): the gross, authoritative when present. */
  grossCents?: Cents;
  taxCodeId?: string;
}

export interface TaxRateInfo {
  rateId: string;
  rateName: string;
  percent: number;
}

export interface TotalsResult {
  lineNetCents: Cents[];
  /** Each line's amount with its tax (what QBO shows as TaxInclusiveAmt). */
  lineGrossCents: Cents[];
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
    return { lineNetCents: lines.map((l) => l.amountCents), lineGrossCents: lines.map((l) => l.amountCents), totalCents: total, taxCents: 0, taxLines: [] };
  }
  // Per rate: lines stated gross contribute the tax inside their gross; lines stated net are
  // summed and taxed once, as QBO rounds tax per rate, not per line.
  const groups = new Map<string, { rate: TaxRateInfo; netCents: Cents; grossTaxCents: Cents; netOnlyCents: Cents }>();
  const lineNetCents: Cents[] = [];
  const lineGrossCents: Cents[] = [];
  for (const line of lines) {
    const rate = taxRateFor(realm, line.taxCodeId!, side);
    const group = groups.get(rate.rateId) ?? { rate, netCents: 0, grossTaxCents: 0, netOnlyCents: 0 };
    if (mode === "TaxInclusive" && line.grossCents !== undefined) {
      const tax = taxInGross(line.grossCents, rate.percent);
      lineNetCents.push(line.grossCents - tax);
      lineGrossCents.push(line.grossCents);
      group.netCents += line.grossCents - tax;
      group.grossTaxCents += tax;
    } else {
      lineNetCents.push(line.amountCents);
      lineGrossCents.push(line.amountCents + taxOnNet(line.amountCents, rate.percent));
      group.netCents += line.amountCents;
      group.netOnlyCents += line.amountCents;
    }
    groups.set(rate.rateId, group);
  }
  const taxLines = [...groups.values()].map((g) => ({
    rate: g.rate,
    netCents: g.netCents,
    taxCents: g.grossTaxCents + taxOnNet(g.netOnlyCents, g.rate.percent),
  }));
  const netTotal = lineNetCents.reduce((a, b) => a + b, 0);
  const taxCents = taxLines.reduce((a, t) => a + t.taxCents, 0);
  return { lineNetCents, lineGrossCents, totalCents: netTotal + taxCents, taxCents, taxLines };
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
