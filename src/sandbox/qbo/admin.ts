import type { FastifyInstance, FastifyReply } from "fastify";
import type { SimulatorContext } from "./context.js";
import type { QboClientRegistration, QboConfigPatch } from "./options.js";
import { registerClient } from "./oauth/clients.js";
import { realmStats } from "./api/stats.js";
import type { QboSimulator } from "./index.js";

/**
 * Sandbox-only controls under /_admin (not Intuit's). No auth: the sandbox listens on 127.0.0.1.
 * The clock is not here: the combined server owns it and advances it for both simulators.
 */
export function registerAdminRoutes(app: FastifyInstance, sim: SimulatorContext, api: QboSimulator): void {
  const notFound = (reply: FastifyReply, realmId: string) => reply.code(404).send({ error: { code: "not_found", message: `unknown realm ${realmId}` } });
  const badRequest = (reply: FastifyReply, message: string) => reply.code(400).send({ error: { code: "validation_failed", message } });
  const asObject = (body: unknown): Record<string, unknown> => (body && typeof body === "object" ? (body as Record<string, unknown>) : {});

  app.get("/_admin/realms", async () => ({
    realms: Object.values(sim.state.realms).map((r) => ({ realmId: r.realmId, ...r.prefs })),
  }));

  app.post("/_admin/realms", async (request, reply) => {
    const body = asObject(request.body);
    const opts: Parameters<QboSimulator["createRealm"]>[0] = {};
    if (typeof body.companyName === "string") opts.companyName = body.companyName;
    if (typeof body.multicurrency === "boolean") opts.multicurrency = body.multicurrency;
    if (typeof body.tax === "boolean") opts.tax = body.tax;
    if (typeof body.homeCurrency === "string") opts.homeCurrency = body.homeCurrency;
    const realmId = api.createRealm(opts);
    return reply.code(201).send({ realmId, ...sim.state.realms[realmId]!.prefs });
  });

  app.post("/_admin/config", async (request) => {
    api.configure(asObject(request.body) as QboConfigPatch);
    return sim.state.config;
  });
  app.get("/_admin/config", async () => sim.state.config);

  app.get("/_admin/realms/:realmId/stats", async (request, reply) => {
    const { realmId } = request.params as { realmId: string };
    const realm = sim.state.realms[realmId];
    return realm ? realmStats(realm) : notFound(reply, realmId);
  });

  app.get("/_admin/realms/:realmId/documents", async (request, reply) => {
    const { realmId } = request.params as { realmId: string };
    return sim.state.realms[realmId] ? { documents: api.createdDocuments(realmId) } : notFound(reply, realmId);
  });

  app.post("/_admin/clients", async (request, reply) => {
    const body = asObject(request.body);
    if (typeof body.clientId !== "string" || typeof body.clientSecret !== "string" || body.clientId === "") {
      return badRequest(reply, "clientId and clientSecret are required strings");
    }
    const client: QboClientRegistration = { clientId: body.clientId, clientSecret: body.clientSecret };
    if (Array.isArray(body.redirectUris)) client.redirectUris = body.redirectUris.map(String);
    registerClient(sim.state, client);
    return reply.code(201).send({ clientId: client.clientId, redirectUris: client.redirectUris ?? [] });
  });

  app.post("/_admin/reset", async () => {
    sim.reset();
    return { ok: true };
  });

  app.get("/_admin/snapshot", async () => api.snapshot());
}
