import { quoteQboString } from "../connectors/qbo/query.js";
import { updateCompany, type Company } from "../storage/repos/companies.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import type { QboEntity, QboGateway } from "./ports.js";
import { writeRequestId } from "./request-ids.js";

/**
 * The income item (invoices) and expense account (bills) documents are booked on: the ones
 * chosen in company settings, else clearly named defaults devsync creates once and saves to the
 * company so settings show them (docs/domain.md §3). Never "the first account QuickBooks returns".
 */
export const DEFAULT_INCOME_NAME = "DevPos sales";
export const DEFAULT_EXPENSE_NAME = "DevPos purchases";

export interface MasterDataDeps {
  db: Db;
  qbo: QboGateway;
  company: Company;
  now: () => Date;
}

export async function ensureIncomeItem(deps: MasterDataDeps): Promise<{ id: string; created: boolean }> {
  if (deps.company.incomeItemId) return { id: deps.company.incomeItemId, created: false };
  const existing = await findByName(deps.qbo, "Item", DEFAULT_INCOME_NAME);
  let id: string;
  let created = false;
  if (existing) {
    id = existing.Id;
  } else {
    const account =
      (await findByName(deps.qbo, "Account", DEFAULT_INCOME_NAME)) ??
      (await deps.qbo.create<QboEntity>(
        "Account",
        { Name: DEFAULT_INCOME_NAME, AccountType: "Income", AccountSubType: "SalesOfProductIncome" },
        { requestId: writeRequestId("income-account", deps.company.id, DEFAULT_INCOME_NAME) },
      ));
    const item = await deps.qbo.create<QboEntity>(
      "Item",
      { Name: DEFAULT_INCOME_NAME, Type: "Service", IncomeAccountRef: { value: account.Id } },
      { requestId: writeRequestId("income-item", deps.company.id, DEFAULT_INCOME_NAME) },
    );
    id = item.Id;
    created = true;
  }
  await updateCompany(deps.db, deps.company.id, { incomeItemId: id }, deps.now());
  deps.company.incomeItemId = id;
  return { id, created };
}

export async function ensureExpenseAccount(deps: MasterDataDeps): Promise<{ id: string; created: boolean }> {
  if (deps.company.expenseAccountId) return { id: deps.company.expenseAccountId, created: false };
  const existing = await findByName(deps.qbo, "Account", DEFAULT_EXPENSE_NAME);
  const account =
    existing ??
    (await deps.qbo.create<QboEntity>(
      "Account",
      { Name: DEFAULT_EXPENSE_NAME, AccountType: "Expense", AccountSubType: "OtherMiscellaneousServiceCost" },
      { requestId: writeRequestId("expense-account", deps.company.id, DEFAULT_EXPENSE_NAME) },
    ));
  await updateCompany(deps.db, deps.company.id, { expenseAccountId: account.Id }, deps.now());
  deps.company.expenseAccountId = account.Id;
  return { id: account.Id, created: existing === undefined };
}

async function findByName(qbo: QboGateway, entity: "Item" | "Account", name: string): Promise<QboEntity | undefined> {
  const rows = await qbo.queryAll<QboEntity>(entity, `Name = ${quoteQboString(name)}`);
  return rows.find((r) => r.Name === name);
}
