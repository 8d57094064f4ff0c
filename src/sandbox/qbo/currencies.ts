/** Names QBO puts next to currency codes in CurrencyRef. Unknown codes are rejected like QBO does. */
const NAMES: Record<string, string> = {
  ALL: "Albanian Lek",
  EUR: "Euro",
  USD: "United States Dollar",
  GBP: "British Pound Sterling",
  CHF: "Swiss Franc",
  MKD: "Macedonian Denar",
  RSD: "Serbian Dinar",
  TRY: "Turkish Lira",
  CAD: "Canadian Dollar",
};

export function isKnownCurrency(code: string): boolean {
  return code in NAMES;
}

export function currencyName(code: string): string {
  return NAMES[code] ?? code;
}
