import { faults } from "../faults.js";
import type { QboEntity, RealmState } from "../state.js";
import { checkLength, resolveCurrency } from "./common.js";
import { findEntity, refValue } from "./store.js";

/** Items and accounts: names unique within their own list, references must point at accounts. */
const ACCOUNT_CLASSIFICATION: Record<string, string> = {
  Bank: "Asset",
  "Other Current Asset": "Asset",
  "Fixed Asset": "Asset",
  "Other Asset": "Asset",
  "Accounts Receivable": "Asset",
  Equity: "Equity",
  Expense: "Expense",
  "Other Expense": "Expense",
  "Cost of Goods Sold": "Expense",
  "Accounts Payable": "Liability",
  "Credit Card": "Liability",
  "Long Term Liability": "Liability",
  "Other Current Liability": "Liability",
  Income: "Revenue",
  "Other Income": "Revenue",
};

function uniqueName(realm: RealmState, kind: "Item" | "Account", name: string, selfId: string | undefined, what: string): void {
  const lower = name.toLowerCase();
  for (const other of Object.values(realm.entities[kind])) {
    if (other.Id !== selfId && String(other.Name).toLowerCase() === lower) throw faults.duplicateName(what);
  }
}

function accountRef(realm: RealmState, ref: unknown, element: string): { value: string; name: string } | undefined {
  if (ref === undefined || ref === null) return undefined;
  const id = refValue(ref) ?? "";
  const account = findEntity(realm, "Account", id);
  if (!account || account.Active === false) throw faults.invalidReference("Account", id, element);
  return { value: account.Id, name: String(account.Name) };
}

export function prepareItemBody(realm: RealmState, body: Record<string, unknown>, previous?: QboEntity): Record<string, unknown> {
  if (typeof body.Name !== "string" || body.Name.trim() === "") throw faults.requiredMissing("Name");
  checkLength(body, "Name", 100);
  uniqueName(realm, "Item", body.Name, previous?.Id, "Another product or service is already using this name.");
  const out: Record<string, unknown> = { ...body, FullyQualifiedName: body.Name, Type: body.Type ?? "Service", Active: body.Active ?? true };
  const income = accountRef(realm, body.IncomeAccountRef, "IncomeAccountRef");
  if (!income && out.Type !== "Category") throw faults.business("Select an income account for this product or service.", "IncomeAccountRef");
  if (income) out.IncomeAccountRef = income;
  const expense = accountRef(realm, body.ExpenseAccountRef, "ExpenseAccountRef");
  if (expense) out.ExpenseAccountRef = expense;
  return out;
}

export function prepareAccountBody(realm: RealmState, body: Record<string, unknown>, previous?: QboEntity): Record<string, unknown> {
  if (typeof body.Name !== "string" || body.Name.trim() === "") throw faults.requiredMissing("Name");
  checkLength(body, "Name", 100);
  if (/[:"]/.test(body.Name)) throw faults.business('Account names may not contain a colon (:) or double quote (").', "Name");
  uniqueName(realm, "Account", body.Name, previous?.Id, "Another account is already using this name.");
  const type = body.AccountType;
  if (typeof type !== "string") throw faults.requiredMissing("AccountType");
  const classification = ACCOUNT_CLASSIFICATION[type];
  if (!classification) throw faults.invalidProperty(`AccountType=${type}`, "AccountType");
  return {
    ...body,
    FullyQualifiedName: body.Name,
    Classification: classification,
    Active: body.Active ?? true,
    SubAccount: body.SubAccount ?? false,
    CurrentBalance: previous?.CurrentBalance ?? 0,
    CurrentBalanceWithSubAccounts: previous?.CurrentBalanceWithSubAccounts ?? 0,
    CurrencyRef: resolveCurrency(realm, body.CurrencyRef ?? previous?.CurrencyRef),
  };
}
