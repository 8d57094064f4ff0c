import { systemClock } from "../../../src/clock.js";
import { generateDocuments, type GeneratedDocument, type GenerateDocumentsOptions } from "../../../src/sandbox/generator/index.js";
import type { SandboxServer, SandboxServerOptions } from "../../../src/sandbox/server.js";
import { sandboxUrls } from "../../../src/sandbox/server.js";
import type { SecretBox } from "../../../src/secrets/secret-box.js";
import { createCompany, updateCompany, type Company, type CompanySettings } from "../../../src/storage/repos/companies.js";
import { upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { createSyncConnectors, type SyncConnectors } from "../../../src/sync/connectors.js";
import { runSync, type SyncHooks, type SyncResult } from "../../../src/sync/execute.js";
import type { JobType } from "../../../src/sync/plan.js";
import { connectCompany, createQboWorld, newSecretBox, qboOptionsFor, silentLogger, startSandbox, type QboWorld } from "../connectors/harness.js";

export { startSandbox };

/** One company wired to the sandbox: DevPos tenant with documents, QBO realm connected. */
export interface SyncWorld {
  sandbox: SandboxServer;
  db: Db;
  box: SecretBox;
  company: Company;
  realmId: string;
  qboWorld: QboWorld;
  connectors: SyncConnectors;
  sync(options?: { jobType?: JobType; window?: { from: string; to: string }; hooks?: Partial<SyncHooks>; runId?: number | null }): Promise<SyncResult>;
}

let seq = 0;

export async function createSyncWorld(
  sandbox: SandboxServer,
  db: Db,
  options: { realm?: { multicurrency?: boolean; tax?: boolean }; settings?: Partial<CompanySettings>; keyBase64?: string } = {},
): Promise<SyncWorld> {
  seq += 1;
  const nuis = `K${String((process.pid * 100 + seq) % 100_000_000).padStart(8, "0")}A`;
  const box = newSecretBox(options.keyBase64);
  let company = await createCompany(db, { code: nuis, name: `Sync test ${seq}` }, new Date());
  if (options.settings) company = await updateCompany(db, company.id, options.settings, new Date());
  sandbox.devpos.addTenant({ tenant: nuis, username: "user", password: "pass" });
  await upsertDevposCredentials(db, box, company.id, { tenant: nuis, username: "user", password: "pass" }, new Date());
  const realmId = sandbox.qbo.createRealm({ multicurrency: options.realm?.multicurrency ?? true, tax: options.realm?.tax ?? false });
  const qboWorld = createQboWorld(sandbox, db, { box });
  await connectCompany(qboWorld, company.id, { realmId });
  const urls = sandboxUrls(sandbox.url);
  const connectors = createSyncConnectors(
    { db, box, clock: systemClock, logger: silentLogger, qboConnector: qboWorld.connector },
    { qbo: qboOptionsFor(sandbox), devpos: { baseUrl: urls.devposBase, listTimeoutMs: 30_000, backoff: { baseMs: 5, maxMs: 20 } } },
  );
  const world: SyncWorld = {
    sandbox,
    db,
    box,
    company,
    realmId,
    qboWorld,
    connectors,
    async sync(o = {}) {
      const jobType = o.jobType ?? "full";
      const window = o.window ?? { from: "2025-01-01", to: "2025-12-31" };
      let runId = o.runId;
      if (runId === undefined) {
        runId = (await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType, windowFrom: window.from, windowTo: window.to, now: new Date() })).id;
      }
      const qbo = await connectors.qboFor(company.id);
      return runSync(
        { db, now: () => new Date(), qbo, devpos: connectors.devposFor(company.id) },
        { companyId: company.id, runId, jobType, window },
        { log: async () => {}, shouldStop: async () => false, ...o.hooks },
      );
    },
  };
  return world;
}

export function seedDocuments(world: SyncWorld, options: Partial<GenerateDocumentsOptions> & { count: number }): GeneratedDocument[] {
  const docs = generateDocuments({ seed: 7, tenantNuis: world.company.code, from: "2025-03-01", to: "2025-03-31", ...options });
  world.sandbox.devpos.addDocuments(world.company.code, docs.map((d) => ({ row: d.row, trueAmount: d.trueAmount })));
  return docs;
}

export interface QboDoc {
  type: "Invoice" | "Bill";
  Id: string;
  SyncToken: string;
  DocNumber?: string;
  TotalAmt: number;
  TxnDate?: string;
  DueDate?: string;
  PrivateNote?: string;
  CurrencyRef?: { value: string };
  ExchangeRate?: number;
  CustomerRef?: { value: string; name?: string };
  VendorRef?: { value: string; name?: string };
  [k: string]: unknown;
}

/** The realm's current invoices and bills, from the sandbox's own state (not metered). */
export function realmDocuments(sandbox: SandboxServer, realmId: string): QboDoc[] {
  const state = sandbox.qbo.snapshot() as { realms: Record<string, { entities: Record<string, Record<string, Record<string, unknown>>> }> };
  const entities = state.realms[realmId]!.entities;
  return (["Invoice", "Bill"] as const).flatMap((type) => Object.values(entities[type] ?? {}).map((e) => ({ ...(e as object), type }) as QboDoc));
}

export function realmEntities(sandbox: SandboxServer, realmId: string, type: string): Record<string, unknown>[] {
  const state = sandbox.qbo.snapshot() as { realms: Record<string, { entities: Record<string, Record<string, Record<string, unknown>>> }> };
  return Object.values(state.realms[realmId]!.entities[type] ?? {});
}

export function eicOf(note: unknown): string | undefined {
  return typeof note === "string" ? /DevPos EIC ([0-9a-f-]{36})/.exec(note)?.[1] : undefined;
}

export { sandboxUrls };
