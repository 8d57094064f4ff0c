import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { FetchLike } from "../../connectors/http.js";
import type { EmailSender } from "../../notify/email-sender.js";
import type { DbHandle } from "../../storage/db.js";
import { listCompanies, type Company } from "../../storage/repos/companies.js";
import { getQboConnection } from "../../storage/repos/qbo-connections.js";
import { checkAlerts } from "./check-alerts.js";
import { checkCompany } from "./check-companies.js";
import { checkDatabase, message } from "./check-database.js";
import { checkQboApp } from "./check-qbo-app.js";
import { checkSecrets } from "./check-secrets.js";
import { createQboConnector, qboConnectorOptionsFromConfig } from "../../connectors/qbo/qbo-connector.js";
import { readRealmProfile } from "../../connectors/qbo/realm-profile.js";
import { summarize, type DoctorCheck, type DoctorReport } from "./doctor-report.js";

export interface DoctorDeps {
  config: Config;
  db: DbHandle;
  /** How the database is named in the report (never with its password). */
  databaseLabel: string;
  clock: Clock;
  fetch?: FetchLike;
  /** Companies checked at once (default 4). */
  concurrency?: number;
  devposTimeoutMs?: number;
  emailSender?: (url: string, from: string) => EmailSender;
}

/**
 * Everything an operator would check by hand before trusting devsync: database and schema,
 * clock, secret key, Intuit app settings, every active company's DevPos login (a real login)
 * and QuickBooks authorization and settings, and the alert channels. Read-only, except that
 * reading a company's QuickBooks settings refreshes its access token when due, as a sync would.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const { config } = deps;
  const dbUp = await checkDatabase(deps.db, deps.databaseLabel, deps.clock, checks);
  const db = dbUp ? deps.db.db : undefined;
  const box = await checkSecrets(config, db, checks);

  let companies: Company[] = [];
  if (db) {
    try {
      for (let cursor: string | null = null; ; ) {
        const page = await listCompanies(db, { active: true, limit: 500, cursor });
        companies.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
    } catch (error) {
      checks.push({ section: "Companies", name: "list", status: "fail", detail: `cannot list companies: ${message(error)}` });
      companies = [];
    }
  }
  let connected = 0;
  for (const company of companies) if ((await getQboConnection(db!, company.id))?.status === "connected") connected += 1;
  checkQboApp(config, connected, checks);

  if (db && companies.length === 0) checks.push({ section: "Companies", name: "companies", status: "skip", detail: "no active company yet" });
  const qbo =
    db && box && config.qbo.clientId && config.qbo.clientSecret
      ? createQboConnector({ db, box, clock: deps.clock, fetch: deps.fetch }, doctorQboOptions(config))
      : undefined;
  const readProfile = qbo ? (companyId: number, realmId: string) => readRealmProfile(qbo.clientFor(companyId), realmId) : undefined;
  const results: DoctorCheck[][] = new Array(companies.length);
  let next = 0;
  const lane = async () => {
    while (next < companies.length) {
      const i = next++;
      results[i] = await checkCompany(
        { db: db!, box, config, clock: deps.clock, fetch: deps.fetch ?? globalThis.fetch, devposTimeoutMs: deps.devposTimeoutMs, readRealmProfile: readProfile },
        companies[i]!,
      ).catch((error: unknown) => [{ section: "Companies", name: `${companies[i]!.code}`, status: "fail" as const, detail: message(error) }]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 4) }, lane));
  checks.push(...results.flat());

  await checkAlerts(config, db, checks, deps.emailSender);
  return summarize(checks);
}

/** A report should come back in seconds: short deadlines, one retry, no waiting out a 429. */
function doctorQboOptions(config: Config) {
  const options = qboConnectorOptionsFromConfig(config);
  return { ...options, client: { ...options.client, timeoutMs: 15_000, maxAttempts: 2, maxThrottleRetries: 0 } };
}
