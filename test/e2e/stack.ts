import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { createApp } from "../../src/api/create-app.js";
import { devposTesterFrom, qboCatalogFrom, qboConnectServiceFrom, qboRealmCheckFrom } from "../../src/api/connector-adapters.js";
import { registerDashboard } from "../../src/api/routes/dashboard.js";
import { systemClock } from "../../src/clock.js";
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
 * The API reaches the connectors through the same adapters `devsync serve` uses
 * (src/api/connector-adapters.ts).
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

  // The production adapters (as serve uses them), over lazily made connectors.
  const qboConnect = qboConnectServiceFrom({
    startConnect: (input) => qbo().startConnect(input),
    completeConnect: (input) => qbo().completeConnect(input),
    disconnect: (companyId, options) => qbo().disconnect(companyId, options),
  });
  const devposTester = devposTesterFrom({ forCompany: (companyId, log) => connectors().devpos.forCompany(companyId, log) });
  const qboCatalog = qboCatalogFrom({ clientFor: (companyId, log) => qbo().clientFor(companyId, log) });
  const qboRealmCheck = qboRealmCheckFrom({ checkRealm: (companyId, apply) => qbo().checkRealm(companyId, apply) });

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

  const app = await createApp({ db: database, logger, secrets: box, clock, qboConnect, devposTester, qboCatalog, qboRealmCheck, docs: false });
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
