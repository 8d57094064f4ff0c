import { z } from "zod";

/**
 * One DevPos e-invoice row, normalised: the only shape the sync engine sees (docs/domain.md §1, §3).
 * Parsing is strict where a wrong value would corrupt the books (the EIC, the invoice date) and
 * tolerant everywhere else: a missing optional field becomes null, never a failed run.
 */
export type SourceKind = "sale" | "purchase";
export type SourceStatus = "accepted" | "sent" | "rejected" | "other";

export interface SourceParty {
  nuis: string | null;
  name: string | null;
}

export interface SourceDocument {
  /** Lower-cased UUID: the unique e-invoice id and the idempotency key. */
  eic: string;
  /** Which list the row came from: GetSalesInvoice → sale, GetPurchaseInvoice → purchase. */
  kind: SourceKind;
  /** As DevPos shows it (`9/2025`); not unique. Null when absent. */
  documentNumber: string | null;
  /** `invoiceCreatedDate` exactly as written (ISO with offset). */
  issuedAt: string;
  /** The date part of `issuedAt` as written, no time-zone conversion: QBO TxnDate. */
  txnDate: string;
  /** The date part of `dueDate` as written, or null. */
  dueDate: string | null;
  status: SourceStatus;
  /** The Albanian status text as sent (`Pranuar`, `Dërguar`, `Refuzuar`, …). */
  statusText: string;
  /**
   * Gross total in minor units (1/100), converted from the decimal exactly. Null when absent
   * or unreadable; 0 happens (the list sometimes shows 0 for a real invoice).
   */
  amountMinor: number | null;
  /** `currencyCode` when present (upper case), else null = the company's home currency. */
  currency: string | null;
  /** `exchangeRate`: home units per 1 foreign unit, when present and positive. */
  exchangeRate: number | null;
  /**
   * The document's VAT rate in percent (`vatRate`, e.g. 20, 6, 0) when the row carries one
   * (unconfirmed in DevPos lists, docs/domain.md §1); picks the QBO tax code from the company's
   * `vat_rate_codes`. Null when absent.
   */
  vatRate: number | null;
  buyer: SourceParty;
  seller: SourceParty;
  /** Sales rows only: a self-issued invoice (`selfIssuingType` set) becomes a Bill. */
  selfIssued: boolean;
  selfIssuingType: string | null;
  /** The nested `customer` of self-issued rows: the real supplier. */
  customer: { name: string | null; idNumber: string | null } | null;
  statusCanBeChanged: boolean | null;
  /** `partyType` as sent (`Shitje`, `Blerje`), for diagnostics. */
  partyType: string | null;
}

export type SourceRowResult =
  | { ok: true; document: SourceDocument; warnings: string[] }
  | { ok: false; eic: string | null; reason: string };

const EIC = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `YYYY-MM-DD` then a time, optionally zone: the date part is what we keep. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const optionalText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : ""))
  .transform((v) => (v === "" ? null : v));

/** Known fields only; anything else DevPos adds is ignored (and `vatCurrency`/`baseCurrency` never used). */
const rowSchema = z.object({
  eic: z
    .string({ error: "eic is missing" })
    .trim()
    .regex(EIC, "eic is not a UUID")
    .transform((v) => v.toLowerCase()),
  invoiceCreatedDate: z
    .string({ error: "invoiceCreatedDate is missing" })
    .trim()
    .refine((v) => localDatePart(v) !== null, "invoiceCreatedDate is not an ISO date"),
  documentNumber: optionalText,
  dueDate: z.unknown().optional(),
  invoiceStatus: optionalText,
  amount: z.unknown().optional(),
  buyerNuis: optionalText,
  buyerName: optionalText,
  sellerNuis: optionalText,
  sellerName: optionalText,
  partyType: optionalText,
  statusCanBeChanged: z.unknown().optional(),
  selfIssuingType: optionalText,
  customer: z.unknown().optional(),
  currencyCode: z.unknown().optional(),
  exchangeRate: z.unknown().optional(),
  vatRate: z.unknown().optional(),
});

/** Parses one list row. Never throws: a row without a valid EIC or date comes back `ok: false`. */
export function parseSourceRow(raw: unknown, kind: SourceKind): SourceRowResult {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) {
    const eic = raw && typeof raw === "object" && typeof (raw as { eic?: unknown }).eic === "string" ? (raw as { eic: string }).eic : null;
    return { ok: false, eic, reason: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  const row = parsed.data;
  const warnings: string[] = [];

  let amountMinor: number | null = null;
  if (row.amount !== null && row.amount !== undefined && row.amount !== "") {
    try {
      amountMinor = decimalToMinorUnits(row.amount as number | string);
    } catch {
      warnings.push(`amount ${JSON.stringify(row.amount)} is not a number`);
    }
  }

  let dueDate: string | null = null;
  if (typeof row.dueDate === "string" && row.dueDate.trim() !== "") {
    dueDate = localDatePart(row.dueDate.trim());
    if (dueDate === null) warnings.push(`dueDate ${JSON.stringify(row.dueDate)} is not a date`);
  }

  let currency: string | null = null;
  if (typeof row.currencyCode === "string" && row.currencyCode.trim() !== "") {
    const code = row.currencyCode.trim().toUpperCase();
    if (/^[A-Z]{3}$/.test(code)) currency = code;
    else warnings.push(`currencyCode ${JSON.stringify(row.currencyCode)} is not an ISO currency`);
  }

  let exchangeRate: number | null = null;
  if (row.exchangeRate !== null && row.exchangeRate !== undefined && row.exchangeRate !== "") {
    const rate = typeof row.exchangeRate === "number" ? row.exchangeRate : Number(String(row.exchangeRate).trim());
    if (Number.isFinite(rate) && rate > 0) exchangeRate = rate;
    else warnings.push(`exchangeRate ${JSON.stringify(row.exchangeRate)} is not a positive number`);
  }

  let vatRate: number | null = null;
  if (row.vatRate !== null && row.vatRate !== undefined && row.vatRate !== "") {
    const rate = typeof row.vatRate === "number" ? row.vatRate : Number(String(row.vatRate).trim());
    if (Number.isFinite(rate) && rate >= 0 && rate < 100) vatRate = rate;
    else warnings.push(`vatRate ${JSON.stringify(row.vatRate)} is not a percentage`);
  }

  const customer = readCustomer(row.customer);
  const statusText = row.invoiceStatus ?? "";
  return {
    ok: true,
    warnings,
    document: {
      eic: row.eic,
      kind,
      documentNumber: row.documentNumber,
      issuedAt: row.invoiceCreatedDate,
      txnDate: localDatePart(row.invoiceCreatedDate)!,
      dueDate,
      status: normaliseStatus(statusText),
      statusText,
      amountMinor,
      currency,
      exchangeRate,
      vatRate,
      buyer: { nuis: row.buyerNuis, name: row.buyerName },
      seller: { nuis: row.sellerNuis, name: row.sellerName },
      selfIssued: kind === "sale" && row.selfIssuingType !== null,
      selfIssuingType: kind === "sale" ? row.selfIssuingType : null,
      customer,
      statusCanBeChanged: typeof row.statusCanBeChanged === "boolean" ? row.statusCanBeChanged : null,
      partyType: row.partyType,
    },
  };
}

/** `Pranuar` accepted, `Dërguar` sent, `Refuzuar` rejected: any case, with or without diacritics. */
export function normaliseStatus(text: string): SourceStatus {
  const folded = text.normalize("NFD").replace(/\p{Diacritic}/gu, "").trim().toLowerCase();
  if (folded === "refuzuar") return "rejected";
  if (folded === "pranuar") return "accepted";
  if (folded === "derguar") return "sent";
  return "other";
}

/**
 * Converts a decimal (JSON number or string) to integer minor units, rounding half away from
 * zero at `scale` places, by string arithmetic: 1250.75 → 125075, "0.005" → 1, 1e3 → 100000.
 * Never multiplies floats (0.29 * 100 is 28.999999999999996). Throws on anything not a finite
 * decimal or beyond the safe integer range.
 */
export function decimalToMinorUnits(value: number | string, scale = 2): number {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
    text = String(value); // shortest round-trip representation: what the JSON said
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    throw new TypeError("amount must be a number or a decimal string");
  }
  const match = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || `${match[2] ?? ""}${match[3] ?? ""}` === "") throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
  const negative = match[1] === "-";
  const intPart = match[2] ?? "";
  const digits = intPart + (match[3] ?? "");
  // Index in `digits` of the decimal point once the value is scaled by 10^scale.
  const point = intPart.length + Number(match[4] ?? 0) + scale;
  let whole: string;
  let roundUp: boolean;
  if (point <= 0) {
    whole = "0";
    roundUp = point === 0 && (digits[0] ?? "0") >= "5";
  } else {
    whole = digits.length >= point ? digits.slice(0, point) : digits + "0".repeat(point - digits.length);
    roundUp = (digits[point] ?? "0") >= "5";
  }
  let minor = BigInt(whole) + (roundUp ? 1n : 0n);
  if (negative) minor = -minor;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount out of range: ${text}`);
  const result = Number(minor);
  return Object.is(result, -0) ? 0 : result;
}

/** The `YYYY-MM-DD` a timestamp was written with (a real calendar date), or null. */
export function localDatePart(text: string): string | null {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return null;
  const [, y, m, d] = match as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${m}-${d}`;
}

function readCustomer(value: unknown): SourceDocument["customer"] {
  if (!value || typeof value !== "object") return null;
  const c = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
  const customer = { name: text(c.name), idNumber: text(c.idNumber) };
  return customer.name === null && customer.idNumber === null ? null : customer;
}
