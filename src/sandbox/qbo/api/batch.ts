import { faults, QboFault } from "../faults.js";
import type { EntityName, RealmState } from "../state.js";
import { createEntity, deleteEntity, entityByPath, updateEntity, voidInvoice, type WriteOptions } from "../entities/operations.js";
import { runQuery } from "./query-exec.js";

/**
 * POST /batch. Items run one after another against live state (a later item sees an earlier
 * item's DisplayName) but cannot reference each other's results; each fails on its own, so a
 * 200 may carry per-item Faults.
 */
const ITEM_META = new Set(["bId", "operation", "optionsData"]);

export function batchItemCount(body: unknown): number {
  const items = (body as { BatchItemRequest?: unknown } | undefined)?.BatchItemRequest;
  return Array.isArray(items) ? items.length : 0;
}

export function isReadOnlyBatch(body: unknown): boolean {
  const items = (body as { BatchItemRequest?: unknown } | undefined)?.BatchItemRequest;
  return Array.isArray(items) && items.every((item) => item && typeof item === "object" && "Query" in item);
}

export function runBatch(realm: RealmState, body: unknown, maxItems: number, options: WriteOptions): Record<string, unknown> {
  const items = (body as { BatchItemRequest?: unknown } | undefined)?.BatchItemRequest;
  if (!Array.isArray(items) || items.length === 0) throw faults.requiredMissing("BatchItemRequest");
  if (items.length > maxItems) throw faults.batchTooLarge(maxItems, items.length);
  const responses = items.map((raw) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const bId = item.bId;
    try {
      return { bId, ...runItem(realm, item, options) };
    } catch (error) {
      if (error instanceof QboFault && error.status < 500) return { bId, Fault: error.body().Fault };
      throw error;
    }
  });
  return { BatchItemResponse: responses };
}

function runItem(realm: RealmState, item: Record<string, unknown>, options: WriteOptions): Record<string, unknown> {
  if (typeof item.Query === "string") return { QueryResponse: runQuery(realm, item.Query) };
  const key = Object.keys(item).find((k) => !ITEM_META.has(k));
  const entity: EntityName | undefined = key ? entityByPath(key) : undefined;
  if (!key || !entity) throw faults.invalidProperty(key ?? "(no entity)");
  const payload = item[key];
  switch (String(item.operation ?? "create").toLowerCase()) {
    case "create":
      return { [entity]: createEntity(realm, entity, payload, options) };
    case "update":
      return { [entity]: updateEntity(realm, entity, payload, options) };
    case "delete":
      return { [entity]: deleteEntity(realm, entity, payload) };
    case "void":
      if (entity !== "Invoice") throw faults.unsupportedOperation(`Operation Void is not supported for ${entity}.`);
      return { [entity]: voidInvoice(realm, payload, options.now) };
    default:
      throw faults.unsupportedOperation(`Operation ${String(item.operation)} is not supported.`);
  }
}
