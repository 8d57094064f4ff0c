import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { createApp } from "../../src/api/create-app.js";
import type { DevposTester, QboCandidate, QboCatalog, QboConnectService } from "../../src/api/deps.js";
import { registerDashboard } from "../../src/api/routes/dashboard.js";
import { systemClock } from "../../src/clock.js";
import { DevposLoginRefusedError } from "../../src/connectors/devpos/devpos-auth.js";
import { QboConnectError } from "../../src/connectors/qbo/connect.js";
import { createLogger } from "../../src/logger.js";
import { createSandboxServer, sandboxUrls, type SandboxServer } from "../../src/sandbox/server.js";
import { createKeyring, generateKeyBase64, keyFromBase64 } from "../../src/secrets/keyring.js";
import { createSecretBox } from "../../src/secrets/secret-box.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { createSyncConnectors, type SyncConnectors } from "../../src/sync/connectors.js";
import { createSyncExecutor } from "../../src/sync/executor.js";
import { createWorker, type Worker } from "../../src/worker/index.js";
import { createEmptyTestDatabase, type TestDatabase } from "../helpers/test-db.js";

export const UI_DIST = fileURLToPath(new URL("../../ui/dist/", import.meta.url));
const UI_CONFIG = fileURLToPath(new URL("../../ui/vite.config.ts", import.meta.url));
const SANDBOX_CLIENT = { id: "sandbox-client", secret: "sandbox-secret" };

/** `npm test` builds the dashboard in pretest; a direct `vitest run` builds it here once. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (existsSync(`${UI_DIST}index.html`)) return;
  const { build } = await import("vite");
  await build({ configFile: UI_CONFIG, logLevel: "warn" });
}

export interface Stack {
  baseUrl: string;
  sandbox: SandboxServer;
  database: TestDatabase;
  app: FastifyInstance;
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The real system on 127.0.0.1: the sandbox simulators (DevPos with seeded demo tenants,
 * QuickBooks with its consent page), a fresh SQLite database, createApp with the dashboard, the
 * QuickBooks connector and the sync engine behind a real worker.
 *
 * The adapters below (connector → QboConnectService / DevposTester / QboCatalog) are the wiring
 * `devsync serve` does not do yet; they call only the real connectors and translate their
 * expected failures into the API's ConnectorResult values.
 */
export async function startStack(): Promise<Stack> {
  await ensureDashboardBuilt();
  const logger = createLogger({ level: "silent" });
  const sandbox = await createSandboxServer({ port: 0, seed: 11, qbo: { autoApprove: false } });
  const urls = sandboxUrls(sandbox.url);
  const database = await createEmptyTestDatabase("sqlite");
  await migrateToLatest(database);
  const keyring = createKeyring(keyFromBase64(generateKeyBase64()));
  const box = createSecretBox(() => keyring);
  const clock = systemClock;

  // The redirect URI names the app's own port, known only after listen, so the connectors are
  // made on first use. One QBO connector serves the connect flow and the sync engine, as in serve.
  let baseUrl = "";
  let engine: SyncConnectors | undefined;
  const connectors = () =>
    (engine ??= createSyncConnectors(
      { db: database.db, box, clock, logger },
      {
        qbo: {
          oauth: {
            clientId: SANDBOX_CLIENT.id,
            clientSecret: SANDBOX_CLIENT.secret,
            authorizeUrl: urls.qboAuthorizeUrl,
            tokenUrl: urls.qboTokenUrl,
            revokeUrl: urls.qboRevokeUrl,
            redirectUri: `${baseUrl}/api/qbo/callback`,
          },
          environment: "sandbox",
          client: { apiBase: urls.qboApiBase },
        },
        devpos: { baseUrl: urls.devposBase },
      },
    ));
  const qbo = () => connectors().qbo;

  const qboConnect: QboConnectService = {
    async startConnect(input) {
      const { authorizeUrl } = await qbo().startConnect(input);
      return { ok: true, authorizeUrl };
    },
    async completeConnect(input) {
      try {
        const result = await qbo().completeConnect(input);
        return { ok: true, companyId: result.companyId, realmId: result.realmId };
      } catch (error) {
        if (!(error instanceof QboConnectError)) throw error;
        const reason = error.code === "realm_in_use" ? "realm_in_use" : error.code.startsWith("state_") || error.code === "missing_parameters" ? "invalid_state" : error.code === "revoke_failed" ? "unavailable" : "rejected";
        return { ok: false, reason, message: error.userMessage };
      }
    },
    async disconnect({ companyId }) {
      try {
        await qbo().disconnect(companyId);
        return { ok: true };
      } catch (error) {
        if (error instanceof QboConnectError) return { ok: false, reason: "unavailable", message: error.userMessage };
        throw error;
      }
    },
  };

  const devposTester: DevposTester = {
    async testCredentials({ companyId }) {
      try {
        await connectors().devpos.forCompany(companyId).checkLogin();
        return { ok: true };
      } catch (error) {
        if (error instanceof DevposLoginRefusedError) return { ok: false, reason: "rejected", message: "DevPos refused the login: check the tenant, username and password." };
        return { ok: false, reason: "unavailable", message: (error as Error).message };
      }
    },
  };

  const list = (entity: string, where: string, detail: (row: Record<string, unknown>) => string | null) => async (companyId: number) => {
    try {
      const rows = await qbo().clientFor(companyId).queryAll<Record<string, unknown>>(entity, where);
      return { ok: true as const, items: rows.map((row): QboCandidate => ({ id: String(row.Id), name: String(row.Name ?? row.FullyQualifiedName ?? row.Id), detail: detail(row) })) };
    } catch (error) {
      return { ok: false as const, reason: "unavailable" as const, message: (error as Error).message };
    }
  };
  const qboCatalog: QboCatalog = {
    listIncomeItems: list("Item", "Type IN ('Service', 'NonInventory')", (r) => (typeof r.Type === "string" ? r.Type : null)),
    listExpenseAccounts: list("Account", "AccountType IN ('Expense', 'Cost of Goods Sold')", (r) => (typeof r.AccountType === "string" ? r.AccountType : null)),
    listTaxCodes: list("TaxCode", "Active = true", (r) => (typeof r.Description === "string" ? r.Description : null)),
  };

  const worker = createWorker({
    db: database.db,
    logger,
    executor: createSyncExecutor({
      db: database.db,
      logger,
      connectors: {
        qboFor: (companyId) => connectors().qboFor(companyId),
        devposFor: (companyId) => connectors().devposFor(companyId),
      },
    }),
    pollMs: 200,
  });

  const app = await createApp({ db: database, logger, secrets: box, clock, qboConnect, devposTester, qboCatalog, docs: false });
  await registerDashboard(app, { distDir: UI_DIST });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  baseUrl = address.replace("localhost", "127.0.0.1");
  worker.start();

  return {
    baseUrl,
    sandbox,
    database,
    app,
    worker,
    async close() {
      await worker.stop(2000);
      await app.close();
      await sandbox.close();
      await database.drop();
    },
  };
}
