import type { DevposRow } from "../devpos/devpos-row.js";
import { createTiraneStamper, isLocalDate, localDatesBetween, plusDays } from "../devpos/tirane-time.js";
import { generateEic } from "./eic.js";
import { generateCompanies, generateCompany, generatePerson, type GeneratedCompany } from "./parties.js";
import { createRng, type Rng } from "./rng.js";

/** Probabilities per row (0..1). Each defaults to a small value so a default run has every case. */
export interface EdgeCaseRates {
  /** Rows in EUR/USD with an exchangeRate (default 0.12). */
  foreignCurrencyRate?: number;
  /** Sales rows that are self-issued, with a nested customer (default 0.06 of sales rows). */
  selfIssuedRate?: number;
  /** Rows with invoiceStatus Refuzuar (default 0.05). */
  rejectedRate?: number;
  /** Rows whose list amount is 0 while the true total is not (default 0.04). */
  zeroAmountRate?: number;
  /** Rows whose documentNumber exceeds QBO's 21 characters (default 0.03). */
  longDocNumberRate?: number;
  /**
   * Rows that reuse a number the same seller already used (default 0.03). Repeats across
   * sellers happen anyway: every supplier numbers from a low `N/YYYY`.
   */
  repeatedDocNumbers?: number;
}

export interface GenerateDocumentsOptions {
  seed: number;
  tenantNuis: string;
  /** The tenant's own name, shown as buyerName on purchases (default: generated from the seed). */
  tenantName?: string;
  count: number;
  /** Local (Europe/Tirane) dates, inclusive. */
  from: string;
  to: string;
  /** Size of the pool of customers and suppliers (default 10). */
  parties?: number;
  /** Share of sales among the rows (default 0.5). */
  salesShare?: number;
  edgeCases?: EdgeCaseRates;
}

export interface GeneratedDocument {
  kind: "sales" | "purchase";
  row: DevposRow;
  /** The real gross total to the cent, also when the list row shows 0. */
  trueAmount: number;
}

const DEFAULT_RATES: Required<EdgeCaseRates> = {
  foreignCurrencyRate: 0.12,
  selfIssuedRate: 0.06,
  rejectedRate: 0.05,
  zeroAmountRate: 0.04,
  longDocNumberRate: 0.03,
  repeatedDocNumbers: 0.03,
};

const SELF_ISSUING_TYPES = ["AGREEMENT", "DOMESTIC", "ABROAD", "SELF", "OTHER"] as const;
const DUE_DAYS = [15, 30, 30, 30, 45, 60] as const;

/** Rows sorted by invoiceCreatedDate; identical for identical options. */
export function generateDocuments(options: GenerateDocumentsOptions): GeneratedDocument[] {
  if (!isLocalDate(options.from) || !isLocalDate(options.to)) throw new RangeError("from/to must be YYYY-MM-DD");
  const dates = localDatesBetween(options.from, options.to);
  if (dates.length === 0) throw new RangeError("from must not be after to");
  const rates = { ...DEFAULT_RATES, ...options.edgeCases };
  const root = createRng(options.seed);
  const tenantName = options.tenantName ?? generateCompany(root.fork("tenant")).name;
  const parties = generateCompanies(root.fork("parties"), options.parties ?? 10, new Set([options.tenantNuis, tenantName]));

  // Draw all instants first and number documents in date order, as a real seller's counter runs.
  const timeRng = root.fork("times");
  const stamp = createTiraneStamper();
  const instants = Array.from({ length: options.count }, () => {
    const iso = stamp(timeRng.pick(dates), timeRng.int(7, 19), timeRng.int(0, 59), timeRng.int(0, 59));
    return { iso, at: Date.parse(iso) };
  })
    .sort((a, b) => a.at - b.at)
    .map((i) => i.iso);

  const rng = root.fork("rows");
  const numbering = createNumbering(rng);
  return instants.map((createdAt) => {
    const isSale = rng.chance(options.salesShare ?? 0.5);
    const party = rng.pick(parties);
    const seller = isSale ? { nuis: options.tenantNuis, name: tenantName } : party;
    const trueAmount = drawAmount(rng, rng.chance(rates.foreignCurrencyRate) ? drawCurrency(rng) : null);
    const row: DevposRow = {
      statusCanBeChanged: false,
      eic: generateEic(rng),
      documentNumber: numbering.next(seller.nuis, createdAt.slice(0, 4), rates),
      invoiceCreatedDate: createdAt,
      dueDate: drawDueDate(rng, createdAt, stamp),
      invoiceStatus: drawStatus(rng, rates.rejectedRate),
      amount: trueAmount.amount,
      buyerNuis: isSale ? party.nuis : options.tenantNuis,
      buyerName: isSale ? party.name : tenantName,
      sellerNuis: seller.nuis,
      sellerName: isSale ? "" : seller.name,
      partyType: isSale ? "Shitje" : "Blerje",
    };
    row.statusCanBeChanged = row.invoiceStatus === "Dërguar";
    if (isSale) applySalesFields(rng, row, rates.selfIssuedRate, { nuis: options.tenantNuis, name: tenantName });
    if (trueAmount.currency) {
      row.currencyCode = trueAmount.currency.code;
      row.exchangeRate = trueAmount.currency.rate;
    }
    row.vatCurrency = "ALL";
    row.baseCurrency = "ALL";
    if (rng.chance(rates.zeroAmountRate)) row.amount = 0;
    return { kind: isSale ? "sales" : "purchase", row, trueAmount: trueAmount.amount };
  });
}

/** Self-issued rows name the tenant as buyer and the real counterparty in `customer`. */
function applySalesFields(rng: Rng, row: DevposRow, selfIssuedRate: number, tenant: GeneratedCompany): void {
  row.selfIssuingType = null;
  row.customer = null;
  if (!rng.chance(selfIssuedRate)) return;
  row.selfIssuingType = rng.pick(SELF_ISSUING_TYPES);
  row.customer = generatePerson(rng);
  row.buyerNuis = tenant.nuis;
  row.buyerName = tenant.name;
}

interface Currency {
  code: "EUR" | "USD";
  rate: number;
}

function drawCurrency(rng: Rng): Currency {
  // Rates in ALL per unit, kept to two decimals as the Bank of Albania publishes them.
  return rng.chance(0.75) ? { code: "EUR", rate: rng.int(9700, 10500) / 100 } : { code: "USD", rate: rng.int(8800, 9800) / 100 };
}

/** Integer cents divided once, so every amount is exact to two decimals. */
function drawAmount(rng: Rng, currency: Currency | null): { amount: number; currency: Currency | null } {
  const [min, max] = currency ? [20_00, 9_000_00] : [500_00, 750_000_00];
  let cents = rng.int(min, max);
  if (rng.chance(0.3)) cents = Math.max(100, Math.round(cents / 100) * 100);
  return { amount: cents / 100, currency };
}

function drawStatus(rng: Rng, rejectedRate: number): string {
  if (rng.chance(rejectedRate)) return "Refuzuar";
  return rng.chance(0.25) ? "Dërguar" : "Pranuar";
}

/** Same wall-clock time some days later, with that day's offset (it may cross a DST change). */
function drawDueDate(rng: Rng, createdAt: string, stamp: ReturnType<typeof createTiraneStamper>): string | null {
  const roll = rng.next();
  if (roll < 0.1) return null;
  if (roll < 0.25) return createdAt;
  const [h, m, s] = createdAt.slice(11, 19).split(":").map(Number) as [number, number, number];
  return stamp(plusDays(createdAt.slice(0, 10), rng.pick(DUE_DAYS)), h, m, s);
}

/** Per-seller, per-year counters; suppliers start low so numbers collide across sellers. */
function createNumbering(rng: Rng) {
  const counters = new Map<string, number>();
  const used = new Map<string, string[]>();
  return {
    next(sellerNuis: string, year: string, rates: Required<EdgeCaseRates>): string {
      const key = `${sellerNuis}/${year}`;
      const previous = used.get(key) ?? [];
      used.set(key, previous);
      if (previous.length > 0 && rng.chance(rates.repeatedDocNumbers)) return rng.pick(previous);
      const n = (counters.get(key) ?? rng.int(0, 4)) + 1;
      counters.set(key, n);
      const number = rng.chance(rates.longDocNumberRate)
        ? `FAT/${rng.pick(["TR", "DR", "SH", "VL", "KO"])}-POS${rng.int(1, 9)}/${String(n).padStart(8, "0")}/${year}`
        : `${n}/${year}`;
      previous.push(number);
      return number;
    },
  };
}
