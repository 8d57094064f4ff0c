import { faults } from "../faults.js";
import { fromCents, toCents, toHomeCents } from "../money.js";
import type { QboEntity, RealmState } from "../state.js";
import { intuitDate } from "../time.js";
import { checkLength, resolveCurrency } from "./common.js";
import { findEntity, refValue } from "./store.js";
import { computeTotals, txnTaxDetail, type PricedLine, type TaxMode } from "./tax.js";

/**
 * Invoice and Bill validation and totals, in the order QBO reports problems: required fields,
 * lengths, references, currency, VAT codes; then amounts are recomputed server-side (clients
 * never set TotalAmt).
 */
export type TxnKind = "Invoice" | "Bill";

const PARTY = { Invoice: { ref: "CustomerRef", entity: "Customer" }, Bill: { ref: "VendorRef", entity: "Vendor" } } as const;
const LINE_DETAILS = {
  Invoice: ["SalesItemLineDetail"],
  Bill: ["AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"],
} as const;
const MODES: TaxMode[] = ["TaxExcluded", "TaxInclusive", "NotApplicable"];

export interface TxnOptions {
  now: number;
  allowDuplicateDocNumber: boolean;
}

function ref(realm: RealmState, entity: "Customer" | "Vendor" | "Item" | "Account", value: unknown, element: string): QboEntity {
  const id = refValue(value);
  if (id === undefined) throw faults.requiredMissing(element);
  const found = findEntity(realm, entity, id);
  if (!found || found.Active === false) throw faults.invalidReference(entity, id, element);
  return found;
}

const nameOf = (e: QboEntity) => String(e.DisplayName ?? e.Name ?? "");

export function prepareTransactionBody(realm: RealmState, kind: TxnKind, body: Record<string, unknown>, previous: QboEntity | undefined, options: TxnOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  checkLength(out, "DocNumber", 21);
  checkLength(out, "PrivateNote", 4000);
  const party = PARTY[kind];
  const partyEntity = ref(realm, party.entity, out[party.ref], party.ref);
  out[party.ref] = { value: partyEntity.Id, name: nameOf(partyEntity) };

  if (kind === "Invoice" && typeof out.DocNumber === "string" && out.DocNumber !== "" && !options.allowDuplicateDocNumber) {
    const clash = Object.values(realm.entities.Invoice).find((inv) => inv.Id !== previous?.Id && inv.DocNumber === out.DocNumber);
    if (clash) throw faults.duplicateDocNumber(String(out.DocNumber));
  }

  const currency = resolveCurrency(realm, out.CurrencyRef);
  const partyCurrency = refValue(partyEntity.CurrencyRef) ?? realm.prefs.homeCurrency;
  if (currency.value !== partyCurrency) {
    throw faults.business(
      `The transaction currency (${currency.value}) must match the currency of ${party.entity} "${nameOf(partyEntity)}" (${partyCurrency}).`,
      "CurrencyRef",
    );
  }
  out.CurrencyRef = currency;
  const isForeign = currency.value !== realm.prefs.homeCurrency;
  const rate = isForeign ? Number(out.ExchangeRate ?? 1) : 1;
  if (!Number.isFinite(rate) || rate <= 0) throw faults.business("ExchangeRate must be a positive number.", "ExchangeRate");
  if (realm.prefs.multicurrency) out.ExchangeRate = rate;

  const mode = (realm.prefs.tax ? (out.GlobalTaxCalculation ?? "TaxExcluded") : "NotApplicable") as TaxMode;
  if (!MODES.includes(mode)) throw faults.invalidProperty(`GlobalTaxCalculation=${String(mode)}`, "GlobalTaxCalculation");
  if (realm.prefs.tax) out.GlobalTaxCalculation = mode;

  const { lines, priced } = prepareLines(realm, kind, out.Line, mode);
  const totals = computeTotals(realm, priced, mode, kind === "Invoice" ? "sales" : "purchase");
  lines.forEach((line, i) => {
    line.Amount = fromCents(totals.lineNetCents[i]!);
    if (mode === "TaxInclusive") {
      const detail = line[String(line.DetailType)] as Record<string, unknown>;
      detail.TaxInclusiveAmt = fromCents(totals.lineGrossCents[i]!);
    }
  });
  if (kind === "Invoice") lines.push({ Amount: fromCents(totals.lineNetCents.reduce((a, b) => a + b, 0)), DetailType: "SubTotalLineDetail", SubTotalLineDetail: {} });
  out.Line = lines;
  out.TxnTaxDetail = txnTaxDetail(totals);
  out.TotalAmt = fromCents(totals.totalCents);
  out.Balance = out.TotalAmt;
  if (isForeign) {
    out.HomeTotalAmt = fromCents(toHomeCents(totals.totalCents, rate));
    out.HomeBalance = out.HomeTotalAmt;
  } else {
    delete out.HomeTotalAmt;
    delete out.HomeBalance;
  }
  out.TxnDate ??= intuitDate(options.now);
  out.DueDate ??= out.TxnDate;
  if (kind === "Bill") {
    const ap = out.APAccountRef ? ref(realm, "Account", out.APAccountRef, "APAccountRef") : Object.values(realm.entities.Account).find((a) => a.AccountType === "Accounts Payable");
    if (ap) out.APAccountRef = { value: ap.Id, name: nameOf(ap) };
  } else {
    out.EmailStatus ??= "NotSet";
    out.PrintStatus ??= "NotSet";
  }
  return out;
}

function prepareLines(realm: RealmState, kind: TxnKind, input: unknown, mode: TaxMode): { lines: Record<string, unknown>[]; priced: PricedLine[] } {
  const detailLines = (Array.isArray(input) ? input : []).filter(
    (l): l is Record<string, unknown> => !!l && typeof l === "object" && l.DetailType !== "SubTotalLineDetail" && l.DetailType !== "TaxLineDetail",
  );
  if (detailLines.length === 0) throw faults.requiredMissing("Line");
  const lines: Record<string, unknown>[] = [];
  const priced: PricedLine[] = [];
  detailLines.forEach((raw, index) => {
    const detailType = raw.DetailType;
    if (detailType === "DescriptionOnly") return;
    if (typeof detailType !== "string" || !(LINE_DETAILS[kind] as readonly string[]).includes(detailType)) throw faults.requiredMissing("Line.DetailType");
    const detail = { ...((raw[detailType] as Record<string, unknown> | undefined) ?? {}) };
    if (detail.ItemRef !== undefined || detailType === "ItemBasedExpenseLineDetail") {
      const item = ref(realm, "Item", detail.ItemRef, "ItemRef");
      detail.ItemRef = { value: item.Id, name: nameOf(item) };
    }
    if (detailType === "AccountBasedExpenseLineDetail") {
      const account = ref(realm, "Account", detail.AccountRef, "AccountRef");
      detail.AccountRef = { value: account.Id, name: nameOf(account) };
    }
    // Line.Amount is before tax; under TaxInclusive, TaxInclusiveAmt (if given) is the gross.
    const amountCents = toCents(raw.Amount);
    if (amountCents === undefined) throw faults.requiredMissing("Line.Amount");
    let grossCents: number | undefined;
    if (mode === "TaxInclusive" && detail.TaxInclusiveAmt !== undefined) {
      grossCents = toCents(detail.TaxInclusiveAmt);
      if (grossCents === undefined) throw faults.invalidProperty(`TaxInclusiveAmt=${String(detail.TaxInclusiveAmt)}`, "TaxInclusiveAmt");
    }
    const taxCodeId = refValue(detail.TaxCodeRef);
    if (realm.prefs.tax) {
      if (taxCodeId === undefined) throw faults.business("Make sure all your transactions have a VAT rate before you save.", "TaxCodeRef");
      if (!findEntity(realm, "TaxCode", taxCodeId)) throw faults.invalidReference("TaxCode", taxCodeId, "TaxCodeRef");
      detail.TaxCodeRef = { value: taxCodeId };
    }
    lines.push({ ...raw, Id: String(index + 1), LineNum: index + 1, DetailType: detailType, [detailType]: detail });
    priced.push({ amountCents, grossCents, taxCodeId });
  });
  if (priced.length === 0) throw faults.requiredMissing("Line");
  return { lines, priced };
}
