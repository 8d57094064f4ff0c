import type { RunSummary } from "../storage/repos/sync-runs.js";
import type { RunResult } from "../worker/execute-run.js";

/** A run that reached a final status, as the alerter needs it. */
export interface FinishedRun {
  runId: number;
  companyId: number;
  jobType: string;
  status: "succeeded" | "partial" | "failed" | "cancelled" | "skipped";
  errorCode?: string | null;
  errorMessage?: string | null;
  summary?: RunSummary | null;
}

/**
 * The worker's per-claim result as a finished run; undefined when the run is not finished
 * (requeued for a retry, lease lost, handed back at shutdown): no alert for those.
 */
export function finishedRunFromResult(result: RunResult): FinishedRun | undefined {
  const { status } = result;
  if (status !== "succeeded" && status !== "partial" && status !== "failed" && status !== "cancelled") return undefined;
  return {
    runId: result.run.id,
    companyId: result.run.companyId,
    jobType: result.run.jobType,
    status,
    errorCode: result.errorCode ?? null,
    errorMessage: result.errorMessage ?? null,
    summary: (result.summary ?? null) as RunSummary | null,
  };
}

/** Documents that failed, from the sync engine's summary (`sales.failed + bills.failed`). */
export function failedCountOf(summary: RunSummary | null | undefined): number | undefined {
  if (!summary) return undefined;
  let total: number | undefined;
  for (const kind of ["sales", "bills"]) {
    const failed = (summary[kind] as { failed?: unknown } | undefined)?.failed;
    if (typeof failed === "number") total = (total ?? 0) + failed;
  }
  if (total === undefined && typeof summary.failed === "number") total = summary.failed;
  return total;
}
