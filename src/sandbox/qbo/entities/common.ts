import { faults } from "../faults.js";
import { currencyName, isKnownCurrency } from "../currencies.js";
import type { RealmState } from "../state.js";
import { refValue } from "./store.js";

/** Fields the server owns: ignored when a client sends them on create or full update. */
export const SERVER_FIELDS = ["Id", "SyncToken", "MetaData", "domain", "sparse"] as const;

export function withoutServerFields(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  for (const field of SERVER_FIELDS) delete copy[field];
  return copy;
}

export function checkLength(body: Record<string, unknown>, field: string, max: number): void {
  const value = body[field];
  if (typeof value === "string" && value.length > max) throw faults.stringTooLong(field, max, value.length);
}

/**
 * Resolves a CurrencyRef to a {value,name} the company may use: unknown codes and foreign
 * currencies in a single-currency company are business-validation faults, as in QBO.
 */
export function resolveCurrency(realm: RealmState, ref: unknown): { value: string; name: string } {
  const code = (refValue(ref) ?? realm.prefs.homeCurrency).toUpperCase();
  if (!isKnownCurrency(code)) throw faults.business(`Currency ${code} is not a supported currency.`, "CurrencyRef");
  if (code !== realm.prefs.homeCurrency && !realm.prefs.multicurrency) {
    throw faults.business(
      `Multicurrency is not turned on for this company, so you can only use the home currency ${realm.prefs.homeCurrency}. You supplied ${code}.`,
      "CurrencyRef",
    );
  }
  return { value: code, name: currencyName(code) };
}
