import type { QboFault } from "../connectors/qbo/faults.js";
import type { SourceDocument } from "../domain/source-document.js";

/**
 * The small surfaces the sync engine needs from the connectors. The real clients satisfy them
 * through adapters/ (the engine never speaks HTTP itself, docs/style.md "Layout").
 */
export interface QboEntity {
  Id: string;
  SyncToken: string;
  [field: string]: unknown;
}

export interface QboWriteOpts {
  requestId: string;
  /** Invoices: DevPos numbers repeat, so ask QBO not to refuse a duplicate DocNumber (6140). */
  allowDuplicateDocNumber?: boolean;
}

export interface BatchWrite {
  operation: "create" | "update";
  entity: string;
  body: Record<string, unknown>;
}

export type BatchWriteResult = { ok: true; value: QboEntity } | { ok: false; fault: QboFault };

/** What the engine asks of QuickBooks for one company. Errors are thrown as QboFault & co. */
export interface QboGateway {
  /** Every row of `SELECT * FROM entity WHERE …` (paged by the client). */
  queryAll<T = QboEntity>(entity: string, where?: string): Promise<T[]>;
  read<T = QboEntity>(entity: string, id: string): Promise<T>;
  create<T = QboEntity>(entity: string, body: Record<string, unknown>, opts: QboWriteOpts): Promise<T>;
  /** Sparse update: `body` carries Id and SyncToken. */
  update<T = QboEntity>(entity: string, body: Record<string, unknown>, opts: QboWriteOpts): Promise<T>;
  void<T = QboEntity>(entity: string, ref: { Id: string; SyncToken: string }, opts: QboWriteOpts): Promise<T>;
  /** One /batch request of at most 30 writes; results in input order. */
  batch(items: readonly BatchWrite[], opts: QboWriteOpts): Promise<BatchWriteResult[]>;
  /**
   * Free request capacity of the realm right now, when the adapter can see its rate limiter;
   * the write scheduler then fills the per-minute budget with single creates while the batch
   * budget is spent. Without it the engine uses batches only.
   */
  capacity?(): WriteCapacity;
}

/** The realm's limits and the rate limiter's current view of them. */
export interface WriteCapacity {
  limits: { perMinute: number; batchPerMinute: number; concurrent: number };
  usage: { inFlight: number; inWindow: number; batchesInWindow: number; waiting: number };
}

export interface DevposListing {
  documents: SourceDocument[];
  warnings: { code: string; message: string; eic?: string | null }[];
}

export interface DevposReader {
  listSales(window: { from: string; to: string }): Promise<DevposListing>;
  listPurchases(window: { from: string; to: string }): Promise<DevposListing>;
}
