/**
 * Money is held as integer cents. JSON numbers are converted once at the edge and all sums,
 * tax and currency conversions are integer arithmetic, so 0.1 + 0.2 never becomes 0.30000000000000004.
 */
export type Cents = number;

export function toCents(amount: unknown): Cents | undefined {
  const n = typeof amount === "string" ? Number(amount) : amount;
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  return Math.round(n * 100);
}

export function fromCents(cents: Cents): number {
  return cents / 100;
}

/** Divide with half-away-from-zero rounding, exact for integers within 2^53. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** A decimal such as 20, 6.5 or 122.3456 as a scaled integer (value * 10^scale). */
export function toScaled(value: number | string, scale: number): bigint {
  const text = typeof value === "number" ? value.toFixed(scale + 2) : value.trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const frac = (match[3] ?? "").padEnd(scale + 1, "0");
  const whole = BigInt((match[2] || "0") + frac.slice(0, scale));
  const rounded = Number(frac[scale]) >= 5 ? whole + 1n : whole;
  return match[1] === "-" ? -rounded : rounded;
}

/** Tax on a net amount at a percentage rate, e.g. 20 → 20 %. */
export function taxOnNet(netCents: Cents, ratePercent: number): Cents {
  return Number(divRound(BigInt(netCents) * toScaled(ratePercent, 4), 100n * 10000n));
}

/** The tax part contained in a gross (tax-inclusive) amount. */
export function taxInGross(grossCents: Cents, ratePercent: number): Cents {
  const rate = toScaled(ratePercent, 4);
  return Number(divRound(BigInt(grossCents) * rate, 100n * 10000n + rate));
}

/** Home-currency cents for a foreign amount; ExchangeRate is home units per foreign unit. */
export function toHomeCents(foreignCents: Cents, exchangeRate: number): Cents {
  return Number(divRound(BigInt(foreignCents) * toScaled(exchangeRate, 8), 10n ** 8n));
}
