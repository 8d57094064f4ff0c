import type { SourceKind } from "../domain/source-document.js";

/**
 * DevPos cannot read one invoice by EIC: a document is re-read only by listing a date range
 * that contains its date. This groups the dates of documents to re-check into few list calls.
 * Pure, so the budget rules are tested without a server.
 */
export interface RecheckRange {
  kind: SourceKind;
  /** Local dates YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

export interface RecheckBudget {
  /** List calls per run at most (default 12). */
  maxCalls: number;
  /** Days one call may span at most, both ends included (default 31). */
  maxDays: number;
}

export const DEFAULT_RECHECK_BUDGET: Readonly<RecheckBudget> = Object.freeze({ maxCalls: 12, maxDays: 31 });

/**
 * Ranges covering as many of `rows` as the budget allows. `rows` come in priority order (the
 * longest unchecked first): each row joins a range of its kind it already falls in, else the
 * range that grows least while staying within `maxDays`, else opens a new range while calls
 * remain; otherwise it waits for a later run. Ranges never overlap: a range only grows
 * towards a date no other range of its kind holds, and a range lying in between would have
 * grown less. Sorted by kind, then date.
 */
export function groupRecheckRanges(rows: readonly { kind: SourceKind; txnDate: string }[], budget: RecheckBudget = DEFAULT_RECHECK_BUDGET): RecheckRange[] {
  const ranges: { kind: SourceKind; from: number; to: number }[] = [];
  for (const row of rows) {
    const day = dayNumber(row.txnDate);
    const same = ranges.filter((r) => r.kind === row.kind);
    if (same.some((r) => r.from <= day && day <= r.to)) continue;
    let best: (typeof ranges)[number] | undefined;
    let bestGrowth = Infinity;
    for (const r of same) {
      const from = Math.min(r.from, day);
      const to = Math.max(r.to, day);
      const growth = to - from - (r.to - r.from);
      if (to - from + 1 <= budget.maxDays && growth < bestGrowth) {
        best = r;
        bestGrowth = growth;
      }
    }
    if (best) {
      best.from = Math.min(best.from, day);
      best.to = Math.max(best.to, day);
    } else if (ranges.length < budget.maxCalls) {
      ranges.push({ kind: row.kind, from: day, to: day });
    }
  }
  return ranges
    .sort((a, b) => (a.kind === b.kind ? a.from - b.from : a.kind < b.kind ? -1 : 1))
    .map((r) => ({ kind: r.kind, from: dateOf(r.from), to: dateOf(r.to) }));
}

/** Whether `date` (YYYY-MM-DD) falls in one of the ranges of `kind`. */
export function isInRanges(ranges: readonly RecheckRange[], kind: SourceKind, date: string): boolean {
  return ranges.some((r) => r.kind === kind && r.from <= date && date <= r.to);
}

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
