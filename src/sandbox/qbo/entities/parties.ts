import { faults } from "../faults.js";
import type { EntityName, QboEntity, RealmState } from "../state.js";
import { checkLength, resolveCurrency } from "./common.js";
import { refValue } from "./store.js";

/** Customer and Vendor share the name rules: DisplayName is unique across both (and employees). */
const NAME_SPACES: EntityName[] = ["Customer", "Vendor"];

export function preparePartyBody(realm: RealmState, kind: "Customer" | "Vendor", body: Record<string, unknown>, previous?: QboEntity): Record<string, unknown> {
  const derived = [body.GivenName, body.FamilyName].filter((v) => typeof v === "string" && v.trim() !== "").join(" ");
  const displayName = (typeof body.DisplayName === "string" && body.DisplayName.trim()) || derived || (typeof body.CompanyName === "string" && body.CompanyName.trim()) || "";
  if (!displayName) throw faults.requiredMissing("DisplayName");
  const out: Record<string, unknown> = { ...body, DisplayName: displayName };
  checkLength(out, "DisplayName", 500);
  checkLength(out, "CompanyName", 100);

  const lower = displayName.toLowerCase();
  for (const space of NAME_SPACES) {
    for (const other of Object.values(realm.entities[space])) {
      if (space === kind && other.Id === previous?.Id) continue;
      if (String(other.DisplayName).toLowerCase() === lower) throw faults.duplicateName();
    }
  }

  const currency = resolveCurrency(realm, out.CurrencyRef ?? previous?.CurrencyRef);
  if (previous && refValue(previous.CurrencyRef) !== currency.value && hasTransactions(realm, kind, previous.Id)) {
    throw faults.business(`You can't change the currency of a ${kind.toLowerCase()} that has transactions.`, "CurrencyRef");
  }
  out.CurrencyRef = currency;
  out.FullyQualifiedName = displayName;
  out.PrintOnCheckName ??= displayName;
  out.Active ??= true;
  out.Balance = previous?.Balance ?? 0;
  if (kind === "Customer") {
    out.BalanceWithJobs = previous?.BalanceWithJobs ?? 0;
    out.Job ??= false;
  }
  return out;
}

function hasTransactions(realm: RealmState, kind: "Customer" | "Vendor", id: string): boolean {
  const [entity, refField] = kind === "Customer" ? (["Invoice", "CustomerRef"] as const) : (["Bill", "VendorRef"] as const);
  return Object.values(realm.entities[entity]).some((txn) => refValue(txn[refField]) === id);
}
