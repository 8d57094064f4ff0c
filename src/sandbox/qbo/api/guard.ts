import type { FastifyReply, FastifyRequest } from "fastify";
import type { SimulatorContext } from "../context.js";
import { authenticationFailedBody, faults, throttledXml } from "../faults.js";
import { checkAccessToken } from "../oauth/tokens.js";
import type { RealmState } from "../state.js";
import { intuitTime } from "../time.js";
import { batchItemCount, isReadOnlyBatch } from "./batch.js";
import { sleep, type Chaos } from "./chaos.js";
import type { Limiter } from "./limiter.js";
import { recordRequest } from "./stats.js";

/**
 * The gateway in front of API v3, in Intuit's order: authenticate the bearer token, check it
 * belongs to the realm in the URL, throttle per realm+app, then (sandbox only) inject latency
 * and failures. Counters are written when the response goes out.
 */
interface RequestInfo {
  realm?: RealmState;
  endpoint: string;
  isBatch: boolean;
}

const infos = new WeakMap<FastifyRequest, RequestInfo>();

export function describeRequest(request: FastifyRequest): RequestInfo {
  const cached = infos.get(request);
  if (cached) return cached;
  const params = request.params as Record<string, string | undefined>;
  const query = request.query as Record<string, string | undefined>;
  const route = (request.routeOptions.url ?? "").replace(/^.*\/v3\/company\/:realmId/, "");
  let path = route.replace(":entity", (params.entity ?? "").toLowerCase()).replace(/\/:[A-Za-z]+$/, "/:id");
  if (query.operation) path += `?operation=${query.operation}`;
  const info: RequestInfo = { endpoint: `${request.method} ${path}`, isBatch: path === "/batch" };
  infos.set(request, info);
  return info;
}

export function createGuard(sim: SimulatorContext, limiter: Limiter, chaos: Chaos) {
  const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const info = describeRequest(request);
    const realmId = (request.params as { realmId?: string }).realmId ?? "";
    const realm = sim.state.realms[realmId];
    if (realm) info.realm = realm;
    const now = sim.clock.now();
    const auth = checkAccessToken(sim.state, bearer(request.headers.authorization), now);
    if (!auth.ok) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="Intuit", error="invalid_token"').send(authenticationFailedBody(auth.detail, now));
      return;
    }
    if (!realm || auth.grant.realmId !== realmId) {
      await reply.code(403).send({ ...faults.forbiddenRealm().body(), time: intuitTime(now) });
      return;
    }
    const release = limiter.tryAcquire(`${realmId}|${auth.grant.clientId}`, info.isBatch, now);
    if (!release) {
      await reply.code(429).type("application/xml").send(throttledXml(intuitTime(now)));
      return;
    }
    reply.raw.once("close", release);
  }

  async function preHandler(request: FastifyRequest): Promise<void> {
    const info = describeRequest(request);
    await sleep(chaos.delayMs(info.isBatch ? batchItemCount(request.body) : 0));
    const verdict = chaos.roll(info.isBatch);
    if (verdict === "hang") {
      if (info.realm) recordRequest(info.realm, { endpoint: info.endpoint, isRead: isRead(request, info), status: 0 });
      return chaos.park(request.raw);
    }
    if (verdict === "error500") throw faults.internal();
    if (verdict === "error503") throw faults.unavailable();
  }

  function onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const info = describeRequest(request);
    if (info.realm) recordRequest(info.realm, { endpoint: info.endpoint, isRead: isRead(request, info), status: reply.statusCode });
    done();
  }

  return { onRequest, preHandler, onResponse };
}

/** Reads are what Intuit meters: GETs and queries; a batch of only queries is a read too. */
function isRead(request: FastifyRequest, info: RequestInfo): boolean {
  if (request.method === "GET") return true;
  if (info.endpoint.endsWith("/query")) return true;
  return info.isBatch && isReadOnlyBatch(request.body);
}
