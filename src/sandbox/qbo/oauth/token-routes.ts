import type { FastifyInstance, FastifyReply } from "fastify";
import type { SimulatorContext } from "../context.js";
import { oauthErrors } from "../faults.js";
import { authenticateClient } from "./clients.js";
import { exchangeCode, pruneTokens, refreshGrant, revokeToken, type TokenContext, type TokenOutcome } from "./tokens.js";

/** Mirrors oauth.platform.intuit.com/oauth2/v1/tokens/bearer and developer.api.intuit.com/v2/oauth2/tokens/revoke. */
export function registerTokenRoutes(app: FastifyInstance, sim: SimulatorContext): void {
  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).header("cache-control", "no-cache, no-store").header("pragma", "no-cache").send(body);

  app.post("/oauth2/v1/tokens/bearer", async (request, reply) => {
    const client = authenticateClient(sim.state, request.headers.authorization);
    if (!client) return send(reply, 401, oauthErrors.invalidClient);
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (typeof form !== "object" || typeof form.grant_type !== "string") return send(reply, 400, oauthErrors.invalidRequest);

    const ctx: TokenContext = {
      state: sim.state,
      random: sim.random,
      now: sim.clock.now(),
      includeHardExpiry: String(request.headers["x-include-refresh-token-hard-expires-in"]).toLowerCase() === "true",
    };
    pruneTokens(sim.state, ctx.now);
    let outcome: TokenOutcome;
    if (form.grant_type === "authorization_code") {
      if (typeof form.code !== "string" || typeof form.redirect_uri !== "string") return send(reply, 400, oauthErrors.invalidRequest);
      outcome = exchangeCode(ctx, client.clientId, form.code, form.redirect_uri);
    } else if (form.grant_type === "refresh_token") {
      if (typeof form.refresh_token !== "string") return send(reply, 400, oauthErrors.invalidRequest);
      outcome = refreshGrant(ctx, client.clientId, form.refresh_token, sim.state.config.rotation);
    } else {
      return send(reply, 400, oauthErrors.unsupportedGrantType);
    }
    if (outcome.ok) return send(reply, 200, outcome.body);
    return send(reply, 400, outcome.error === "invalid_grant_code" ? oauthErrors.invalidGrantCode : oauthErrors.invalidGrantRefresh);
  });

  // Intuit documents a JSON body; some clients (node-quickbooks) post a form. Both work there.
  app.post("/v2/oauth2/tokens/revoke", async (request, reply) => {
    const client = authenticateClient(sim.state, request.headers.authorization);
    if (!client) return send(reply, 401, oauthErrors.invalidClient);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== "object" || typeof body.token !== "string" || body.token === "") return send(reply, 400, oauthErrors.invalidRequest);
    revokeToken(sim.state, client.clientId, body.token);
    return reply.code(200).send("");
  });
}
