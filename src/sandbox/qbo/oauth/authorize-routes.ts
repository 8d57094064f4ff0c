import type { FastifyInstance, FastifyReply } from "fastify";
import type { SimulatorContext } from "../context.js";
import { findClient, isRedirectAllowed } from "./clients.js";
import { AUTH_CODE_TTL } from "./tokens.js";
import { renderConsentPage, renderErrorPage } from "./consent-page.js";

const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

type Params = Record<string, string | undefined>;

/** Mirrors appcenter.intuit.com/connect/oauth2: consent page, then a redirect with code/state/realmId. */
export function registerAuthorizeRoutes(app: FastifyInstance, sim: SimulatorContext): void {
  const redirectWith = (reply: FastifyReply, redirectUri: string, params: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
    return reply.redirect(target.toString(), 302);
  };
  const errorPage = (reply: FastifyReply, message: string) =>
    reply.code(400).type("text/html; charset=utf-8").send(renderErrorPage(message));

  /** Validates what must be right before we may redirect anywhere (RFC 6749 §4.1.2.1). */
  const validate = (params: Params) => {
    const client = findClient(sim.state, params.client_id);
    if (!client) return { error: "Invalid client_id." } as const;
    const redirectUri = params.redirect_uri ?? "";
    if (!isRedirectAllowed(client, redirectUri)) return { error: "The redirect_uri is not registered for this app." } as const;
    return { client, redirectUri } as const;
  };

  const issueCode = (reply: FastifyReply, params: Params, clientId: string, redirectUri: string, realmId: string) => {
    const code = `AB11${sim.random.token(10, "0123456789")}${sim.random.token(36)}`;
    sim.state.codes[code] = { code, clientId, realmId, redirectUri, scope: params.scope ?? "", expiresAt: sim.clock.now() + AUTH_CODE_TTL };
    return redirectWith(reply, redirectUri, { code, state: params.state ?? "", realmId });
  };

  app.get("/connect/oauth2", async (request, reply) => {
    const params = request.query as Params;
    const checked = validate(params);
    if ("error" in checked) return errorPage(reply, checked.error!);
    const state = params.state ?? "";
    if (params.response_type !== "code") return redirectWith(reply, checked.redirectUri, { error: "unsupported_response_type", state });
    const scopes = (params.scope ?? "").split(/\s+/);
    if (!scopes.includes(ACCOUNTING_SCOPE)) return redirectWith(reply, checked.redirectUri, { error: "invalid_scope", state });

    const pickedRealm = params.sandbox_realm;
    if (pickedRealm !== undefined) {
      if (!sim.state.realms[pickedRealm]) return errorPage(reply, `Unknown sandbox_realm ${pickedRealm}.`);
      return issueCode(reply, params, checked.client.clientId, checked.redirectUri, pickedRealm);
    }
    if (sim.state.config.autoApprove || params.sandbox_auto_approve === "1") {
      return issueCode(reply, params, checked.client.clientId, checked.redirectUri, sim.createRealm().realmId);
    }
    const html = renderConsentPage({
      clientId: checked.client.clientId,
      redirectUri: checked.redirectUri,
      scope: params.scope ?? "",
      state,
      realms: Object.values(sim.state.realms),
    });
    return reply.type("text/html; charset=utf-8").send(html);
  });

  app.post("/connect/oauth2", async (request, reply) => {
    const form = (request.body ?? {}) as Params;
    const checked = validate(form);
    if ("error" in checked) return errorPage(reply, checked.error!);
    if (form.decision !== "approve") return redirectWith(reply, checked.redirectUri, { error: "access_denied", state: form.state ?? "" });
    let realmId = form.realm;
    if (!realmId || realmId === "new") {
      const companyName = form.company_name?.trim();
      realmId = sim.createRealm(companyName ? { companyName } : {}).realmId;
    } else if (!sim.state.realms[realmId]) {
      return errorPage(reply, `Unknown company ${realmId}.`);
    }
    return issueCode(reply, form, checked.client.clientId, checked.redirectUri, realmId);
  });
}
