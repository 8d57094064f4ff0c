import { toMinor, formatMinor } from "../domain/money.js";
import type { SandboxServer } from "../sandbox/server.js";

/**
 * "Finished is not correct": after the demo's first sync, the books of each company are checked
 * from both sandboxes' own state, not from devsync's ledger: per currency, the gross of every
 * DevPos document QuickBooks should hold (not rejected, listed with an amount) against the
 * TotalAmt of the invoices and bills in the company's QuickBooks realm, to the cent.
 */
export interface CurrencyBooks {
  currency: string;
  devposCount: number;
  devposMinor: number;
  qboCount: number;
  qboMinor: number;
}

export interface BooksCheck {
  balanced: boolean;
  currencies: CurrencyBooks[];
  /** Listed by DevPos with amount 0: not created, kept for re-checking (not part of the totals). */
  awaitingAmount: number;
}

interface DevposSnapshotShape {
  tenants: { tenant: string; documents: { row: { amount: number; invoiceStatus: string; currencyCode?: string } }[] }[];
}
interface QboSnapshotShape {
  realms: Record<string, { entities: Record<string, Record<string, { TotalAmt?: number; CurrencyRef?: { value?: string }; PrivateNote?: string }>> }>;
}

export function checkBooks(sandbox: SandboxServer, tenant: string, realmId: string, homeCurrency = "ALL"): BooksCheck {
  const devpos = (sandbox.devpos.snapshot() as DevposSnapshotShape).tenants.find((t) => t.tenant === tenant);
  const realm = (sandbox.qbo.snapshot() as QboSnapshotShape).realms[realmId];
  const books = new Map<string, CurrencyBooks>();
  const entry = (currency: string) => {
    let b = books.get(currency);
    if (!b) books.set(currency, (b = { currency, devposCount: 0, devposMinor: 0, qboCount: 0, qboMinor: 0 }));
    return b;
  };
  let awaitingAmount = 0;
  for (const { row } of devpos?.documents ?? []) {
    if (/^refuzuar$/i.test(row.invoiceStatus.normalize("NFD").replace(/\p{Diacritic}/gu, ""))) continue;
    if (!row.amount) {
      awaitingAmount++;
      continue;
    }
    const b = entry(row.currencyCode ?? homeCurrency);
    b.devposCount++;
    b.devposMinor += toMinor(row.amount);
  }
  for (const type of ["Invoice", "Bill"]) {
    for (const doc of Object.values(realm?.entities[type] ?? {})) {
      if (!doc.PrivateNote?.includes("DevPos EIC")) continue;
      const b = entry(doc.CurrencyRef?.value ?? homeCurrency);
      b.qboCount++;
      b.qboMinor += toMinor(doc.TotalAmt ?? 0);
    }
  }
  const currencies = [...books.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  return { balanced: currencies.every((c) => c.devposCount === c.qboCount && c.devposMinor === c.qboMinor), currencies, awaitingAmount };
}

/** "ALL 12 docs 1234.56 = 1234.56 ✓; EUR …" */
export function describeBooks(check: BooksCheck): string {
  const parts = check.currencies.map((c) => {
    const same = c.devposCount === c.qboCount && c.devposMinor === c.qboMinor;
    return `${c.currency} DevPos ${c.devposCount} docs ${formatMinor(c.devposMinor)} ${same ? "=" : "≠"} QuickBooks ${c.qboCount} docs ${formatMinor(c.qboMinor)}`;
  });
  const awaiting = check.awaitingAmount > 0 ? `; ${check.awaitingAmount} listed without an amount, kept for re-checking` : "";
  return `books ${check.balanced ? "balance" : "DO NOT balance"}: ${parts.join("; ")}${awaiting}`;
}
