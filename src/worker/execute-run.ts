import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { appendRunEvents, type RunEventLevel } from "../storage/repos/run-log.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { isRunCancelRequested } from "../storage/repos/scheduler-runs.js";
import { setScheduleLastRun } from "../storage/repos/schedules.js";
import { completeRun, heartbeat, releaseRun, requeueRun, type FinalStatus, type SyncRun } from "../storage/repos/sync-runs.js";
import { pauseSchedulesForReconnect } from "../scheduler/resume-schedules.js";
import { classifyRunError, GRANT_REVOKED_CODE, SECRET_KEY_MISMATCH_CODE, secretKeyMismatch, LeaseLostError, RunCancelledError, WorkerShutdownError } from "./run-errors.js";
import type { RunExecutor, RunOutcome } from "./run-executor.js";
import { retryDelayMs, type RetryPolicy } from "./retry-policy.js";

/** How a claimed run ended, from this worker's point of view. */
export type RunResultStatus =
  | FinalStatus
  /** Failed transiently; queued again for `retryAt`. */
  | "requeued"
  /** The lease was lost (expired and reclaimed); another worker owns the run now. */
  | "lease_lost"
  /** Handed back untouched because the worker shut down. */
  | "released";

export interface RunResult {
  run: SyncRun;
  status: RunResultStatus;
  errorCode?: string;
  errorMessage?: string;
  retryAt?: Date;
  summary?: unknown;
  durationMs: number;
}

export interface ExecuteRunDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  executor: RunExecutor;
  owner: string;
  leaseMs: number;
  /** Real-time interval of the heartbeat timer. */
  heartbeatMs: number;
  retry: RetryPolicy;
  /** Aborted when the worker gives up waiting for in-flight runs at shutdown. */
  shutdownSignal: AbortSignal;
  /** Extra work after a company's QuickBooks grant was revoked (alert, connection state). */
  onGrantRevoked?: (companyId: number, run: SyncRun) => Promise<void>;
}

/**
 * Executes one run this worker has claimed, holding its lease with a heartbeat, and records the
 * result: completes it, requeues it with backoff after a transient failure, fails it, or hands
 * it back at shutdown. If the lease is lost the execution is aborted and nothing is written
 * (the run belongs to whoever reclaimed it). Never throws; database errors while recording are
 * logged (the lease then expires and the run is reclaimed).
 */
export async function executeClaimedRun(deps: ExecuteRunDeps, run: SyncRun): Promise<RunResult> {
  const { db, clock, logger, owner } = deps;
  const started = performance.now();
  const controller = new AbortController();
  let leaseLost = false;
  let cancelRequested = false;
  let beating: Promise<boolean> | undefined;
  const log = logger.child({ runId: run.id, companyId: run.companyId });

  const beat = (): Promise<boolean> => {
    if (leaseLost) return Promise.resolve(false);
    beating ??= heartbeat(db, run.id, owner, clock.now(), deps.leaseMs)
      .then((held) => {
        if (!held && !leaseLost) {
          leaseLost = true;
          controller.abort(new LeaseLostError(run.id));
        }
        return held;
      })
      .catch((error: unknown) => {
        // A database hiccup is not a lost lease; the next beat tries again.
        log.warn({ err: error }, "heartbeat failed");
        return true;
      })
      .finally(() => {
        beating = undefined;
      });
    return beating;
  };
  const checkCancel = async () => {
    if (cancelRequested || leaseLost) return;
    if (await isRunCancelRequested(db, run.id).catch(() => false)) {
      cancelRequested = true;
      controller.abort(new RunCancelledError(run.id));
    }
  };
  const timer = setInterval(() => {
    void beat().then(checkCancel);
  }, deps.heartbeatMs);
  const onShutdown = () => controller.abort(new WorkerShutdownError());
  if (deps.shutdownSignal.aborted) onShutdown();
  else deps.shutdownSignal.addEventListener("abort", onShutdown, { once: true });

  let outcome: RunOutcome | undefined;
  let thrown: unknown;
  try {
    outcome = await deps.executor.execute(run, {
      signal: controller.signal,
      heartbeat: beat,
      log: (level, message, data) => appendRunEvents(db, [{ runId: run.id, companyId: run.companyId, at: clock.now(), level, message, data }]),
      isCancelRequested: async () => cancelRequested || (await isRunCancelRequested(db, run.id)),
      now: () => clock.now(),
    });
  } catch (error) {
    thrown = error;
  } finally {
    clearInterval(timer);
    deps.shutdownSignal.removeEventListener("abort", onShutdown);
    await beating;
  }

  const result = (status: RunResultStatus, extra: Partial<RunResult> = {}): RunResult => ({
    run,
    status,
    durationMs: Math.round(performance.now() - started),
    ...extra,
  });

  try {
    if (leaseLost) {
      log.warn("lease lost while executing; another worker owns the run now");
      return result("lease_lost", { errorCode: "lease_lost", errorMessage: "lease lost" });
    }
    const shutdown = deps.shutdownSignal.aborted && !cancelRequested;
    if (shutdown && (thrown !== undefined || outcome?.status === "cancelled")) {
      const released = await releaseRun(db, run.id, owner, clock.now());
      await event(deps, run, "warn", "worker shut down: run handed back to the queue");
      return result(released ? "released" : "lease_lost");
    }
    if (thrown === undefined && outcome !== undefined) {
      if (outcome.status === "failed" && outcome.retryable) {
        return await retryOrFail(deps, run, result, { code: outcome.errorCode ?? "run_failed", message: outcome.errorMessage ?? "run failed", summary: outcome.summary });
      }
      const mismatch = outcome.errorCode === SECRET_KEY_MISMATCH_CODE ? secretKeyMismatch(outcome.errorMessage ?? "secret failed authentication") : undefined;
      if (mismatch) log.error({ code: mismatch.code }, mismatch.message);
      return await finish(deps, run, result, outcome.status, {
        summary: outcome.summary,
        errorCode: outcome.errorCode,
        errorMessage: mismatch?.message ?? outcome.errorMessage,
      });
    }
    if (cancelRequested || thrown instanceof RunCancelledError) {
      return await finish(deps, run, result, "cancelled", { errorCode: "cancelled", errorMessage: "cancelled while running" });
    }
    const kind = classifyRunError(thrown);
    if (kind.grantRevoked) {
      const done = await finish(deps, run, result, "failed", { errorCode: GRANT_REVOKED_CODE, errorMessage: kind.message });
      const paused = await pauseSchedulesForReconnect(db, run.companyId, clock.now());
      log.warn({ paused }, "QuickBooks grant revoked: company schedules paused until it reconnects");
      if (deps.onGrantRevoked) await deps.onGrantRevoked(run.companyId, run);
      return done;
    }
    if (kind.retryable) return await retryOrFail(deps, run, result, { code: kind.code, message: kind.message });
    if (kind.code === "internal_error") log.error({ err: thrown }, "run failed with an unexpected error");
    if (kind.code === SECRET_KEY_MISMATCH_CODE) log.error({ code: kind.code }, kind.message);
    return await finish(deps, run, result, "failed", { errorCode: kind.code, errorMessage: kind.message });
  } catch (error) {
    log.error({ err: error }, "could not record the run's result; its lease will expire and it will be reclaimed");
    return result("lease_lost", { errorCode: "record_failed", errorMessage: error instanceof Error ? error.message : String(error) });
  }
}

type MakeResult = (status: RunResultStatus, extra?: Partial<RunResult>) => RunResult;

async function finish(
  deps: ExecuteRunDeps,
  run: SyncRun,
  result: MakeResult,
  status: FinalStatus,
  details: { summary?: unknown; errorCode?: string; errorMessage?: string },
): Promise<RunResult> {
  const finishedAt = deps.clock.now();
  const done = await completeRun(deps.db, run.id, deps.owner, {
    status,
    summary: (details.summary ?? null) as Record<string, unknown> | null,
    errorCode: details.errorCode ?? null,
    errorMessage: details.errorMessage ?? null,
    finishedAt,
  });
  if (!done) return result("lease_lost", { errorCode: "lease_lost", errorMessage: "lease lost before the result was recorded" });
  if (run.scheduleId !== null) await setScheduleLastRun(deps.db, run.scheduleId, { lastStatus: status });
  if (status === "failed") await event(deps, run, "error", `run failed: ${details.errorMessage ?? details.errorCode ?? "unknown error"}`, { code: details.errorCode, attempt: run.attempt });
  return result(status, { summary: details.summary, errorCode: details.errorCode, errorMessage: details.errorMessage });
}

async function retryOrFail(
  deps: ExecuteRunDeps,
  run: SyncRun,
  result: MakeResult,
  error: { code: string; message: string; summary?: unknown },
): Promise<RunResult> {
  if (run.attempt >= run.maxAttempts) {
    return finish(deps, run, result, "failed", {
      summary: error.summary,
      errorCode: error.code,
      errorMessage: `${error.message} (gave up after ${run.attempt} attempts)`,
    });
  }
  const now = deps.clock.now();
  const retryAt = new Date(now.getTime() + retryDelayMs(deps.retry, run.attempt));
  const requeued = await requeueRun(deps.db, run.id, deps.owner, { availableAt: retryAt, now, errorCode: error.code, errorMessage: error.message });
  if (!requeued) return result("lease_lost", { errorCode: "lease_lost", errorMessage: "lease lost before the retry was queued" });
  await event(deps, run, "warn", `attempt ${run.attempt} of ${run.maxAttempts} failed (${error.message}); retrying at ${retryAt.toISOString()}`, {
    code: error.code,
    retryAt: retryAt.toISOString(),
  });
  return result("requeued", { errorCode: error.code, errorMessage: error.message, retryAt });
}

async function event(deps: ExecuteRunDeps, run: SyncRun, level: RunEventLevel, message: string, data?: unknown): Promise<void> {
  await appendRunEvents(deps.db, [{ runId: run.id, companyId: run.companyId, at: deps.clock.now(), level, message, data }]).catch((error: unknown) =>
    deps.logger.warn({ err: error, runId: run.id }, "could not append run event"),
  );
}
