import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../clock.js";
import type { DevposState } from "./devpos-state.js";
import { DEVPOS_TOKEN_LIFETIME_S, issueDevposToken } from "./devpos-tokens.js";

export interface TokenRouteDeps {
  state: () => DevposState;
  clock: SandboxClock;
  clientId: string;
}

/**
 * `POST /connect/token`, IdentityServer style: client first (Basic header or form client_id),
 * then grant type, then the resource-owner password check against the `tenant` header.
 * IdentityServer answers every failed password check with the same description on purpose.
 */
export function registerTokenRoute(app: FastifyInstance, deps: TokenRouteDeps): void {
  app.post("/connect/token", { config: { devposEndpoint: "token" } }, async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : null;
    if (!form) return reply.code(400).send({ error: "invalid_request" });
    if (!isClientValid(request.headers.authorization, form, deps.clientId)) {
      return reply.code(400).send({ error: "invalid_client" });
    }
    if (form.get("grant_type") !== "password") return reply.code(400).send({ error: "unsupported_grant_type" });

    const tenantId = headerValue(request.headers.tenant);
    const username = form.get("username") ?? "";
    const password = form.get("password") ?? "";
    const tenant = tenantId ? deps.state().tenants.get(tenantId) : undefined;
    if (!tenant || !username || tenant.users.get(username) !== password) {
      return reply.code(400).send({ error: "invalid_grant", error_description: "invalid_username_or_password" });
    }
    const accessToken = issueDevposToken(deps.state(), deps.clock, tenant.tenant, username);
    return reply
      .header("cache-control", "no-store, no-cache, max-age=0")
      .header("pragma", "no-cache")
      .send({ access_token: accessToken, expires_in: DEVPOS_TOKEN_LIFETIME_S, token_type: "Bearer" });
  });
}

/** The public SPA client has an empty secret; IdentityServer accepts it in the header or the body. */
function isClientValid(authorization: string | undefined, form: URLSearchParams, clientId: string): boolean {
  if (authorization) {
    const [scheme, encoded] = authorization.split(" ");
    if (scheme?.toLowerCase() !== "basic" || !encoded) return false;
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const sep = decoded.indexOf(":");
    const id = decodeURIComponent(sep < 0 ? decoded : decoded.slice(0, sep));
    const secret = sep < 0 ? "" : decoded.slice(sep + 1);
    return id === clientId && secret === "";
  }
  return form.get("client_id") === clientId && !form.get("client_secret");
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim() || undefined;
}
