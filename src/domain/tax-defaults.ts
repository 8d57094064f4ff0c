import type { TaxMode } from "./company.js";
import type { RealmProfile, RealmTaxCode } from "./realm-profile.js";

/** Albania's standard VAT rate: the code carrying it becomes the company's VAT code. */
export const STANDARD_VAT_PERCENT = 20;

/** The company tax settings devsync would use for a realm. */
export interface TaxChoice {
  taxMode: TaxMode;
  vatTaxCodeId: string | null;
  /** VAT rate as text ("20", "6", "0") → tax code id; null when VAT is off. */
  vatRateCodes: Record<string, string> | null;
}

export type TaxWarningCode = "multicurrency_off" | "home_currency_mismatch" | "no_standard_rate" | "no_vat_code" | "ambiguous_rate";

export interface TaxWarning {
  code: TaxWarningCode;
  message: string;
}

export interface TaxDefaults {
  choice: TaxChoice;
  /** One sentence per decision, for the settings page ("what was detected and why"). */
  reasons: string[];
  /** Realm settings that will make documents fail or need a person's choice. */
  warnings: TaxWarning[];
}

/** A rate as the key of `vat_rate_codes` (the API accepts `20`, `6`, `5.5`). */
export function rateKey(percent: number): string {
  return String(Math.round(percent * 100) / 100);
}

/** A code usable for both invoices and bills: active, not a group, the same rate on both sides. */
function isUsable(code: RealmTaxCode): code is RealmTaxCode & { salesRatePercent: number } {
  return code.active && !code.taxGroup && code.salesRatePercent !== null && code.salesRatePercent === code.purchaseRatePercent;
}

const byId = (a: RealmTaxCode, b: RealmTaxCode) => a.id.localeCompare(b.id, "en", { numeric: true });
const quoted = (code: RealmTaxCode) => `'${code.name}'`;

/**
 * Working tax settings for a realm. VAT on → `inclusive` (DevPos amounts are gross) with the
 * standard-rate code and one code per rate that exactly one usable code carries, so a document
 * whose rate is known gets its own code; a rate two codes share is left out (devsync cannot
 * know which one the accountant means). VAT off → `none`. Pure: the caller decides whether a
 * person's own choice may be replaced.
 */
export function chooseTaxDefaults(profile: RealmProfile, company: { homeCurrency: string }): TaxDefaults {
  const reasons: string[] = [];
  const warnings: TaxWarning[] = [];
  const realmHome = profile.homeCurrency;

  if (!profile.multicurrency) {
    warnings.push({
      code: "multicurrency_off",
      message: `Multicurrency is off in QuickBooks: documents in a currency other than ${realmHome ?? company.homeCurrency} will fail until multicurrency is switched on in QuickBooks (Settings → Account and settings → Advanced → Currency).`,
    });
  }
  if (realmHome && realmHome !== company.homeCurrency.toUpperCase()) {
    warnings.push({
      code: "home_currency_mismatch",
      message: `QuickBooks' home currency is ${realmHome} but this company's is ${company.homeCurrency}: amounts would be booked in the wrong currency. Change the company's home currency, or connect the QuickBooks company kept in ${company.homeCurrency}.`,
    });
  }

  if (!profile.vat) {
    reasons.push("QuickBooks has VAT off, so documents are sent without tax codes (tax mode none).");
    return { choice: { taxMode: "none", vatTaxCodeId: null, vatRateCodes: null }, reasons, warnings };
  }

  reasons.push(
    profile.vatEvidence === "preferences"
      ? "QuickBooks has VAT on, so every line needs a VAT code: amounts from DevPos include VAT (tax mode inclusive)."
      : "QuickBooks has active tax codes with rates, so every line needs a VAT code: amounts from DevPos include VAT (tax mode inclusive).",
  );
  const usable = profile.taxCodes.filter(isUsable).sort(byId);
  const skipped = profile.taxCodes.filter((c) => c.active && !isUsable(c));
  if (skipped.some((c) => c.taxGroup)) reasons.push(`Tax groups are not used: ${skipped.filter((c) => c.taxGroup).map(quoted).join(", ")}.`);

  const perRate = new Map<string, (RealmTaxCode & { salesRatePercent: number })[]>();
  for (const code of usable) {
    const key = rateKey(code.salesRatePercent);
    perRate.set(key, [...(perRate.get(key) ?? []), code]);
  }

  let standard = perRate.get(rateKey(STANDARD_VAT_PERCENT))?.[0];
  if (standard) {
    reasons.push(`Standard rate ${STANDARD_VAT_PERCENT} % → code ${quoted(standard)}.`);
  } else if (usable.length > 0) {
    standard = [...usable].sort((a, b) => b.salesRatePercent - a.salesRatePercent || byId(a, b))[0]!;
    reasons.push(`No code carries ${STANDARD_VAT_PERCENT} %; the highest rate, ${rateKey(standard.salesRatePercent)} %, → code ${quoted(standard)}.`);
    warnings.push({
      code: "no_standard_rate",
      message: `QuickBooks has no VAT code with the standard ${STANDARD_VAT_PERCENT} % rate on both sales and purchases; ${quoted(standard)} (${rateKey(standard.salesRatePercent)} %) was picked. Check the VAT code in settings.`,
    });
  } else {
    warnings.push({
      code: "no_vat_code",
      message: "QuickBooks has VAT on but no active VAT code with the same rate on sales and purchases: choose the VAT code in settings before the first sync, or every document will fail.",
    });
  }

  const vatRateCodes: Record<string, string> = {};
  for (const [key, codes] of [...perRate].sort((a, b) => Number(b[0]) - Number(a[0]))) {
    if (codes.length === 1) {
      vatRateCodes[key] = codes[0]!.id;
      continue;
    }
    const names = codes.map(quoted).join(" and ");
    warnings.push({ code: "ambiguous_rate", message: `Several VAT codes carry ${key} %: ${names}. Documents at ${key} % use the VAT code unless you map the rate in settings.` });
    if (key === rateKey(STANDARD_VAT_PERCENT)) reasons.push(`Several codes carry ${key} % (${names}); the first, ${quoted(standard!)}, is the VAT code.`);
  }
  const mapped = Object.entries(vatRateCodes);
  if (mapped.length > 0) {
    const names = new Map(usable.map((c) => [c.id, c.name]));
    reasons.push(`Rates with a code of their own: ${mapped.map(([rate, id]) => `${rate} % → '${names.get(id)}'`).join(", ")}.`);
  }
  return {
    choice: { taxMode: "inclusive", vatTaxCodeId: standard?.id ?? null, vatRateCodes: mapped.length > 0 ? vatRateCodes : null },
    reasons,
    warnings,
  };
}
