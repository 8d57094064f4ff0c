import type { EntityName, QboEntity, RealmState } from "../state.js";
import { intuitMetaTime } from "../time.js";

/** Id sequences per entity type, like QBO, where a customer and an invoice can both be "7". */
export function nextId(realm: RealmState, entity: EntityName): string {
  const id = realm.nextId[entity] ?? 1;
  realm.nextId[entity] = id + 1;
  return String(id);
}

export function insertEntity(realm: RealmState, entity: EntityName, body: Record<string, unknown>, now: number): QboEntity {
  const stamp = intuitMetaTime(now);
  const stored: QboEntity = {
    ...body,
    domain: "QBO",
    sparse: false,
    Id: nextId(realm, entity),
    SyncToken: "0",
    MetaData: { CreateTime: stamp, LastUpdatedTime: stamp },
  };
  realm.entities[entity][stored.Id] = stored;
  return stored;
}

/** Replaces the stored body, bumping SyncToken and LastUpdatedTime. */
export function replaceEntity(realm: RealmState, entity: EntityName, previous: QboEntity, body: Record<string, unknown>, now: number): QboEntity {
  const meta = previous.MetaData as { CreateTime: string };
  const stored: QboEntity = {
    ...body,
    domain: "QBO",
    sparse: false,
    Id: previous.Id,
    SyncToken: String(Number(previous.SyncToken) + 1),
    MetaData: { CreateTime: meta.CreateTime, LastUpdatedTime: intuitMetaTime(now) },
  };
  realm.entities[entity][stored.Id] = stored;
  return stored;
}

export function findEntity(realm: RealmState, entity: EntityName, id: unknown): QboEntity | undefined {
  if (typeof id !== "string" && typeof id !== "number") return undefined;
  return realm.entities[entity][String(id)];
}

/** A reference field's id: QBO refs are {value, name}; a bare string is tolerated. */
export function refValue(ref: unknown): string | undefined {
  if (typeof ref === "string") return ref;
  if (ref && typeof ref === "object" && "value" in ref) {
    const value = (ref as { value: unknown }).value;
    if (typeof value === "string" || typeof value === "number") return String(value);
  }
  return undefined;
}

export function isActive(entity: QboEntity): boolean {
  return entity.Active !== false;
}
