import { faults } from "../faults.js";
import type { QboEntity, RealmState } from "../state.js";
import { canonicalField, readPath, specByName } from "../entities/registry.js";
import type { Condition, ParsedQuery, QueryValue } from "./query-parser.js";
import { parseQuery } from "./query-parser.js";

/** QBO's page size when MAXRESULTS is not given. */
const DEFAULT_MAX_RESULTS = 100;

const asNumber = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;

function compare(actual: unknown, expected: QueryValue): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== undefined && b !== undefined) return a - b;
  if (typeof actual === "boolean" || typeof expected === "boolean") {
    return String(actual).toLowerCase() === String(expected).toLowerCase() ? 0 : 1;
  }
  // Names compare case-insensitively in QBO ("acme" finds "Acme").
  return String(actual).toLowerCase().localeCompare(String(expected).toLowerCase());
}

function likeToRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*");
  return new RegExp(`^${escaped}$`, "is");
}

function matches(entity: QboEntity, cond: Condition): boolean {
  const actual = readPath(entity, cond.field);
  switch (cond.op) {
    case "IN":
      return (cond.value as QueryValue[]).some((v) => compare(actual, v) === 0);
    case "LIKE":
      return actual !== undefined && likeToRegex(String(cond.value)).test(String(actual));
    default: {
      const c = compare(actual, cond.value as QueryValue);
      if (c === undefined) return false;
      return { "=": c === 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0 }[cond.op];
    }
  }
}

function sortRows(rows: QboEntity[], orderBy: ParsedQuery["orderBy"]): QboEntity[] {
  const keys = orderBy.length > 0 ? orderBy : [{ field: "Id", desc: false }];
  return rows.sort((x, y) => {
    for (const key of keys) {
      const a = readPath(x, key.field);
      const b = readPath(y, key.field);
      const c = a === undefined ? (b === undefined ? 0 : -1) : b === undefined ? 1 : compare(a, b as QueryValue) ?? 0;
      if (c !== 0) return key.desc ? -c : c;
    }
    return 0;
  });
}

export function runQuery(realm: RealmState, queryText: string): Record<string, unknown> {
  const query = parseQuery(queryText);
  const spec = specByName(query.entity);
  if (!spec) throw faults.queryParse(`Invalid entity "${query.entity}"`);
  const canonical = (field: string) => {
    const c = canonicalField(spec, field);
    if (!c) throw faults.queryValidation(`property '${field}' is not queryable`);
    return c;
  };
  const where = query.where.map((cond) => ({ ...cond, field: canonical(cond.field) }));
  const orderBy = query.orderBy.map((o) => ({ ...o, field: canonical(o.field) }));
  const mentionsActive = where.some((c) => c.field === "Active");

  let rows = Object.values(realm.entities[spec.name]);
  if (spec.hasActive && !mentionsActive) rows = rows.filter((e) => e.Active !== false);
  rows = rows.filter((e) => where.every((cond) => matches(e, cond)));
  if (query.count) return { totalCount: rows.length };

  const max = query.maxResults ?? DEFAULT_MAX_RESULTS;
  const page = sortRows(rows, orderBy).slice(query.startPosition - 1, query.startPosition - 1 + max);
  // QBO answers an empty result with an empty QueryResponse, no entity key and no paging fields.
  if (page.length === 0) return {};
  const projected = query.fields === "*" ? page : page.map((e) => project(e, query.fields as string[]));
  return { [spec.name]: structuredClone(projected), startPosition: query.startPosition, maxResults: page.length };
}

function project(entity: QboEntity, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { domain: "QBO", sparse: true, Id: entity.Id };
  for (const field of fields) {
    const top = field.split(".")[0]!;
    const key = Object.keys(entity).find((k) => k.toLowerCase() === top.toLowerCase());
    if (key) out[key] = entity[key];
  }
  return out;
}
