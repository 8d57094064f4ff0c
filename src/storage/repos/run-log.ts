import type { Insertable, Selectable } from "kysely";
import { withDbErrors } from "../errors.js";
import type { RunEventsTable, RunItemsTable } from "../schema.js";
import {
  affected,
  chunk,
  decodeIdCursor,
  fromDbInstant,
  fromJson,
  fromMinor,
  keysetPage,
  pageLimit,
  rowsPerInsert,
  toDbInstant,
  toJson,
  type Db,
} from "./repo-helpers.js";
import type { Page, PageOptions } from "./types.js";

export type RunEventLevel = "debug" | "info" | "warn" | "error";

export interface RunEvent {
  id: number;
  runId: number;
  companyId: number;
  at: Date;
  level: RunEventLevel;
  message: string;
  data: unknown;
}

export type NewRunEvent = Omit<RunEvent, "id" | "data"> & { data?: unknown };

/** What happened to one source document in a run. */
export type RunItemAction = "created" | "updated" | "unchanged" | "voided" | "skipped" | "failed" | "resolved" | string;

export interface RunItem {
  id: number;
  runId: number;
  companyId: number;
  kind: string;
  sourceKey: string;
  docNumber: string | null;
  action: RunItemAction;
  qboType: string | null;
  qboId: string | null;
  amountMinor: number | null;
  currency: string | null;
  message: string | null;
  createdAt: Date;
}

export type NewRunItem = Omit<RunItem, "id" | "docNumber" | "qboType" | "qboId" | "amountMinor" | "currency" | "message"> &
  Partial<Pick<RunItem, "docNumber" | "qboType" | "qboId" | "amountMinor" | "currency" | "message">>;

function eventFromRow(row: Selectable<RunEventsTable>): RunEvent {
  return {
    id: Number(row.id),
    runId: Number(row.run_id),
    companyId: Number(row.company_id),
    at: fromDbInstant(row.at),
    level: row.level as RunEventLevel,
    message: row.message,
    data: fromJson(row.data),
  };
}

function itemFromRow(row: Selectable<RunItemsTable>): RunItem {
  return {
    id: Number(row.id),
    runId: Number(row.run_id),
    companyId: Number(row.company_id),
    kind: row.kind,
    sourceKey: row.source_key,
    docNumber: row.doc_number,
    action: row.action,
    qboType: row.qbo_type,
    qboId: row.qbo_id,
    amountMinor: fromMinor(row.amount_minor),
    currency: row.currency,
    message: row.message,
    createdAt: fromDbInstant(row.created_at),
  };
}

/** Appends events in order (batched inserts). ForeignKeyViolationError for an unknown run. */
export async function appendRunEvents(db: Db, events: readonly NewRunEvent[]): Promise<void> {
  const rows: Insertable<RunEventsTable>[] = events.map((e) => ({
    run_id: e.runId,
    company_id: e.companyId,
    at: toDbInstant(e.at),
    level: e.level,
    message: e.message,
    data: toJson(e.data),
  }));
  for (const part of chunk(rows, rowsPerInsert(db, 6))) {
    await withDbErrors(() => db.insertInto("run_events").values(part).execute());
  }
}

/** Appends items, chunked to stay under every database's bound-parameter limit. */
export async function appendRunItems(db: Db, items: readonly NewRunItem[]): Promise<void> {
  const rows: Insertable<RunItemsTable>[] = items.map((i) => ({
    run_id: i.runId,
    company_id: i.companyId,
    kind: i.kind,
    source_key: i.sourceKey,
    doc_number: i.docNumber ?? null,
    action: i.action,
    qbo_type: i.qboType ?? null,
    qbo_id: i.qboId ?? null,
    amount_minor: i.amountMinor ?? null,
    currency: i.currency ?? null,
    message: i.message ?? null,
    created_at: toDbInstant(i.createdAt),
  }));
  for (const part of chunk(rows, rowsPerInsert(db, 12))) {
    await withDbErrors(() => db.insertInto("run_items").values(part).execute());
  }
}

/** Events of a run with id > `afterId`, in order (for `logs --follow`: pass the last id seen). */
export async function listRunEventsAfter(db: Db, runId: number, afterId = 0, limit = 500): Promise<RunEvent[]> {
  const rows = await db
    .selectFrom("run_events")
    .selectAll()
    .where("run_id", "=", runId)
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(eventFromRow);
}

/** Events of every run of a company (or all companies) with id > `afterId`, in order. */
export async function listEventsAfter(db: Db, options: { afterId?: number; companyId?: number; limit?: number }): Promise<RunEvent[]> {
  let query = db.selectFrom("run_events").selectAll().where("id", ">", options.afterId ?? 0);
  if (options.companyId !== undefined) query = query.where("company_id", "=", options.companyId);
  const rows = await query.orderBy("id").limit(options.limit ?? 500).execute();
  return rows.map(eventFromRow);
}

export interface ListRunItemsOptions extends PageOptions {
  action?: string;
  kind?: string;
}

/** Items of a run in the order they were recorded (keyset on id). */
export async function listRunItems(db: Db, runId: number, options: ListRunItemsOptions = {}): Promise<Page<RunItem>> {
  const after = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("run_items").selectAll().where("run_id", "=", runId);
      if (options.action) query = query.where("action", "=", options.action);
      if (options.kind) query = query.where("kind", "=", options.kind);
      if (after !== undefined) query = query.where("id", ">", after);
      return query.orderBy("id").limit(n).execute();
    },
    itemFromRow,
    (row) => [Number(row.id)],
  );
}

/** Item counts of a run by action (for summaries). */
export async function countRunItemsByAction(db: Db, runId: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("run_items")
    .select(["action", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("run_id", "=", runId)
    .groupBy("action")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
}

/** Deletes events and items recorded before `before`. */
export async function pruneRunLog(db: Db, before: Date): Promise<{ events: number; items: number }> {
  const at = toDbInstant(before);
  const events = affected(await db.deleteFrom("run_events").where("at", "<", at).executeTakeFirst());
  const items = affected(await db.deleteFrom("run_items").where("created_at", "<", at).executeTakeFirst());
  return { events, items };
}
