import { faults } from "../faults.js";
import type { EntityName, QboEntity, RealmState } from "../state.js";
import { withoutServerFields } from "./common.js";
import { prepareAccountBody, prepareItemBody } from "./catalog.js";
import { preparePartyBody } from "./parties.js";
import { ENTITY_SPECS } from "./registry.js";
import { findEntity, insertEntity, replaceEntity } from "./store.js";
import { prepareTransactionBody } from "./transactions.js";

/**
 * create / read / update / delete / void for every writable entity, independent of HTTP so the
 * single-request routes and batch items share one code path.
 */
export const WRITABLE: EntityName[] = ["Customer", "Vendor", "Item", "Account", "Invoice", "Bill"];
const DELETABLE: EntityName[] = ["Invoice", "Bill", "Attachable"];

export interface WriteOptions {
  now: number;
  allowDuplicateDocNumber: boolean;
}

function prepare(realm: RealmState, entity: EntityName, body: Record<string, unknown>, previous: QboEntity | undefined, options: WriteOptions) {
  switch (entity) {
    case "Customer":
    case "Vendor":
      return preparePartyBody(realm, entity, body, previous);
    case "Item":
      return prepareItemBody(realm, body, previous);
    case "Account":
      return prepareAccountBody(realm, body, previous);
    case "Invoice":
    case "Bill":
      return prepareTransactionBody(realm, entity, body, previous, options);
    default:
      throw faults.unsupportedOperation(`Operation create/update is not supported for ${entity}.`);
  }
}

function asBody(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw faults.invalidProperty("request body");
  return value as Record<string, unknown>;
}

export function createEntity(realm: RealmState, entity: EntityName, input: unknown, options: WriteOptions): QboEntity {
  const body = prepare(realm, entity, withoutServerFields(asBody(input)), undefined, options);
  const stored = insertEntity(realm, entity, body, options.now);
  if (entity === "Invoice" || entity === "Bill") realm.created.push({ type: entity, Id: stored.Id });
  return stored;
}

export function readEntity(realm: RealmState, entity: EntityName, id: string): QboEntity {
  const found = findEntity(realm, entity, id);
  if (!found) throw faults.objectNotFound(entity, id);
  return found;
}

/** Looks up the target of a write by Id and enforces optimistic locking on SyncToken. */
function lockedTarget(realm: RealmState, entity: EntityName, body: Record<string, unknown>): QboEntity {
  if (body.Id === undefined || body.Id === null || body.Id === "") throw faults.requiredMissing("Id");
  const current = findEntity(realm, entity, body.Id);
  if (!current) throw faults.objectNotFound(entity, String(body.Id));
  if (body.SyncToken === undefined || body.SyncToken === null) throw faults.requiredMissing("SyncToken");
  if (String(body.SyncToken) !== current.SyncToken) throw faults.staleObject();
  return current;
}

export function updateEntity(realm: RealmState, entity: EntityName, input: unknown, options: WriteOptions): QboEntity {
  const body = asBody(input);
  const current = lockedTarget(realm, entity, body);
  // sparse: only sent fields change (arrays such as Line are replaced whole); full: the body is the object.
  const merged = body.sparse === true || body.sparse === "true" ? { ...withoutServerFields(current), ...withoutServerFields(body) } : withoutServerFields(body);
  const prepared = prepare(realm, entity, merged, current, options);
  return replaceEntity(realm, entity, current, prepared, options.now);
}

export function deleteEntity(realm: RealmState, entity: EntityName, input: unknown): Record<string, unknown> {
  if (!DELETABLE.includes(entity)) throw faults.unsupportedOperation(`Operation Delete is not supported for ${entity}.`);
  const current = lockedTarget(realm, entity, asBody(input));
  delete realm.entities[entity][current.Id];
  realm.deleted[`${entity}:${current.Id}`] = current;
  return { status: "Deleted", domain: "QBO", Id: current.Id };
}

/** QBO's void: the invoice stays, amounts go to zero and "Voided" is prepended to PrivateNote. */
export function voidInvoice(realm: RealmState, input: unknown, now: number): QboEntity {
  const current = lockedTarget(realm, "Invoice", asBody(input));
  const zeroLine = (line: Record<string, unknown>) => {
    const detail = line.SalesItemLineDetail as Record<string, unknown> | undefined;
    const zeroed = detail ? { ...detail, ...(detail.Qty !== undefined ? { Qty: 0 } : {}), ...(detail.TaxInclusiveAmt !== undefined ? { TaxInclusiveAmt: 0 } : {}) } : undefined;
    return { ...line, Amount: 0, ...(zeroed ? { SalesItemLineDetail: zeroed } : {}) };
  };
  const note = typeof current.PrivateNote === "string" && current.PrivateNote !== "" ? `Voided ${current.PrivateNote}` : "Voided";
  const voided: Record<string, unknown> = {
    ...withoutServerFields(current),
    Line: (current.Line as Record<string, unknown>[]).map(zeroLine),
    TxnTaxDetail: { TotalTax: 0 },
    TotalAmt: 0,
    Balance: 0,
    PrivateNote: note,
  };
  if (current.HomeTotalAmt !== undefined) Object.assign(voided, { HomeTotalAmt: 0, HomeBalance: 0 });
  return replaceEntity(realm, "Invoice", current, voided, now);
}

export function entityByPath(segment: string): EntityName | undefined {
  const lower = segment.toLowerCase();
  return (Object.keys(ENTITY_SPECS) as EntityName[]).find((name) => name.toLowerCase() === lower);
}
