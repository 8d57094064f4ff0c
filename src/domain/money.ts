import { decimalToMinorUnits } from "./source-document.js";

/**
 * Money as integer minor units (1/100). Every amount devsync reads is converted once, by string
 * arithmetic, and every amount it sends is produced from minor units, so no float ever rounds a
 * cent away (0.29 * 100 is 28.999999999999996).
 */
export type Minor = number;

/** A decimal from JSON (or a string) to minor units; half away from zero at the cent. */
export function toMinor(value: number | string): Minor {
  return decimalToMinorUnits(value, 2);
}

/**
 * Minor units as the number QuickBooks expects (`Amount`, `TotalAmt`). `m / 100` is the double
 * nearest to the exact decimal, and JSON prints the shortest text that reads back as that
 * double, so 125075 is sent as 1250.75 exactly.
 */
export function fromMinor(minor: Minor): number {
  assertMinor(minor);
  return minor / 100;
}

/** `1250.75`, `-0.05`, `100.00`: fixed two decimals, for messages and reports. */
export function formatMinor(minor: Minor): string {
  assertMinor(minor);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export function sumMinor(values: readonly Minor[]): Minor {
  let total = 0;
  for (const value of values) {
    assertMinor(value);
    total += value;
  }
  assertMinor(total);
  return total;
}

/** True when the QuickBooks amount (a JSON number) is exactly `minor` cents. */
export function equalsMinor(amount: unknown, minor: Minor): boolean {
  if (typeof amount !== "number" && typeof amount !== "string") return false;
  try {
    return toMinor(amount) === minor;
  } catch {
    return false;
  }
}

function assertMinor(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer amount of minor units: ${value}`);
}

/**
 * The VAT contained in a gross amount at a percentage rate (20 → 20 %): gross × r / (100 + r),
 * half away from zero at the cent, in exact integer arithmetic (rates with up to 4 decimals).
 */
export function vatInGross(grossMinor: Minor, ratePercent: number): Minor {
  assertMinor(grossMinor);
  if (!Number.isFinite(ratePercent) || ratePercent < 0) throw new RangeError(`not a VAT rate: ${ratePercent}`);
  const rate = BigInt(Math.round(ratePercent * 10_000));
  const numerator = BigInt(grossMinor) * rate;
  const denominator = 100n * 10_000n + rate;
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = (n * 2n + denominator) / (denominator * 2n);
  return Number(negative ? -q : q);
}
