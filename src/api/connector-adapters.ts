import type { DevposClient } from "../connectors/devpos/index.js";
import { DevposCredentialsError, DevposNotConfiguredError } from "../connectors/devpos/index.js";
import type { QboConnector } from "../connectors/qbo/index.js";
import { QboConnectError, QboGrantRevokedError, QboNotConnectedError, QboOAuthError } from "../connectors/qbo/index.js";
import type { ConnectorFailure, DevposTester, QboCandidate, QboCatalog, QboConnectService, QboRealmCheckService } from "./deps.js";

/**
 * The connectors (src/connectors) behind the API's small interfaces (deps.ts): their thrown,
 * typed refusals become the result values routes turn into 4xx answers.
 */

export function qboConnectServiceFrom(connector: Pick<QboConnector, "startConnect" | "completeConnect" | "disconnect">): QboConnectService {
  return {
    async startConnect(input) {
      const { authorizeUrl } = await connector.startConnect(input);
      return { ok: true, authorizeUrl };
    },
    async completeConnect(input) {
      try {
        const result = await connector.completeConnect(input);
        return { ok: true, companyId: result.companyId, realmId: result.realmId };
      } catch (error) {
        return connectFailure(error);
      }
    },
    async disconnect({ companyId }) {
      try {
        // Revoking at Intuit is best effort: the user asked to disconnect, so tokens go either way.
        await connector.disconnect(companyId, { force: true });
        return { ok: true };
      } catch (error) {
        return connectFailure(error);
      }
    },
  };
}

function connectFailure(error: unknown): ConnectorFailure {
  if (error instanceof QboConnectError) {
    const reason: ConnectorFailure["reason"] =
      error.code === "realm_in_use"
        ? "realm_in_use"
        : error.code === "revoke_failed"
          ? "unavailable"
          : error.code === "authorization_denied" || error.code === "code_rejected"
            ? "rejected"
            : "invalid_state";
    return { ok: false, reason, message: error.userMessage };
  }
  if (error instanceof QboOAuthError && error.isTransient) return { ok: false, reason: "unavailable", message: "QuickBooks could not be reached. Try again in a few minutes." };
  throw error;
}

function qboFailure(error: unknown): ConnectorFailure {
  if (error instanceof QboNotConnectedError) {
    return { ok: false, reason: "not_connected", message: error.status === "reauth_required" ? "Reconnect QuickBooks first." : "Connect QuickBooks first." };
  }
  if (error instanceof QboGrantRevokedError) return { ok: false, reason: "not_connected", message: "QuickBooks refused access: reconnect QuickBooks." };
  return { ok: false, reason: "unavailable", message: "QuickBooks could not be reached or refused the request. Try again in a few minutes." };
}

type Row = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

export function qboCatalogFrom(connector: Pick<QboConnector, "clientFor">): QboCatalog {
  async function list(companyId: number, entity: string, keep: (row: Row) => boolean, detail: (row: Row) => string | null) {
    try {
      const rows = await connector.clientFor(companyId).queryAll<Row>(entity, undefined, { limit: 1000 });
      const items: QboCandidate[] = rows
        .filter((r) => r.Active !== false && keep(r))
        .map((r) => ({ id: String(r.Id), name: text(r.FullyQualifiedName) ?? text(r.Name) ?? String(r.Id), detail: detail(r) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { ok: true as const, items };
    } catch (error) {
      return qboFailure(error);
    }
  }
  return {
    listIncomeItems: (companyId) => list(companyId, "Item", (r) => ["Service", "NonInventory", "Inventory"].includes(String(r.Type)), (r) => text(r.Type)),
    listExpenseAccounts: (companyId) =>
      list(companyId, "Account", (r) => r.Classification === "Expense" || ["Expense", "Cost of Goods Sold", "Other Expense"].includes(String(r.AccountType)), (r) => text(r.AccountType)),
    listTaxCodes: (companyId) => list(companyId, "TaxCode", () => true, (r) => text(r.Description)),
  };
}

export function qboRealmCheckFrom(connector: Pick<QboConnector, "checkRealm">): QboRealmCheckService {
  return {
    async recheck({ companyId, apply }) {
      try {
        const outcome = await connector.checkRealm(companyId, apply ? "force" : "unless_chosen");
        return { ok: true, check: { profile: outcome.profile, defaults: outcome.defaults, applied: outcome.applied } };
      } catch (error) {
        return qboFailure(error);
      }
    },
  };
}

export function devposTesterFrom(client: DevposClient): DevposTester {
  return {
    async testCredentials({ companyId }) {
      try {
        await client.forCompany(companyId).checkLogin();
        return { ok: true };
      } catch (error) {
        if (error instanceof DevposCredentialsError) return { ok: false, reason: "rejected", message: "DevPos refused the login: check the NUIS (tenant), username and password." };
        if (error instanceof DevposNotConfiguredError) return { ok: false, reason: "not_configured", message: "Set the DevPos login first." };
        return { ok: false, reason: "unavailable", message: "DevPos could not be reached or answered with an error." };
      }
    },
  };
}
