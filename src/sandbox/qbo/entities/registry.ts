import type { EntityName } from "../state.js";

/**
 * Per-entity facts from Intuit's API reference: the URL segment, which properties the query
 * language may filter/sort on (others, like PrivateNote, are rejected by QBO too), and whether
 * inactive rows are hidden unless the query mentions Active.
 */
export interface EntitySpec {
  name: EntityName;
  filterable: string[];
  hasActive: boolean;
}

const META = ["Id", "MetaData.CreateTime", "MetaData.LastUpdatedTime"];
const PARTY = [...META, "DisplayName", "GivenName", "FamilyName", "CompanyName", "PrimaryEmailAddr", "PrintOnCheckName", "Active", "Balance", "FullyQualifiedName"];
const TXN = [...META, "DocNumber", "TxnDate", "DueDate", "Balance", "TotalAmt", "DepartmentRef", "ClassRef"];

export const ENTITY_SPECS: Record<EntityName, EntitySpec> = {
  Customer: { name: "Customer", filterable: [...PARTY, "Job", "ParentRef"], hasActive: true },
  Vendor: { name: "Vendor", filterable: PARTY, hasActive: true },
  Item: { name: "Item", filterable: [...META, "Name", "Active", "Type", "Sku", "FullyQualifiedName"], hasActive: true },
  Account: { name: "Account", filterable: [...META, "Name", "SubAccount", "ParentRef", "Description", "Active", "Classification", "FullyQualifiedName", "AccountType", "AccountSubType", "CurrentBalance", "CurrentBalanceWithSubAccounts", "CurrencyRef"], hasActive: true },
  TaxCode: { name: "TaxCode", filterable: [...META, "Name", "Active", "Taxable", "TaxGroup"], hasActive: true },
  TaxRate: { name: "TaxRate", filterable: [...META, "Name", "Active", "RateValue", "AgencyRef"], hasActive: true },
  Invoice: { name: "Invoice", filterable: [...TXN, "CustomerRef"], hasActive: false },
  Bill: { name: "Bill", filterable: [...TXN, "VendorRef", "APAccountRef"], hasActive: false },
  Attachable: { name: "Attachable", filterable: [...META, "FileName", "Category", "AttachableRef.EntityRef.Type", "AttachableRef.EntityRef.value"], hasActive: false },
};

export function specByName(name: string): EntitySpec | undefined {
  const lower = name.toLowerCase();
  return Object.values(ENTITY_SPECS).find((spec) => spec.name.toLowerCase() === lower);
}

/** Canonical spelling of a filterable property, or undefined if QBO would reject it. */
export function canonicalField(spec: EntitySpec, field: string): string | undefined {
  const lower = field.toLowerCase();
  return spec.filterable.find((f) => f.toLowerCase() === lower);
}

/** Reads a dotted path; references ({value,name}) compare by value, like QBO. */
export function readPath(entity: Record<string, unknown>, path: string): unknown {
  let current: unknown = entity;
  for (const part of path.split(".")) {
    if (Array.isArray(current)) current = current[0];
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (current && typeof current === "object" && "value" in current) return (current as { value: unknown }).value;
  return current;
}
