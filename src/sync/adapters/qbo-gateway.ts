import { faultFromObject, QboFault } from "../../connectors/qbo/faults.js";
import type { QboClient } from "../../connectors/qbo/qbo-client.js";
import type { QboRateLimiter, QboRateLimits } from "../../connectors/qbo/rate-limiter.js";
import type { BatchWrite, BatchWriteResult, QboEntity, QboGateway, QboWriteOpts, WriteCapacity } from "../ports.js";

/**
 * The connectors' QboClient as the engine's QboGateway. Two things the client's convenience
 * methods do not offer go through its `request` (same retries, limiter and token handling):
 * `include=allowduplicatedocnum` on invoice writes (DevPos numbers repeat, docs/domain.md §2), and a
 * single /batch request whose request id is the engine's own (≤ 30 items, never split).
 * `capacity` reads the limiter the client was built with, for the write lanes.
 */
export interface QboGatewayOptions {
  client: QboClient;
  /** The limiter given to the client, and the realm it limits (for `capacity`). */
  limiter?: QboRateLimiter;
  realmId?: string;
  limits?: QboRateLimits;
}

const DUPLICATE_DOCNUM = { include: "allowduplicatedocnum" };

export function createQboGateway(options: QboGatewayOptions): QboGateway {
  const { client } = options;
  const path = (entity: string) => `/${entity.toLowerCase()}`;
  const pick = <T>(json: Record<string, unknown>, entity: string): T => {
    const value = json[entity];
    if (value === undefined) throw new QboFault(200, "InvalidResponse", [{ message: `answer has no ${entity}`, detail: "", code: "", element: "" }]);
    return value as T;
  };
  const write = async <T>(entity: string, body: Record<string, unknown>, opts: QboWriteOpts, operation?: string): Promise<T> => {
    const query: Record<string, string> = { ...(opts.allowDuplicateDocNumber && entity === "Invoice" ? DUPLICATE_DOCNUM : {}) };
    if (operation) query.operation = operation;
    const json = await client.request({
      method: "POST",
      path: path(entity),
      query,
      kind: "write",
      requestId: opts.requestId,
      contentType: "application/json",
      body: () => JSON.stringify(body),
    });
    return pick<T>(json, entity);
  };

  const gateway: QboGateway = {
    queryAll: (entity, where) => client.queryAll(entity, where),
    read: (entity, id) => client.read(entity, id),
    create: (entity, body, opts) => write(entity, body, opts),
    update: (entity, body, opts) => write(entity, { ...body, sparse: true }, opts, "update"),
    void: (entity, ref, opts) => write(entity, { Id: ref.Id, SyncToken: ref.SyncToken }, opts, "void"),
    async batch(items: readonly BatchWrite[], opts: QboWriteOpts): Promise<BatchWriteResult[]> {
      if (items.length === 0) return [];
      if (items.length > 30) throw new RangeError("a batch holds at most 30 items");
      const payload = { BatchItemRequest: items.map((item, i) => ({ bId: String(i + 1), operation: item.operation, [item.entity]: item.body })) };
      const json = await client.request({
        method: "POST",
        path: "/batch",
        query: opts.allowDuplicateDocNumber ? DUPLICATE_DOCNUM : {},
        kind: "batch",
        requestId: opts.requestId,
        contentType: "application/json",
        body: () => JSON.stringify(payload),
      });
      const responses = (Array.isArray(json.BatchItemResponse) ? json.BatchItemResponse : []) as Record<string, unknown>[];
      const byId = new Map(responses.map((r) => [String(r.bId), r]));
      return items.map((item, i): BatchWriteResult => {
        const response = byId.get(String(i + 1));
        if (!response) return { ok: false, fault: new QboFault(500, "MissingBatchItem", [{ message: `no answer for batch item ${i + 1}`, detail: "", code: "", element: "" }]) };
        if (response.Fault) return { ok: false, fault: faultFromObject(response.Fault) };
        const value = response[item.entity] as QboEntity | undefined;
        if (!value) return { ok: false, fault: new QboFault(500, "InvalidResponse", [{ message: `batch item ${i + 1} has no ${item.entity}`, detail: "", code: "", element: "" }]) };
        return { ok: true, value };
      });
    },
  };
  if (options.limiter && options.realmId) {
    const limiter = options.limiter;
    const realmId = options.realmId;
    const limits = { perMinute: options.limits?.perMinute ?? 500, batchPerMinute: options.limits?.batchPerMinute ?? 40, concurrent: options.limits?.concurrent ?? 10 };
    gateway.capacity = (): WriteCapacity => ({ limits, usage: limiter.usage(realmId) });
  }
  return gateway;
}
