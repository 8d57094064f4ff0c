import type { SourceDocument } from "../domain/source-document.js";
import { getDocumentLinks } from "../storage/repos/document-links.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import {
  listOpenZeroAmountDocuments,
  markZeroAmountChecked,
  recordZeroAmountSightings,
  resolveZeroAmountDocuments,
  type ZeroAmountDocument,
} from "../storage/repos/zero-amount-documents.js";
import { counterpartyOf, qboTypeOf, type QboTxnType } from "./parties.js";
import type { JobType } from "./plan.js";
import type { DevposListing, DevposReader } from "./ports.js";
import { DEFAULT_RECHECK_BUDGET, groupRecheckRanges, isInRanges, type RecheckBudget, type RecheckRange } from "./recheck-ranges.js";

/**
 * Documents DevPos lists without an amount are not created (their real total is unknown) and
 * must not be forgotten once they leave the sync window. The engine calls two functions:
 *
 * 1. `recheckZeroAmounts` before planning: re-lists the dates of the company's open rows that
 *    lie outside this run's window (few calls, within a budget) and returns those documents as
 *    DevPos shows them now, to be planned with the listed ones (a real amount → created).
 * 2. `settleZeroAmounts` after planning: records every document of the run still without an
 *    amount, resolves the rows whose document now has one, and returns the figures for the run
 *    summary.
 */
export interface ZeroAmountRecheckDeps {
  db: Db;
  devpos: DevposReader;
  now: Date;
  /** Default 12 list calls per run, each spanning at most 31 days. */
  budget?: Partial<RecheckBudget>;
}

export interface ZeroAmountRecheck {
  /** Open documents found again, with their current amounts; add them to the run's plan. */
  documents: SourceDocument[];
  /** Open rows re-read this run (found or not). */
  checked: number;
  /** Open rows left for a later run: the call budget was spent. */
  deferred: number;
  /** The DevPos list calls made. */
  ranges: RecheckRange[];
  /** A failed list call (the run goes on) and the listing's own warnings about these rows. */
  warnings: DevposListing["warnings"];
}

export interface ZeroAmountCounts {
  /** Documents of this run still without an amount, waiting for one. */
  open: number;
  /** Rows outside the window re-read this run. */
  rechecked: number;
  /** Rows that now have a real amount (or were rejected in DevPos): no longer re-checked. */
  resolved: number;
  /** Documents of this run without an amount that a person confirmed as truly zero. */
  confirmedZero: number;
}

const JOB_QBO_TYPES: Record<JobType, readonly QboTxnType[]> = { sales: ["Invoice"], bills: ["Bill"], full: ["Invoice", "Bill"] };

/**
 * Re-reads the company's open zero-amount documents dated outside `window` that `jobType`
 * covers and that `listed` (this run's own listing) does not already hold. Never throws for
 * DevPos: a failed list call becomes a warning and its rows wait for the next run.
 */
export async function recheckZeroAmounts(
  deps: ZeroAmountRecheckDeps,
  companyId: number,
  jobType: JobType,
  window: { from: string; to: string },
  listed: readonly SourceDocument[],
): Promise<ZeroAmountRecheck> {
  const listedKeys = new Set(listed.map((d) => `${d.kind}|${d.eic}`));
  const open = (await listOpenZeroAmountDocuments(deps.db, companyId, { outside: window, qboTypes: JOB_QBO_TYPES[jobType] })).filter(
    (row) => !listedKeys.has(`${row.kind}|${row.sourceKey}`) && (row.kind === "sale" || row.kind === "purchase"),
  );
  const budget = { ...DEFAULT_RECHECK_BUDGET, ...deps.budget };
  const ranges = groupRecheckRanges(open.map((row) => ({ kind: row.kind as SourceDocument["kind"], txnDate: row.txnDate })), budget);

  const wanted = new Map(open.map((row) => [`${row.kind}|${row.sourceKey}`, row]));
  const openEics = new Set(open.map((row) => row.sourceKey));
  const found = new Map<string, SourceDocument>();
  const checked: ZeroAmountDocument[] = [];
  const warnings: DevposListing["warnings"] = [];
  for (const range of ranges) {
    let listing: DevposListing;
    try {
      const window = { from: range.from, to: range.to };
      listing = range.kind === "sale" ? await deps.devpos.listSales(window) : await deps.devpos.listPurchases(window);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      warnings.push({ code: "zero_amount_recheck_failed", message: `re-reading ${range.kind}s of ${range.from}..${range.to} for documents without an amount failed; tried again next run: ${message}` });
      continue;
    }
    for (const doc of listing.documents) {
      if (wanted.has(`${doc.kind}|${doc.eic}`)) found.set(`${doc.kind}|${doc.eic}`, doc);
    }
    for (const w of listing.warnings) if (w.eic && openEics.has(w.eic)) warnings.push(w);
    checked.push(...open.filter((row) => row.kind === range.kind && isInRanges([range], range.kind, row.txnDate)));
  }
  // Found documents are recorded by settleZeroAmounts; the others count one check here, so the
  // next run starts with the rows that waited longest.
  const checkedRows = [...new Map(checked.map((row) => [row.id, row])).values()];
  const notFound = checkedRows.filter((row) => !found.has(`${row.kind}|${row.sourceKey}`));
  await markZeroAmountChecked(deps.db, notFound.map((row) => row.id), deps.now);
  return { documents: [...found.values()], checked: checkedRows.length, deferred: open.length - checkedRows.length, ranges, warnings };
}

/**
 * After planning: `documents` are all of the run's documents (listed and re-checked). Those
 * without an amount (and not rejected, and not already linked to QuickBooks) are kept as open
 * rows; rows whose document now has an amount, or was rejected, are resolved. Pass the
 * recheck's result to count the re-read rows.
 */
export async function settleZeroAmounts(
  db: Db,
  companyId: number,
  documents: readonly SourceDocument[],
  now: Date,
  recheck?: Pick<ZeroAmountRecheck, "checked">,
): Promise<ZeroAmountCounts> {
  const noAmount = documents.filter((d) => d.status !== "rejected" && (d.amountMinor === null || d.amountMinor === 0));
  const settled = documents.filter((d) => d.status === "rejected" || (d.amountMinor !== null && d.amountMinor !== 0));

  // A document already in QuickBooks keeps its amount there; the list's 0 changes nothing.
  const unlinked: SourceDocument[] = [];
  for (const kind of ["sale", "purchase"] as const) {
    const ofKind = noAmount.filter((d) => d.kind === kind);
    if (ofKind.length === 0) continue;
    const links = await getDocumentLinks(db, companyId, kind, ofKind.map((d) => d.eic));
    unlinked.push(...ofKind.filter((d) => !links.has(d.eic)));
  }

  const rows = await recordZeroAmountSightings(
    db,
    companyId,
    unlinked.map((d) => ({
      kind: d.kind,
      sourceKey: d.eic,
      qboType: qboTypeOf(d),
      docNumber: d.documentNumber,
      txnDate: d.txnDate,
      partyName: counterpartyOf(d).name,
      currency: d.currency,
    })),
    now,
  );
  const resolved = await resolveZeroAmountDocuments(
    db,
    companyId,
    settled.map((d) => ({
      kind: d.kind,
      sourceKey: d.eic,
      resolution: d.status === "rejected" ? ("rejected" as const) : ("amount" as const),
      amountMinor: d.status === "rejected" ? null : d.amountMinor,
    })),
    now,
  );
  return {
    open: rows.filter((r) => r.status === "open").length,
    rechecked: recheck?.checked ?? 0,
    resolved: resolved.length,
    confirmedZero: rows.filter((r) => r.status === "confirmed_zero").length,
  };
}
