import type { Config } from "../../config.js";
import type { DoctorCheck } from "./doctor-report.js";

const SECTION = "QuickBooks app";
export const CALLBACK_PATH = "/api/qbo/callback";

/** The Intuit app settings: present, and consistent with where users reach devsync. */
export function checkQboApp(config: Config, connectedCompanies: number, checks: DoctorCheck[]): void {
  const { qbo } = config;
  const missing = [!qbo.clientId && "QBO_CLIENT_ID", !qbo.clientSecret && "QBO_CLIENT_SECRET"].filter(Boolean) as string[];
  if (missing.length > 0) {
    checks.push({
      section: SECTION,
      name: "client id and secret",
      status: connectedCompanies > 0 ? "fail" : "warn",
      detail: `${missing.join(" and ")} not set${connectedCompanies > 0 ? `, yet ${connectedCompanies} compan${connectedCompanies === 1 ? "y is" : "ies are"} connected (tokens cannot be refreshed)` : ": companies cannot connect to QuickBooks"}`,
      hint: "copy them from the Keys & credentials page of your app on developer.intuit.com",
    });
  } else {
    checks.push({ section: SECTION, name: "client id and secret", status: "ok", detail: `set (client id ${qbo.clientId!.slice(0, 6)}…, ${qbo.environment})` });
  }

  const redirect = new URL(qbo.redirectUri);
  const publicUrl = new URL(config.publicUrl);
  const problems: { status: "warn" | "fail"; text: string; hint: string }[] = [];
  if (redirect.pathname !== CALLBACK_PATH) {
    problems.push({ status: "fail", text: `its path is ${redirect.pathname}, but devsync answers the callback at ${CALLBACK_PATH}`, hint: `set QBO_REDIRECT_URI to ${config.publicUrl}${CALLBACK_PATH} (or unset it)` });
  }
  if (redirect.origin !== publicUrl.origin) {
    problems.push({
      status: "warn",
      text: `it is not under PUBLIC_URL (${config.publicUrl})`,
      hint: "fine behind a proxy that routes it to devsync; otherwise unset QBO_REDIRECT_URI so it follows PUBLIC_URL",
    });
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(redirect.hostname);
  if (qbo.environment === "production" && redirect.protocol !== "https:") {
    problems.push({ status: "fail", text: "production Intuit apps only accept https redirect URIs", hint: "serve devsync over https (a reverse proxy with a certificate) and set PUBLIC_URL to that https address" });
  } else if (qbo.environment === "production" && local) {
    problems.push({ status: "fail", text: "production Intuit apps refuse localhost redirect URIs", hint: "set PUBLIC_URL to the address users reach devsync at" });
  }
  if (problems.length === 0) {
    checks.push({ section: SECTION, name: "redirect URI", status: "ok", detail: `${qbo.redirectUri} (register exactly this URI in the Intuit app)` });
  } else {
    for (const problem of problems) checks.push({ section: SECTION, name: "redirect URI", status: problem.status, detail: `${qbo.redirectUri}: ${problem.text}`, hint: problem.hint });
  }

  const sandboxHost = /sandbox-quickbooks\.api\.intuit\.com/.test(qbo.apiBase);
  const productionHost = /\/\/quickbooks\.api\.intuit\.com/.test(qbo.apiBase);
  if ((qbo.environment === "production" && sandboxHost) || (qbo.environment === "sandbox" && productionHost)) {
    checks.push({ section: SECTION, name: "API base", status: "fail", detail: `QBO_ENVIRONMENT is ${qbo.environment} but QBO_API_BASE is ${qbo.apiBase}`, hint: "unset QBO_API_BASE so it follows QBO_ENVIRONMENT" });
  } else {
    checks.push({ section: SECTION, name: "API base", status: "ok", detail: qbo.apiBase });
  }
}
