import { appendRunItems, type NewRunItem } from "../storage/repos/run-log.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import type { QboTxnType } from "./parties.js";

/** What happened to one document in a run (one `run_items` row). */
export type ItemAction = "created" | "recovered" | "updated" | "voided" | "unchanged" | "skipped" | "attention" | "failed";

export interface KindSummary {
  total: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  /** Breakdown (included in the counts above): pending creates found in QuickBooks (in created). */
  recovered: number;
  voided: number;
  unchanged: number;
  zeroAmount: number;
  rejected: number;
  attention: number;
}

export interface SyncSummary {
  sales: KindSummary;
  bills: KindSummary;
  window: { from: string; to: string };
  jobType: string;
  /** DevPos warnings, truncated DocNumbers and other notes. */
  warnings: number;
  durationMs?: number;
  qboRequests?: Record<string, number>;
  cancelled?: boolean;
  /**
   * Documents DevPos lists without an amount (src/sync/zero-amount-rechecks.ts): still open on
   * the company's re-check list, re-read this run outside the window, resolved (an amount
   * arrived), and confirmed as truly zero by a person.
   */
  zeroAmount?: { open: number; rechecked: number; resolved: number; confirmedZero: number };
}

export function emptyKindSummary(): KindSummary {
  return { total: 0, created: 0, updated: 0, skipped: 0, failed: 0, recovered: 0, voided: 0, unchanged: 0, zeroAmount: 0, rejected: 0, attention: 0 };
}

export interface RecordedItem {
  kind: string;
  eic: string;
  qboType: QboTxnType;
  action: ItemAction;
  docNumber?: string | null;
  qboId?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  message?: string | null;
  /** For skipped: why (zero_amount / rejected). */
  reason?: "zero_amount" | "rejected";
}

/**
 * Counts every document once into the summary and buffers its `run_items` row (flushed in
 * chunks; without a run id — a dry library call — rows are only counted).
 */
export interface ItemRecorder {
  record(item: RecordedItem): void;
  flush(): Promise<void>;
  /** Flushes once enough rows are buffered. */
  maybeFlush(): Promise<void>;
  readonly summary: SyncSummary;
  readonly done: number;
}

export function createItemRecorder(options: {
  db: Db;
  runId: number | null;
  companyId: number;
  now: () => Date;
  window: { from: string; to: string };
  jobType: string;
  onRecord?: (done: number) => void;
}): ItemRecorder {
  const summary: SyncSummary = { sales: emptyKindSummary(), bills: emptyKindSummary(), window: options.window, jobType: options.jobType, warnings: 0 };
  let buffer: NewRunItem[] = [];
  let done = 0;
  let flushing: Promise<void> = Promise.resolve();

  const flush = async () => {
    const rows = buffer;
    buffer = [];
    if (rows.length === 0 || options.runId === null) return;
    flushing = flushing.then(() => appendRunItems(options.db, rows));
    await flushing;
  };

  return {
    summary,
    get done() {
      return done;
    },
    record(item) {
      const bucket = item.qboType === "Invoice" ? summary.sales : summary.bills;
      bucket.total++;
      switch (item.action) {
        case "created":
          bucket.created++;
          break;
        case "recovered":
          bucket.created++;
          bucket.recovered++;
          break;
        case "updated":
          bucket.updated++;
          break;
        case "voided":
          bucket.updated++;
          bucket.voided++;
          break;
        case "unchanged":
          bucket.skipped++;
          bucket.unchanged++;
          break;
        case "skipped":
          bucket.skipped++;
          if (item.reason === "zero_amount") bucket.zeroAmount++;
          if (item.reason === "rejected") bucket.rejected++;
          break;
        case "attention":
          bucket.skipped++;
          bucket.attention++;
          break;
        case "failed":
          bucket.failed++;
          break;
      }
      done++;
      if (options.runId !== null) {
        buffer.push({
          runId: options.runId,
          companyId: options.companyId,
          kind: item.kind,
          sourceKey: item.eic,
          docNumber: item.docNumber ?? null,
          action: item.action,
          qboType: item.qboType,
          qboId: item.qboId ?? null,
          amountMinor: item.amountMinor ?? null,
          currency: item.currency ?? null,
          message: item.message ? item.message.slice(0, 1000) : null,
          createdAt: options.now(),
        });
      }
      options.onRecord?.(done);
    },
    flush,
    async maybeFlush() {
      if (buffer.length >= 250) await flush();
    },
  };
}
