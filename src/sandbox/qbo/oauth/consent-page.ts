import type { RealmState } from "../state.js";

/** The consent page HTML. Plain server-rendered form: no scripts, works in any test browser. */
export interface ConsentPageInput {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  realms: RealmState[];
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function renderConsentPage(input: ConsentPageInput): string {
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const realmOptions = input.realms
    .map((realm, index) =>
      `<label><input type="radio" name="realm" value="${realm.realmId}"${index === 0 ? " checked" : ""}> ${escapeHtml(realm.prefs.companyName)} <small>(${realm.realmId})</small></label><br>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Connect to QuickBooks (sandbox)</title>
<style>body{font-family:sans-serif;max-width:36rem;margin:3rem auto}fieldset{margin:1rem 0}button{margin-right:1rem}</style></head>
<body>
<h1>Connect your QuickBooks company</h1>
<p>The app <strong>${escapeHtml(input.clientId)}</strong> wants to access your accounting data
(<code>${escapeHtml(input.scope)}</code>). This is the devsync QuickBooks <em>sandbox</em>.</p>
<form method="post" action="oauth2">
${hidden("client_id", input.clientId)}${hidden("redirect_uri", input.redirectUri)}${hidden("scope", input.scope)}${hidden("state", input.state)}
<fieldset><legend>Company</legend>
${realmOptions}
<label><input type="radio" name="realm" value="new"${input.realms.length === 0 ? " checked" : ""}> New company:</label>
<input type="text" name="company_name" placeholder="Company name" aria-label="New company name">
</fieldset>
<button type="submit" name="decision" value="approve">Connect</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
</body>
</html>`;
}

export function renderErrorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><h1>Something went wrong</h1><p>${escapeHtml(message)}</p></body></html>`;
}
