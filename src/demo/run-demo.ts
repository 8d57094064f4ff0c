import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { seedDemoTenants, type DemoTenant } from "../sandbox/devpos/demo-tenants.js";
import { createSandboxServer, sandboxUrls, type SandboxServer } from "../sandbox/server.js";
import { checkBooks, describeBooks, type BooksCheck } from "./books-check.js";
import { createDemoApiClient, type DemoApiClient } from "./demo-api-client.js";
import { EXAMPLE_SCHEDULES } from "./example-schedules.js";
import { freePort, startServeProcess, type ServeProcess } from "./serve-process.js";

/** Marks a directory the demo created, so it may wipe it on the next start and nothing else. */
const MARKER = ".devsync-demo";
const SANDBOX_CLIENT_ID = "devsync-demo";
const FINAL = new Set(["succeeded", "partial", "failed", "cancelled", "skipped"]);

export interface DemoOptions {
  /** Default ./data/demo; wiped on start when a previous demo made it. */
  dataDir?: string;
  /** devsync's port (default 8080; 0: any free port). */
  port?: number;
  /** The sandbox's port (default 4010; 0: any free port). */
  sandboxPort?: number;
  seed?: number;
  companies?: number;
  /** Documents over all companies, spread over the last 90 days (default 2,000). */
  documents?: number;
  /** The built CLI to run `serve` from (default: dist/cli/main.js next to this module). */
  cliPath?: string;
  /** Longest wait for the first sync of each company (default 15 min). */
  firstSyncTimeoutMs?: number;
  progress?: (line: string) => void;
}

export interface DemoCompany {
  id: number;
  code: string;
  name: string;
  documents: number;
  realmId: string | null;
  schedules: { id: number; label: string; nextRun: string | null }[];
  firstRun: { id: number; status: string; errorCode: string | null; errorMessage: string | null; summary: Record<string, unknown> | null; seconds: number } | null;
  /** The books after the first sync, from both sandboxes' own state (src/demo/books-check.ts). */
  books: BooksCheck | null;
}

export interface DemoHandle {
  dashboardUrl: string;
  sandboxUrl: string;
  dataDir: string;
  logFile: string;
  admin: { email: string; password: string };
  companies: DemoCompany[];
  api: DemoApiClient;
  sandbox: SandboxServer;
  serve: ServeProcess;
  /** Stops devsync serve (graceful, then forced) and the sandbox. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The whole newcomer's tour, driven through the real product surfaces: the sandboxes (DevPos
 * and QuickBooks) in this process, `devsync serve` as its own process on SQLite in the demo
 * directory, then, over the REST API as an administrator would: the first admin (a random
 * password), the companies, their DevPos logins, the real QuickBooks OAuth flow (the sandbox
 * auto-approves), the four example schedules and a first full sync whose outcome is reported
 * as the API reports it.
 */
export async function startDemo(options: DemoOptions = {}): Promise<DemoHandle> {
  const say = options.progress ?? (() => {});
  const dataDir = resolve(options.dataDir ?? "./data/demo");
  prepareDataDir(dataDir);

  const companiesWanted = options.companies ?? 3;
  const documents = options.documents ?? 2_000;
  const port = options.port === 0 ? await freePort() : (options.port ?? 8080);
  const url = `http://127.0.0.1:${port}`;
  // An Intuit app of our own in the sandbox, registered with devsync's exact redirect URI.
  const app = { clientId: SANDBOX_CLIENT_ID, clientSecret: randomBytes(16).toString("hex"), redirectUris: [`${url}/api/qbo/callback`] };
  const sandbox = await createSandboxServer({ port: options.sandboxPort ?? 4010, qbo: { autoApprove: true, clients: [app] } });
  let serve: ServeProcess | undefined;
  const stopAll = async () => {
    await serve?.stop();
    await sandbox.close();
  };
  try {
    const tenants: DemoTenant[] = seedDemoTenants(sandbox.devpos, {
      seed: options.seed ?? 42,
      clock: sandbox.clock,
      tenants: companiesWanted,
      documentsPerTenant: Math.ceil(documents / companiesWanted),
      days: 90,
    });
    say(`sandbox: DevPos and QuickBooks simulators at ${sandbox.url} (${tenants.reduce((n, t) => n + t.documents, 0)} e-invoices over 90 days, every edge case on)`);

    const urls = sandboxUrls(sandbox.url);
    const logFile = join(dataDir, "devsync.log");
    serve = await startServeProcess({
      cliPath: options.cliPath,
      cwd: dataDir,
      logFile,
      url,
      env: {
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_URL: url,
        LOG_LEVEL: "info",
        QBO_CLIENT_ID: app.clientId,
        QBO_CLIENT_SECRET: app.clientSecret,
        QBO_ENVIRONMENT: "sandbox",
        QBO_AUTHORIZE_URL: urls.qboAuthorizeUrl,
        QBO_TOKEN_URL: urls.qboTokenUrl,
        QBO_REVOKE_URL: urls.qboRevokeUrl,
        QBO_API_BASE: urls.qboApiBase,
        DEVPOS_BASE_URL: urls.devposBase,
      },
    });
    say(`devsync serve: ${url} (SQLite in ${dataDir}, log in ${logFile})`);

    const api = createDemoApiClient(url);
    const admin = { email: "admin@demo.devsync.dev", password: randomBytes(12).toString("base64url") };
    const session = await api.call<{ csrf_token: string }>("POST", "/api/auth/setup", { email: admin.email, name: "Demo Admin", password: admin.password });
    api.useCsrfToken(session.csrf_token);
    say(`admin: ${admin.email} created`);

    const companies: DemoCompany[] = [];
    for (const tenant of tenants) companies.push(await addCompany(api, tenant, say));
    for (const company of companies) {
      await runFirstSync(api, company, options.firstSyncTimeoutMs ?? 15 * 60_000, say);
      if (company.realmId) {
        company.books = checkBooks(sandbox, company.code, company.realmId);
        say(`first sync of ${company.code}: ${describeBooks(company.books)}`);
      }
    }

    return {
      dashboardUrl: `${url}/`,
      sandboxUrl: sandbox.url,
      dataDir,
      logFile,
      admin,
      companies,
      api,
      sandbox,
      serve,
      stop: (() => {
        let stopping: Promise<void> | undefined;
        return () => (stopping ??= stopAll());
      })(),
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}

async function addCompany(api: DemoApiClient, tenant: DemoTenant, say: (line: string) => void): Promise<DemoCompany> {
  const created = await api.call<{ id: number; code: string; name: string }>("POST", "/api/companies", { code: tenant.tenant, name: tenant.companyName });
  const id = created.id;
  await api.call("PUT", `/api/companies/${id}/devpos`, { tenant: tenant.tenant, username: tenant.username, password: tenant.password });
  const test = await api.call<{ ok: boolean; message: string }>("POST", `/api/companies/${id}/devpos/test`, {});
  if (!test.ok) throw new Error(`DevPos login of ${tenant.companyName} failed: ${test.message}`);

  // The real OAuth dance: authorize URL → (sandbox consent, auto-approved) → redirect URI on devsync.
  const { authorize_url } = await api.call<{ authorize_url: string }>("POST", `/api/companies/${id}/qbo/connect`, {});
  const consent = await fetch(authorize_url, { redirect: "manual" });
  const location = consent.headers.get("location");
  if (consent.status !== 302 || !location) throw new Error(`the QuickBooks sandbox did not redirect back (HTTP ${consent.status}): ${(await consent.text()).slice(0, 200)}`);
  const callback = await api.getRaw(location);
  if (callback.status !== 200) throw new Error(`devsync's OAuth callback answered ${callback.status}: ${callback.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 300)}`);
  const connection = await api.call<{ status: string; realm_id: string | null }>("GET", `/api/companies/${id}/qbo`);
  if (connection.status !== "connected") throw new Error(`${tenant.companyName} is ${connection.status} after the OAuth flow`);

  const schedules: DemoCompany["schedules"] = [];
  for (const example of EXAMPLE_SCHEDULES) {
    const schedule = await api.call<{ id: number; next_run_at: string | null; next_run_text?: string | null }>("POST", `/api/companies/${id}/schedules`, example.body);
    schedules.push({ id: schedule.id, label: example.label, nextRun: schedule.next_run_text ?? schedule.next_run_at });
  }
  say(`company ${created.code} ${created.name}: DevPos login ok, QuickBooks connected (realm ${connection.realm_id}), ${schedules.length} schedules`);
  return { id, code: created.code, name: created.name, documents: tenant.documents, realmId: connection.realm_id, schedules, firstRun: null, books: null };
}

async function runFirstSync(api: DemoApiClient, company: DemoCompany, timeoutMs: number, say: (line: string) => void): Promise<void> {
  const started = Date.now();
  const queued = await api.call<{ id: number }>("POST", `/api/companies/${company.id}/runs`, { job_type: "full", days: 90 });
  say(`first sync of ${company.code}: run ${queued.id} queued (full, last 90 days)`);
  let run: Record<string, any> = queued;
  let lastStatus = "";
  while (!FINAL.has(run.status as string)) {
    if (Date.now() - started > timeoutMs) throw new Error(`run ${queued.id} of ${company.name} did not finish within ${Math.round(timeoutMs / 1000)} s (status ${run.status})`);
    await delay(500);
    run = await api.call("GET", `/api/runs/${queued.id}`);
    if (run.status !== lastStatus) {
      lastStatus = run.status as string;
      if (!FINAL.has(lastStatus)) say(`first sync of ${company.code}: ${lastStatus}`);
    }
  }
  company.firstRun = {
    id: queued.id,
    status: run.status as string,
    errorCode: (run.error_code as string | null) ?? null,
    errorMessage: (run.error_message as string | null) ?? null,
    summary: (run.summary as Record<string, unknown> | null) ?? null,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  say(`first sync of ${company.code}: ${describeRun(company.firstRun)}`);
}

/** "succeeded in 12.3 s: 410 invoices, 250 bills created, 3 failed" or the run's own error. */
export function describeRun(run: NonNullable<DemoCompany["firstRun"]>): string {
  if (run.status === "failed" || run.status === "cancelled") return `${run.status} after ${run.seconds} s: ${run.errorMessage ?? run.errorCode ?? "no reason given"}`;
  const s = run.summary as { sales?: Record<string, number>; bills?: Record<string, number> } | null;
  const part = (k: Record<string, number> | undefined, noun: string) =>
    k ? `${noun}: ${k.created ?? 0} created, ${k.updated ?? 0} updated, ${k.unchanged ?? 0} unchanged, ${k.skipped ?? 0} skipped, ${k.failed ?? 0} failed` : undefined;
  const details = [part(s?.sales, "sales → invoices"), part(s?.bills, "purchases → bills")].filter(Boolean).join("; ");
  return `${run.status} in ${run.seconds} s${details ? ` (${details})` : ""}`;
}

function prepareDataDir(dataDir: string): void {
  if (existsSync(dataDir)) {
    const entries = readdirSync(dataDir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`${dataDir} exists and was not made by the demo; choose another --data-dir (the demo wipes its directory on every start)`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, MARKER), "Made by `devsync demo`; wiped and recreated on every demo start.\n");
}
