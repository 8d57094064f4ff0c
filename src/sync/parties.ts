import { normalisePartyNuis, partyKey } from "../domain/party-key.js";
import type { SourceDocument } from "../domain/source-document.js";

/**
 * Who a document is with, as a QuickBooks customer or vendor (docs/domain.md §3): one QBO party per
 * (NUIS-or-name, currency). Pure: the resolver (party-resolver.ts) does the I/O.
 */
export type QboTxnType = "Invoice" | "Bill";
export type PartyRole = "customer" | "vendor";

export interface PartyIdentity {
  role: PartyRole;
  /** `nuis:…` or `name:…` (domain/party-key.ts). */
  key: string;
  currency: string;
  name: string | null;
  nuis: string | null;
  /** The preferred DisplayName; `displayNameCandidate` gives the alternatives after a clash. */
  displayName: string;
}

/** Sales rows become Invoices unless self-issued; self-issued and purchase rows become Bills. */
export function qboTypeOf(doc: Pick<SourceDocument, "kind" | "selfIssued">): QboTxnType {
  return doc.kind === "sale" && !doc.selfIssued ? "Invoice" : "Bill";
}

export function documentCurrency(doc: Pick<SourceDocument, "currency">, homeCurrency: string): string {
  return (doc.currency ?? homeCurrency).toUpperCase();
}

/**
 * The counterparty of a document: the buyer of an invoice, the seller of a purchase, and for a
 * self-issued invoice the real supplier in `customer` (name / idNumber). The buyer fields of a
 * self-issued row name the tenant itself, so they are only used when `customer` is absent.
 */
export function counterpartyOf(doc: SourceDocument): { name: string | null; nuis: string | null } {
  if (doc.kind === "purchase") return { name: doc.seller.name, nuis: doc.seller.nuis };
  if (!doc.selfIssued) return { name: doc.buyer.name, nuis: doc.buyer.nuis };
  if (doc.customer) return { name: doc.customer.name, nuis: doc.customer.idNumber };
  return { name: doc.buyer.name, nuis: doc.buyer.nuis };
}

export function partyIdentityOf(doc: SourceDocument, homeCurrency: string): PartyIdentity {
  const role: PartyRole = qboTypeOf(doc) === "Invoice" ? "customer" : "vendor";
  const party = counterpartyOf(doc);
  const nuis = normalisePartyNuis(party.nuis);
  const name = cleanName(party.name);
  const currency = documentCurrency(doc, homeCurrency);
  const identity = { role, key: partyKey({ nuis, name }), currency, name, nuis };
  return { ...identity, displayName: displayNameCandidate(identity, homeCurrency, 1) };
}

/**
 * DisplayName attempt `n` (1 = the rule's name). Rule: the name for the home currency,
 * `name - CUR` for a foreign one; vendors add ` (NUIS)`. DisplayName is unique across customers,
 * vendors and employees, so after a clash with a different party (6240) the next candidates
 * are: the NUIS appended (customers that have one), then ` [2]`, ` [3]`, …
 */
export function displayNameCandidate(
  party: Pick<PartyIdentity, "role" | "name" | "nuis" | "currency">,
  homeCurrency: string,
  n: number,
): string {
  const base = party.name ?? party.nuis ?? "Unnamed DevPos party";
  let name = party.currency === homeCurrency.toUpperCase() ? base : `${base} - ${party.currency}`;
  if (party.role === "vendor" && party.nuis) name = `${name} (${party.nuis})`;
  if (n <= 1) return limit(name);
  const nuisStep = party.role === "customer" && party.nuis !== null;
  if (nuisStep && n === 2) return limit(`${name} (${party.nuis})`);
  const counter = nuisStep ? n - 1 : n;
  return limit(`${name} [${counter}]`);
}

/** QBO names may not contain ':' (sub-customer separator), tabs or new lines. */
function cleanName(name: string | null): string | null {
  if (name === null) return null;
  const cleaned = name.replace(/[:\t\r\n]+/g, " ").replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}

/** DisplayName allows 500 characters; keep well inside, leaving room for the suffixes. */
function limit(name: string): string {
  return name.length <= 480 ? name : name.slice(0, 480);
}

/** The marker kept in a customer's Notes, so a 6240 clash with another party is recognised. */
export function partyMarker(key: string): string {
  return `DevPos party ${key}`;
}
