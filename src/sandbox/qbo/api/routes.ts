import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SimulatorContext } from "../context.js";
import { faults, QboFault } from "../faults.js";
import type { EntityName, RealmState } from "../state.js";
import { intuitTime } from "../time.js";
import { createEntity, deleteEntity, entityByPath, readEntity, updateEntity, voidInvoice, WRITABLE, type WriteOptions } from "../entities/operations.js";
import { runBatch } from "./batch.js";
import type { Chaos } from "./chaos.js";
import { companyInfo, preferences } from "./company.js";
import { createGuard } from "./guard.js";
import type { Limiter } from "./limiter.js";
import { runQuery } from "./query-exec.js";
import { runUpload } from "./upload.js";

type Query = Record<string, string | undefined>;
const BASE = "/v3/company/:realmId";

/** API v3. Every JSON answer carries "time"; `minorversion` and `format` are accepted and ignored. */
export function registerApiRoutes(app: FastifyInstance, sim: SimulatorContext, limiter: Limiter, chaos: Chaos): void {
  const guard = createGuard(sim, limiter, chaos);
  app.addHook("onRequest", guard.onRequest);
  app.addHook("preHandler", guard.preHandler);
  app.addHook("onResponse", guard.onResponse);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const now = intuitTime(sim.clock.now());
    if (error instanceof QboFault) return reply.code(error.status).send({ ...error.body(), time: now });
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(400).send({ ...faults.invalidProperty(`request body (${error.message})`).body(), time: now });
    }
    request.log.error(error, "qbo simulator internal error");
    return reply.code(500).send({ ...faults.internal().body(), time: now });
  });

  const realmOf = (request: FastifyRequest): RealmState => sim.state.realms[(request.params as { realmId: string }).realmId]!;
  const json = (reply: FastifyReply, body: Record<string, unknown>) => reply.send({ ...body, time: intuitTime(sim.clock.now()) });
  const writeOptions = (request: FastifyRequest): WriteOptions => ({
    now: sim.clock.now(),
    allowDuplicateDocNumber: /allowduplicatedocnum/i.test((request.query as Query).include ?? ""),
  });

  /**
   * requestid idempotency: the first successful response is replayed verbatim, nothing re-runs.
   * Fault injection after the commit (options.ts QboFaults): the answer lost or turned into a
   * 500, batch items left out of the answer, a replayed batch answered with per-item faults.
   */
  const idempotent = (request: FastifyRequest, reply: FastifyReply, maxLength: number, run: () => Record<string, unknown>, isBatch = false) => {
    const realm = realmOf(request);
    const requestId = (request.query as Query).requestid;
    if (requestId !== undefined && requestId.length > maxLength) {
      throw faults.business(`You cannot enter more than ${maxLength} characters in the request_id field. You tried entering ${requestId}, which is ${requestId.length} characters.`);
    }
    const prior = requestId ? realm.requestIds[requestId] : undefined;
    if (prior) {
      if (isBatch && chaos.faultReplay()) return reply.code(200).send(faultEveryItem(prior.body as Record<string, unknown>, intuitTime(sim.clock.now())));
      return reply.code(prior.status).send(prior.body);
    }
    let result = structuredClone(run());
    if (isBatch && Array.isArray(result.BatchItemResponse)) {
      result = { ...result, BatchItemResponse: (result.BatchItemResponse as unknown[]).filter(() => !chaos.dropBatchItem()) };
    }
    const body = { ...result, time: intuitTime(sim.clock.now()) };
    if (requestId) realm.requestIds[requestId] = { status: 200, body };
    const verdict = chaos.afterCommit();
    if (verdict === "error500") throw faults.internal();
    if (verdict === "lose") {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    return reply.send(body);
  };

  app.get(`${BASE}/companyinfo/:companyId`, async (request, reply) => json(reply, { CompanyInfo: companyInfo(realmOf(request)) }));
  app.get(`${BASE}/preferences`, async (request, reply) => json(reply, { Preferences: preferences(realmOf(request)) }));

  app.get(`${BASE}/query`, async (request, reply) => {
    const text = (request.query as Query).query;
    if (!text) throw faults.queryParse("query parameter is missing");
    return json(reply, { QueryResponse: runQuery(realmOf(request), text) });
  });
  app.post(`${BASE}/query`, async (request, reply) => {
    const text = typeof request.body === "string" ? request.body : (request.query as Query).query;
    if (!text) throw faults.queryParse("query is missing");
    return json(reply, { QueryResponse: runQuery(realmOf(request), text) });
  });

  app.post(`${BASE}/batch`, async (request, reply) =>
    idempotent(request, reply, 36, () => runBatch(realmOf(request), request.body, sim.state.config.limits.maxBatchItems, writeOptions(request)), true),
  );

  app.post(`${BASE}/upload`, async (request, reply) => {
    const prefix = (request.routeOptions.url ?? "").replace(/\/v3\/company\/.*$/, "");
    const baseUrl = `${request.protocol}://${request.host}${prefix}`;
    return idempotent(request, reply, 50, () => runUpload(realmOf(request), request.body, request.headers["content-type"] ?? "", sim.clock.now(), baseUrl));
  });

  app.get(`${BASE}/:entity/:id`, async (request, reply) => {
    const { entity: segment, id } = request.params as { entity: string; id: string };
    const entity = entityByPath(segment);
    if (!entity) throw faults.invalidProperty(`resource ${segment}`);
    return json(reply, { [entity]: readEntity(realmOf(request), entity, id) });
  });

  app.post(`${BASE}/:entity`, async (request, reply) => {
    const segment = (request.params as { entity: string }).entity;
    const entity = entityByPath(segment);
    if (!entity) throw faults.invalidProperty(`resource ${segment}`);
    const operation = ((request.query as Query).operation ?? "").toLowerCase();
    return idempotent(request, reply, 50, () => ({ [entity]: write(realmOf(request), entity, operation, request.body, writeOptions(request)) }));
  });
}

function write(realm: RealmState, entity: EntityName, operation: string, body: unknown, options: WriteOptions): unknown {
  if (operation === "delete") return deleteEntity(realm, entity, body);
  if (operation === "void") {
    if (entity !== "Invoice") throw faults.unsupportedOperation(`Operation Void is not supported for ${entity}.`);
    return voidInvoice(realm, body, options.now);
  }
  if (!WRITABLE.includes(entity)) throw faults.unsupportedOperation(`Operation ${operation || "create"} is not supported for ${entity}.`);
  const hasId = !!body && typeof body === "object" && "Id" in body && (body as { Id: unknown }).Id !== undefined;
  // QBO treats a POST with an Id as an update even without ?operation=update.
  if (operation === "update" || hasId) return updateEntity(realm, entity, body, options);
  if (operation !== "" && operation !== "create") throw faults.unsupportedOperation(`Operation ${operation} is not supported.`);
  return createEntity(realm, entity, body, options);
}

/** A replayed batch answered with a system fault on every item it had answered. */
function faultEveryItem(stored: Record<string, unknown>, time: string): Record<string, unknown> {
  const items = Array.isArray(stored.BatchItemResponse) ? (stored.BatchItemResponse as { bId?: unknown }[]) : [];
  return { BatchItemResponse: items.map((item) => ({ bId: item.bId, Fault: faults.internal().body().Fault })), time };
}
