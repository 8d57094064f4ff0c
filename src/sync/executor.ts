import type { Logger } from "pino";
import { processMetrics } from "../process-metrics.js";
import type { SyncRun } from "../storage/repos/sync-runs.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import type { RunContext, RunExecutor, RunOutcome } from "../worker/run-executor.js";
import { runSync } from "./execute.js";
import type { JobType } from "./plan.js";
import type { DevposReader, QboGateway } from "./ports.js";

/**
 * The worker's RunExecutor (src/worker/run-executor.ts) backed by the sync engine. The worker owns
 * leases, retries and the run row; this only runs the sync and reports how it went. Errors that
 * stop the run (revoked grant, QuickBooks unreachable) are thrown or returned `failed` with
 * `retryable`, for the worker's one classification table to decide.
 */
export interface SyncExecutorDeps {
  db: Db;
  connectors: {
    qboFor(companyId: number, logger?: Logger): Promise<QboGateway>;
    devposFor(companyId: number, logger?: Logger): DevposReader;
  };
  logger?: Logger;
}

export function createSyncExecutor(deps: SyncExecutorDeps): RunExecutor {
  return {
    async execute(run: SyncRun, ctx: RunContext): Promise<RunOutcome> {
      // Connector log lines of this run carry its run and company ids.
      const runLogger = deps.logger?.child({ runId: run.id, companyId: run.companyId });
      const qbo = await deps.connectors.qboFor(run.companyId, runLogger);
      // The worker aborts the signal when its own poll sees a cancel; a direct look costs a
      // query, so it happens at most once a second.
      let lastLook = 0;
      let cancelled = false;
      const shouldStop = async () => {
        if (ctx.signal.aborted || cancelled) return true;
        if (performance.now() - lastLook < 1000) return false;
        lastLook = performance.now();
        cancelled = await ctx.isCancelRequested();
        return cancelled;
      };
      const result = await runSync(
        { db: deps.db, now: () => ctx.now(), qbo, devpos: deps.connectors.devposFor(run.companyId, runLogger) },
        { companyId: run.companyId, runId: run.id, jobType: run.jobType as JobType, window: { from: run.windowFrom, to: run.windowTo } },
        {
          log: (level, message, data) => ctx.log(level, message, data),
          shouldStop,
          heartbeat: () => ctx.heartbeat(),
        },
      );
      deps.logger?.info({ runId: run.id, companyId: run.companyId, status: result.status, sales: result.summary.sales, bills: result.summary.bills }, "sync finished");
      for (const kind of ["sales", "bills"] as const) {
        for (const action of ["created", "updated", "voided"] as const) {
          const count = result.summary[kind][action];
          if (count > 0) processMetrics.documentsWritten.inc({ kind, action }, count);
        }
      }
      if (result.summary.durationMs !== undefined) {
        processMetrics.runDuration.observe({ job_type: run.jobType, status: result.status }, result.summary.durationMs / 1000);
      }
      return {
        status: result.status,
        summary: result.summary as unknown as Record<string, unknown>,
        ...(result.errorCode !== undefined ? { errorCode: result.errorCode } : {}),
        ...(result.errorMessage !== undefined ? { errorMessage: result.errorMessage } : {}),
        ...(result.retryable !== undefined ? { retryable: result.retryable } : {}),
      };
    },
  };
}
