import { randomBytes } from "node:crypto";
import type { ConnectorResult, DevposTester, QboCandidate, QboCatalog, QboConnectService, QboRealmCheckService } from "../../../src/api/deps.js";
import { qboRealmCheckFrom } from "../../../src/api/connector-adapters.js";
import { checkRealm } from "../../../src/connectors/qbo/realm-check.js";
import type { SecretBox } from "../../../src/secrets/secret-box.js";
import { consumeOAuthState, createOAuthState } from "../../../src/storage/repos/oauth-states.js";
import { getQboConnection, markDisconnected, RealmInUseError, saveConnectedTokens } from "../../../src/storage/repos/qbo-connections.js";
import { readDevposSecret } from "../../../src/storage/repos/devpos-credentials.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { sha256Hex } from "../../../src/api/auth/tokens.js";

/**
 * Small in-test implementations of the API's connector interfaces (src/api/deps.ts): they use
 * the real storage (OAuth states, sealed tokens) and skip only the remote HTTP. Every token
 * they mint is reported to `onSecret`, so the response scanner looks for it.
 */
export interface FakeConnectors {
  qboConnect: QboConnectService;
  devposTester: DevposTester;
  qboCatalog: QboCatalog;
  /** The real re-check over canned QuickBooks answers: a VAT realm with 20 % (id 3) and 6 % (id 4). */
  qboRealmCheck: QboRealmCheckService;
  /** The state in the last authorize URL handed out (what Intuit would send back). */
  lastState(): string | undefined;
  /** DevPos passwords the fake accepts. */
  acceptedDevposPasswords: Set<string>;
}

export function createFakeConnectors(options: { db: () => Db; box: SecretBox; now: () => Date; onSecret: (secret: string) => void }): FakeConnectors {
  let lastState: string | undefined;
  const acceptedDevposPasswords = new Set<string>();
  const catalog: Record<"income" | "expense" | "tax", QboCandidate[]> = {
    income: [{ id: "1", name: "Services" }, { id: "7", name: "Sales of goods", detail: "Inventory" }],
    expense: [{ id: "60", name: "Purchases", detail: "Cost of Goods Sold" }],
    tax: [{ id: "3", name: "TVSH 20%", detail: "20%" }, { id: "4", name: "TVSH 6%", detail: "6%" }],
  };
  async function connected(companyId: number): Promise<boolean> {
    return (await getQboConnection(options.db(), companyId))?.status === "connected";
  }
  const list = (kind: keyof typeof catalog) => async (companyId: number): Promise<ConnectorResult<{ items: QboCandidate[] }>> =>
    (await connected(companyId)) ? { ok: true, items: catalog[kind] } : { ok: false, reason: "not_connected", message: "Connect QuickBooks first." };

  return {
    lastState: () => lastState,
    acceptedDevposPasswords,
    qboConnect: {
      async startConnect({ companyId, userId }) {
        const state = randomBytes(32).toString("base64url");
        lastState = state;
        const now = options.now();
        await createOAuthState(options.db(), { stateHash: sha256Hex(state), companyId, userId, expiresAt: new Date(now.getTime() + 600_000), now });
        return { ok: true, authorizeUrl: `https://appcenter.example/connect/oauth2?client_id=test&state=${state}` };
      },
      async completeConnect({ state, code, realmId, error }) {
        const consumed = await consumeOAuthState(options.db(), sha256Hex(state), options.now());
        if (!consumed.ok) return { ok: false, reason: "invalid_state", message: `This connection link is ${consumed.reason}. Start again.` };
        if (error) return { ok: false, reason: "rejected", message: "The connection was cancelled in QuickBooks." };
        if (!code || !realmId) return { ok: false, reason: "invalid_state", message: "The link back from QuickBooks is incomplete." };
        const accessToken = `at-${randomBytes(24).toString("hex")}`;
        const refreshToken = `rt-${randomBytes(24).toString("hex")}`;
        options.onSecret(accessToken);
        options.onSecret(refreshToken);
        const now = options.now();
        try {
          await saveConnectedTokens(options.db(), options.box, {
            companyId: consumed.state.companyId,
            realmId,
            environment: "sandbox",
            tokens: {
              accessToken,
              refreshToken,
              accessExpiresAt: new Date(now.getTime() + 3_600_000),
              refreshExpiresAt: new Date(now.getTime() + 100 * 86_400_000),
              refreshHardExpiresAt: new Date(now.getTime() + 5 * 365 * 86_400_000),
            },
            now,
          });
        } catch (e) {
          if (e instanceof RealmInUseError) return { ok: false, reason: "realm_in_use", message: "That QuickBooks company is connected to another company." };
          throw e;
        }
        return { ok: true, companyId: consumed.state.companyId, realmId };
      },
      async disconnect({ companyId }) {
        return (await markDisconnected(options.db(), companyId, options.now())) ? { ok: true } : { ok: false, reason: "not_connected", message: "Not connected." };
      },
    },
    devposTester: {
      async testCredentials({ companyId }) {
        const secret = await readDevposSecret(options.db(), options.box, companyId);
        if (!secret) return { ok: false, reason: "not_configured", message: "No DevPos login." };
        return acceptedDevposPasswords.has(secret.password) ? { ok: true } : { ok: false, reason: "rejected", message: "DevPos refused the username or password." };
      },
    },
    qboCatalog: { listIncomeItems: list("income"), listExpenseAccounts: list("expense"), listTaxCodes: list("tax") },
    qboRealmCheck: qboRealmCheckFrom({
      checkRealm: (companyId, apply) => checkRealm({ db: options.db(), clock: { now: options.now }, clientFor: () => cannedVatRealm }, companyId, apply),
    }),
  };
}

const rate = (Id: string, RateValue: number) => ({ Id, Name: `TVSH ${RateValue}%`, RateValue, Active: true });
const code = (Id: string, Name: string, rateId: string) => ({
  Id, Name, Active: true, TaxGroup: false,
  SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: rateId } }] },
  PurchaseTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: rateId } }] },
});
const cannedVatRealm = {
  companyInfo: async () => ({ Id: "1", SyncToken: "0", CompanyName: "Fake Shpk", Country: "AL" }),
  request: async () => ({ Preferences: { TaxPrefs: { UsingSalesTax: true }, CurrencyPrefs: { MultiCurrencyEnabled: true, HomeCurrency: { value: "ALL" } } } }),
  queryAll: async <T>(entity: string) => (entity === "TaxCode" ? [code("3", "TVSH 20%", "30"), code("4", "TVSH 6%", "40")] : [rate("30", 20), rate("40", 6)]) as T[],
};
