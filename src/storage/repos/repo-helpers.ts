import { sql, type Expression, type Insertable, type Kysely, type SqlBool } from "kysely";
import { dialectOf } from "../db.js";
import { UniqueViolationError, withDbErrors } from "../errors.js";
import type { Database } from "../schema.js";
import type { CompanyPermissions, Page, PageOptions } from "./types.js";

/** A handle or a transaction: every repository function takes one as its first argument. */
export type Db = Kysely<Database>;

/** Instants are stored as fixed-width UTC ISO strings so they compare as text (0001-initial.ts). */
export function toDbInstant(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("invalid Date given to storage");
  return date.toISOString();
}

export function toDbInstantOrNull(date: Date | null | undefined): string | null {
  return date ? toDbInstant(date) : null;
}

export function fromDbInstant(text: string): Date {
  return new Date(text);
}

export function fromDbInstantOrNull(text: string | null | undefined): Date | null {
  return text ? new Date(text) : null;
}

export function toFlag(value: boolean): number {
  return value ? 1 : 0;
}

export function fromFlag(value: number | string | boolean | null | undefined): boolean {
  return Number(value) === 1 || value === true;
}

/** PostgreSQL returns BIGINT as a string. */
export function fromMinor(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null | undefined): T | null {
  return text === null || text === undefined || text === "" ? null : (JSON.parse(text) as T);
}

/** Rows changed by an UPDATE or DELETE (mysql2 reports matched rows: FOUND_ROWS is on by default). */
export function affected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);
}

export function supportsReturning(db: Db): boolean {
  return db.getExecutor().adapter.supportsReturning;
}

/** Inserts one row and returns its id: RETURNING on SQLite/PostgreSQL, insertId on MariaDB. */
export async function insertReturningId<T extends keyof Database & string>(
  db: Db,
  table: T,
  values: Insertable<Database[T]>,
): Promise<number> {
  const anyDb = db as unknown as Kysely<any>;
  if (supportsReturning(db)) {
    const row = await anyDb.insertInto(table).values(values).returning("id").executeTakeFirstOrThrow();
    return Number(row.id);
  }
  const result = await anyDb.insertInto(table).values(values).executeTakeFirstOrThrow();
  if (result.insertId === undefined) throw new Error(`insert into ${table} returned no id`);
  return Number(result.insertId);
}

/**
 * Inserts one row unless it collides with the unique key on `conflictColumns`; returns the new
 * id, or undefined on a collision. A failed statement aborts a PostgreSQL transaction, so the
 * collision is avoided with ON CONFLICT DO NOTHING there (and on SQLite); MariaDB keeps the
 * transaction usable after a duplicate-key error, so a caught error is enough.
 */
export async function insertUnlessDuplicate<T extends keyof Database & string>(
  db: Db,
  table: T,
  values: Insertable<Database[T]>,
  conflictColumns: readonly string[],
): Promise<number | undefined> {
  const anyDb = db as unknown as Kysely<any>;
  if (supportsReturning(db)) {
    const row = await withDbErrors(() =>
      anyDb
        .insertInto(table)
        .values(values)
        .onConflict((oc) => oc.columns(conflictColumns as string[]).doNothing())
        .returning("id")
        .executeTakeFirst(),
    );
    return row ? Number(row.id) : undefined;
  }
  try {
    return await withDbErrors(() => insertReturningId(db, table, values));
  } catch (error) {
    if (error instanceof UniqueViolationError) return undefined;
    throw error;
  }
}

/** Runs `fn` in a transaction, or directly inside the caller's when `db` already is one. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

/**
 * Bound parameters one statement may carry, with a margin: SQLite's limit is 32,766,
 * PostgreSQL's and MariaDB's 65,535. Used to size batch inserts and IN lists.
 */
export function maxParams(db: Db): number {
  return dialectOf(db) === "sqlite" ? 30_000 : 60_000;
}

/** Rows per INSERT for a table with `columns` bound values per row (at most 1,000). */
export function rowsPerInsert(db: Db, columns: number): number {
  return Math.max(1, Math.min(1000, Math.floor(maxParams(db) / columns)));
}

/** Keys per `IN (…)` list; kept small so plans stay cheap on every database. */
export const IN_LIST_CHUNK = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export function pageLimit(options: PageOptions | undefined, fallback = 50): number {
  const limit = options?.limit ?? fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("page limit must be a positive integer");
  return Math.min(limit, 1000);
}

/** Cursors are opaque to callers: base64url of a JSON array of the keyset values. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
  constructor() {
    super("invalid page cursor");
  }
}

/**
 * The largest key a cursor may carry: ids are 32-bit integers on PostgreSQL and MariaDB, so a
 * forged `[2147483648]` or `[1.5]` would reach the database as a value it refuses (a 500).
 */
const MAX_CURSOR_NUMBER = 2_147_483_647;
const MAX_CURSOR_TEXT = 300;
// PostgreSQL cannot bind text with NUL, and no keyset value we hand out holds a control character.
const CURSOR_CONTROL_CHARS = /[\u0000-\u001F\u007F]/;
// With the u flag only unpaired surrogates match: text that cannot be encoded as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function isCursorValue(value: unknown, type: "string" | "number"): boolean {
  if (type === "number") return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_CURSOR_NUMBER;
  return typeof value === "string" && value.length <= MAX_CURSOR_TEXT && !CURSOR_CONTROL_CHARS.test(value) && !LONE_SURROGATE.test(value);
}

/**
 * The keyset values of a cursor this API could have handed out, or undefined for anything
 * else: not base64url JSON, not an array, or holding a value no list produces (see above).
 * With `shape`, the values must also match it; without, any mix of numbers and strings does.
 */
export function parseCursor(cursor: string, shape?: readonly ("string" | "number")[]): (string | number)[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(cursor)) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length === 0 || values.length > 4) return undefined;
  if (shape && values.length !== shape.length) return undefined;
  const ok = values.every((v, i) => isCursorValue(v, shape ? shape[i]! : typeof v === "number" ? "number" : "string"));
  return ok ? (values as (string | number)[]) : undefined;
}

export function decodeCursor(cursor: string, shape: readonly ("string" | "number")[]): (string | number)[] {
  const values = parseCursor(cursor, shape);
  if (!values) throw new InvalidCursorError();
  return values;
}

/** Decodes a cursor made of a single numeric id (keyset on id). */
export function decodeIdCursor(cursor: string | null | undefined): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  return decodeCursor(cursor, ["number"])[0] as number;
}

/**
 * Fetches `limit + 1` rows with `fetch`, returns a page of `limit` and the cursor built from
 * the last row kept.
 */
export async function keysetPage<R, T>(
  limit: number,
  fetch: (limitPlusOne: number) => Promise<R[]>,
  map: (row: R) => T,
  cursorOf: (row: R) => (string | number)[],
): Promise<Page<T>> {
  const rows = await fetch(limit + 1);
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

/**
 * A case-insensitive "contains" pattern for `lower(col) like ? escape '!'`. `!` is the escape
 * character because a backslash means different things in MariaDB and standard SQL literals.
 */
export function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** `lower(a) like %search% or lower(b) like …`, the same on the three databases. */
export function matchesAny(columns: readonly string[], search: string): Expression<SqlBool> {
  const pattern = containsPattern(search);
  const tests = columns.map((column) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`);
  return sql<SqlBool>`(${sql.join(tests, sql` or `)})`;
}

export interface PermissionColumns {
  can_view: number;
  can_run: number;
  can_manage_schedules: number;
  can_edit_connections: number;
}

export function permissionsFromRow(row: PermissionColumns): CompanyPermissions {
  return {
    view: fromFlag(row.can_view),
    run: fromFlag(row.can_run),
    manageSchedules: fromFlag(row.can_manage_schedules),
    editConnections: fromFlag(row.can_edit_connections),
  };
}

export function permissionsToRow(permissions: Partial<CompanyPermissions>): PermissionColumns {
  return {
    can_view: toFlag(permissions.view ?? true),
    can_run: toFlag(permissions.run ?? false),
    can_manage_schedules: toFlag(permissions.manageSchedules ?? false),
    can_edit_connections: toFlag(permissions.editConnections ?? false),
  };
}
