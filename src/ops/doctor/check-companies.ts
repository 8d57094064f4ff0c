import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import { DevposLoginRefusedError, loginDevpos } from "../../connectors/devpos/devpos-auth.js";
import type { FetchLike } from "../../connectors/http.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import type { Company } from "../../storage/repos/companies.js";
import { getDevposCredentials, readDevposSecret } from "../../storage/repos/devpos-credentials.js";
import { getQboConnection, readQboTokens } from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import type { RealmProfile } from "../../domain/realm-profile.js";
import { message } from "./check-database.js";
import { checkQboSettings } from "./check-qbo-settings.js";
import type { DoctorCheck } from "./doctor-report.js";

const DAY = 86_400_000;
const SECTION = "Companies";

export interface CompanyCheckDeps {
  db: Db;
  box: SecretBox | undefined;
  config: Config;
  clock: Clock;
  fetch: FetchLike;
  /** Deadline of each DevPos login (default 15 s). */
  devposTimeoutMs?: number;
  /** Reads a connected realm's settings live (absent when the Intuit app is not configured). */
  readRealmProfile?: (companyId: number, realmId: string) => Promise<RealmProfile>;
}

/**
 * Each active company's DevPos login (a real login call), QuickBooks token state, and whether
 * its tax and currency settings fit the QuickBooks company's own (four reads in QuickBooks).
 */
export async function checkCompany(deps: CompanyCheckDeps, company: Company): Promise<DoctorCheck[]> {
  const label = `${company.code} ${company.name}`;
  const qbo = await checkQbo(deps, company, label);
  const checks = [await checkDevpos(deps, company, label), qbo];
  // Settings are worth reading only over a usable connection.
  const connection = qbo.status === "fail" ? undefined : await getQboConnection(deps.db, company.id);
  const read = deps.readRealmProfile;
  if (read && connection?.status === "connected" && connection.realmId) {
    const realmId = connection.realmId;
    checks.push(...(await checkQboSettings(() => read(company.id, realmId), company, label)));
  }
  return checks;
}

async function checkDevpos(deps: CompanyCheckDeps, company: Company, label: string): Promise<DoctorCheck> {
  const name = `${label}: DevPos`;
  const stored = await getDevposCredentials(deps.db, company.id);
  if (!stored) return { section: SECTION, name, status: "warn", detail: "no DevPos login set: nothing can sync", hint: "set it on the company's Connections page" };
  if (!deps.box) return { section: SECTION, name, status: "skip", detail: "not tried: the secret key is not usable" };
  const secret = await readDevposSecret(deps.db, deps.box, company.id).catch(() => undefined);
  if (!secret) return { section: SECTION, name, status: "fail", detail: "the stored DevPos password cannot be decrypted" };
  const { devpos } = deps.config;
  try {
    const token = await loginDevpos(
      { fetch: deps.fetch, clock: deps.clock },
      { baseUrl: devpos.baseUrl, clientId: devpos.clientId, clientSecret: devpos.clientSecret, tenant: secret.tenant, username: secret.username, password: secret.password, timeoutMs: deps.devposTimeoutMs ?? 15_000 },
    );
    const minutes = Math.round((token.expiresAt.getTime() - deps.clock.now().getTime()) / 60_000);
    return { section: SECTION, name, status: "ok", detail: `logged in as ${secret.username} (tenant ${secret.tenant}); token valid ${minutes} min` };
  } catch (error) {
    if (error instanceof DevposLoginRefusedError) {
      return { section: SECTION, name, status: "fail", detail: `DevPos refused the login of ${secret.username} (tenant ${secret.tenant}): ${error.detail}`, hint: "enter the current DevPos password on the company's Connections page" };
    }
    return { section: SECTION, name, status: "fail", detail: `DevPos did not answer the login at ${devpos.baseUrl}: ${message(error)}`, hint: "check DEVPOS_BASE_URL and this machine's network access to DevPos" };
  }
}

async function checkQbo(deps: CompanyCheckDeps, company: Company, label: string): Promise<DoctorCheck> {
  const name = `${label}: QuickBooks`;
  const connection = await getQboConnection(deps.db, company.id);
  const connect = "click \"Connect to QuickBooks\" on the company's Connections page";
  if (!connection || connection.status === "disconnected") return { section: SECTION, name, status: "warn", detail: "not connected: nothing can sync", hint: connect };
  if (connection.status === "reauth_required") {
    return { section: SECTION, name, status: "fail", detail: `reconnect needed: QuickBooks refused the authorization${connection.lastError ? ` (${connection.lastError})` : ""}; schedules are paused`, hint: connect };
  }
  const now = deps.clock.now().getTime();
  const parts = [`connected to realm ${connection.realmId ?? "?"}`];
  if (connection.environment !== deps.config.qbo.environment) {
    return { section: SECTION, name, status: "fail", detail: `connected in ${connection.environment} but QBO_ENVIRONMENT is ${deps.config.qbo.environment}`, hint: "fix QBO_ENVIRONMENT, or reconnect the company" };
  }
  if (deps.box) {
    try {
      const stored = await readQboTokens(deps.db, deps.box, company.id);
      if (!stored?.tokens) return { section: SECTION, name, status: "fail", detail: "connected but no tokens are stored", hint: connect };
    } catch (error) {
      return { section: SECTION, name, status: "fail", detail: `the stored tokens cannot be decrypted: ${message(error)}` };
    }
  }
  if (connection.accessExpiresAt) {
    const left = connection.accessExpiresAt.getTime() - now;
    parts.push(left > 0 ? `access token valid ${Math.round(left / 60_000)} min` : "access token expired (refreshed before the next sync)");
  }
  if (connection.refreshExpiresAt) {
    const left = connection.refreshExpiresAt.getTime() - now;
    if (left <= 0) return { section: SECTION, name, status: "fail", detail: `the refresh token expired on ${iso(connection.refreshExpiresAt)}`, hint: connect };
    parts.push(`refresh token valid ${Math.floor(left / DAY)} days`);
  }
  if (connection.refreshHardExpiresAt) {
    const left = connection.refreshHardExpiresAt.getTime() - now;
    if (left <= 0) return { section: SECTION, name, status: "fail", detail: `the authorization ended on ${iso(connection.refreshHardExpiresAt)}`, hint: connect };
    if (left < 30 * DAY) {
      return { section: SECTION, name, status: "warn", detail: `${parts.join("; ")}; the authorization ends in ${Math.floor(left / DAY)} days (${iso(connection.refreshHardExpiresAt)})`, hint: `reconnect before then: ${connect}` };
    }
    parts.push(`authorization until ${iso(connection.refreshHardExpiresAt)}`);
  }
  if (connection.lastError) parts.push(`last error: ${connection.lastError}`);
  return { section: SECTION, name, status: "ok", detail: parts.join("; ") };
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}
